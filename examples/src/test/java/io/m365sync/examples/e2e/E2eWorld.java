package io.m365sync.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.TenantId;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.graph.AppCredential;
import io.m365sync.graph.GraphMailboxGateway;
import io.m365sync.graph.MsalApplicationTokenStrategy;
import io.m365sync.graph.MsalDelegatedTokenStrategy;
import io.m365sync.graph.TokenCacheCipher;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.EmulatorRequest;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.MailboxModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * One tenant with the CRM's app registration, one signed-in user, the emulator on 127.0.0.1 and
 * the production adapters wired to it: {@link SyncEngine} + {@link MsalDelegatedTokenStrategy} +
 * {@link MsalApplicationTokenStrategy} + {@link GraphMailboxGateway} (real MSAL4J and Graph SDK over
 * HTTP). Each test builds its engine with the syncers it exercises.
 */
final class E2eWorld implements AutoCloseable {
  static final String CLIENT_ID = "0b9f3c1e-7d2a-4e6b-9a8c-5f4e3d2c1b0a";
  static final URI REDIRECT = URI.create("https://crm.example.com/addin/callback");
  /** A Monday in February 2026, before the US switch to daylight saving time (8 March). */
  static final Instant START = Instant.parse("2026-02-16T12:00:00Z");

  final MutableClock clock = new MutableClock(START);
  final CloudModel cloud = new CloudModel(clock);
  final TenantModel tenant = cloud.addTenant("contoso.com");
  final AppRegistration app;
  final M365Emulator emulator;
  final SyncStateStore state = SyncStateStore.inMemory();
  final GraphMailboxGateway gateway;
  final MsalDelegatedTokenStrategy delegated;
  final MsalApplicationTokenStrategy application;
  final ExecutorService pool = Executors.newFixedThreadPool(2);
  final ModelUser user;
  final MailboxModel box;
  private final String secret;
  private Mailbox mailbox;
  private SyncEngine engine;

  E2eWorld() {
    byte[] s = new byte[24];
    new SecureRandom().nextBytes(s);
    secret = "e2e~" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(s);
    app = tenant.registerApp(CLIENT_ID, "Contoso CRM").addSecret(secret, START.plus(Duration.ofDays(365)));
    for (Resource r : Resource.values()) {
      app.addDelegatedPermissions(r.delegatedPermission());
    }
    app.addDelegatedPermissions("offline_access", "User.Read");
    emulator = new M365Emulator(cloud).start();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    URI login = URI.create(emulator.loginBaseUrl());
    gateway = GraphMailboxGateway.builder().baseUrl(emulator.graphBaseUrl()).build();
    delegated = MsalDelegatedTokenStrategy.builder().clientId(CLIENT_ID).credential(AppCredential.secret(secret))
        .store(state).cipher(TokenCacheCipher.aesGcm("e2e", key)).clock(clock).routeTokenRequestsTo(login).build();
    application = MsalApplicationTokenStrategy.builder().clientId(CLIENT_ID).credential(AppCredential.secret(secret))
        .clock(clock).routeTokenRequestsTo(login).build();
    user = tenant.addUser("alice");
    box = tenant.mailbox(user);
  }

  /** Alice signs in to the add-in (authorization code over HTTP) and the engine enrolls her. */
  Mailbox signIn(ResourceSyncer<?>... syncers) {
    return signIn(SyncOptions.defaults(), syncers);
  }

  /** As {@link #signIn(ResourceSyncer[])}, with an engine built with {@code options}. */
  Mailbox signIn(SyncOptions options, ResourceSyncer<?>... syncers) {
    return signIn(options, b -> { }, syncers);
  }

  /**
   * As {@link #signIn(SyncOptions, ResourceSyncer[])}, with {@code customize} setting more on the
   * engine's builder (listeners, change notifications, a scheduler) before it is built.
   */
  Mailbox signIn(SyncOptions options, Consumer<SyncEngine.Builder> customize, ResourceSyncer<?>... syncers) {
    SyncEngine.Builder b = SyncEngine.builder().clock(clock).executor(pool).stateStore(state).gateway(gateway)
        .delegatedTokens(delegated).applicationTokens(application).options(options);
    customize.accept(b);
    EnumSet<Resource> resources = EnumSet.noneOf(Resource.class);
    for (ResourceSyncer<?> s : syncers) {
      b.resource(s);
      resources.add(s.type().resource());
    }
    engine = b.build();
    String code = emulator.authorizationCode(tenant, user, CLIENT_ID);
    mailbox = delegated.signIn(TenantId.of(tenant.tenantId()), code, REDIRECT, "crm-alice", resources);
    engine.enroll(mailbox);
    return mailbox;
  }

  Mailbox mailbox() {
    return mailbox;
  }

  /** The engine built by {@link #signIn}. */
  SyncEngine engine() {
    return engine;
  }

  /** One sync of Alice's mailbox; fails the test if a resource failed or the emulator hit a bug. */
  MailboxSyncReport sync() {
    clock.advance(Duration.ofMinutes(5));
    MailboxSyncReport r = engine.syncMailbox(mailbox.id());
    for (ResourceResult rr : r.resources()) {
      assertThat(rr.outcome()).as("%s: %s", rr.resource(), rr.detail()).isEqualTo(ResourceResult.Outcome.SYNCED);
    }
    assertThat(emulator.internalErrors()).isEmpty();
    return r;
  }

  /** A Graph session as Outlook (the user) would act in her own mailbox, for changes "in Microsoft 365". */
  MailboxSession userSession() {
    return new MailboxSession(mailbox, delegated.acquire(mailbox, Purpose.BACKGROUND_SYNC));
  }

  /** Graph requests received so far whose method and path match. */
  List<EmulatorRequest> requests(String method, String pathPart) {
    return emulator.recordedRequests().stream()
        .filter(r -> r.method().equals(method) && r.path().contains(pathPart)).toList();
  }

  @Override
  public void close() {
    if (engine != null) {
      engine.close();
    }
    pool.shutdownNow();
    emulator.close();
  }
}

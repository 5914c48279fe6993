package io.m365sync.graph;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.TokenStrategy;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.state.SyncStateStore;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/** A cloud with one tenant, the CRM's app, an emulator and the real strategies and gateway wired to it. */
final class EmulatorFixture implements AutoCloseable {
  static final String CLIENT_ID = "6f1d2c3b-1a2b-4c5d-8e9f-0a1b2c3d4e5f";
  static final URI REDIRECT = URI.create("https://crm.example.com/addin/callback");

  final MutableClock clock = MutableClock.startingNow();
  final CloudModel cloud = new CloudModel(clock);
  final TenantModel tenant = cloud.addTenant("contoso.com");
  final String secret;
  final AppRegistration app;
  final M365Emulator emulator;
  final SyncStateStore store = SyncStateStore.inMemory();
  final TokenCacheCipher cipher;
  final GraphMailboxGateway gateway;
  final MsalApplicationTokenStrategy application;
  final MsalDelegatedTokenStrategy delegated;

  EmulatorFixture() {
    this(10_000);
  }

  /** With the emulator keeping at most {@code maxRecordedRequests} (0 for benchmarks). */
  EmulatorFixture(int maxRecordedRequests) {
    this(maxRecordedRequests, 8);
  }

  /** With {@code emulatorThreads} handler threads (the emulator's default is 8). */
  EmulatorFixture(int maxRecordedRequests, int emulatorThreads) {
    Captured.install();
    byte[] s = new byte[24];
    new SecureRandom().nextBytes(s);
    secret = "sec~" + Base64.getUrlEncoder().withoutPadding().encodeToString(s);
    Captured.secret(secret);
    app = tenant.registerApp(CLIENT_ID, "Contoso CRM").addSecret(secret, clock.instant().plus(Duration.ofDays(365)));
    for (Resource r : Resource.values()) {
      app.addDelegatedPermissions(r.delegatedPermission());
    }
    app.addDelegatedPermissions("offline_access", "User.Read");
    emulator = new M365Emulator(cloud).threads(emulatorThreads).maxRecordedRequests(maxRecordedRequests).start();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    cipher = TokenCacheCipher.aesGcm("k1", key);
    gateway = GraphMailboxGateway.builder().baseUrl(emulator.graphBaseUrl()).build();
    application = applicationStrategy(AppCredential.secret(secret));
    delegated = MsalDelegatedTokenStrategy.builder().clientId(CLIENT_ID).credential(AppCredential.secret(secret))
        .store(store).cipher(cipher).clock(clock).routeTokenRequestsTo(URI.create(emulator.loginBaseUrl())).build();
  }

  MsalApplicationTokenStrategy applicationStrategy(AppCredential credential) {
    return MsalApplicationTokenStrategy.builder().clientId(CLIENT_ID).credential(credential).clock(clock)
        .routeTokenRequestsTo(URI.create(emulator.loginBaseUrl())).build();
  }

  TenantId tenantId() {
    return TenantId.of(tenant.tenantId());
  }

  void grantApplication(Resource... resources) {
    for (Resource r : resources) {
      app.addApplicationPermissions(r.applicationPermission());
    }
    app.grantAdminConsent();
  }

  /** The add-in sign-in over HTTP: an authorization code redeemed by the delegated strategy. */
  Mailbox signIn(ModelUser user, Resource... resources) {
    String code = emulator.authorizationCode(tenant, user, CLIENT_ID);
    Captured.secret(code);
    Set<Resource> rs = resources.length == 0 ? EnumSet.allOf(Resource.class) : EnumSet.of(resources[0], resources);
    return delegated.signIn(tenantId(), code, REDIRECT, "crm-" + user.displayName(), rs);
  }

  /** A mailbox record for a user who never signed in (application mode tests). */
  Mailbox mailbox(ModelUser user, Resource... resources) {
    Set<Resource> rs = resources.length == 0 ? EnumSet.allOf(Resource.class) : EnumSet.of(resources[0], resources);
    return new Mailbox(new MailboxId(tenantId(), user.objectId()), user.userPrincipalName(), "crm-" + user.displayName(),
        clock.instant(), rs);
  }

  MailboxSession session(Mailbox mailbox, TokenStrategy strategy) {
    AccessToken token = strategy.acquire(mailbox, Purpose.BACKGROUND_SYNC);
    Captured.secret(token.value());
    return new MailboxSession(mailbox, token);
  }

  MailboxSession appSession(Mailbox mailbox) {
    return session(mailbox, application);
  }

  static boolean isApp(AccessToken t) {
    return t.mode() == AuthMode.APPLICATION;
  }

  @Override
  public void close() {
    emulator.close();
  }
}

package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.TenantId;
import io.m365sync.TenantStatus;
import io.m365sync.auth.AppRegistrations;
import io.m365sync.auth.CredentialExpiry;
import io.m365sync.auth.RegisteredApp;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.RecordingSyncListener;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.emulator.SelfSignedCertificate;
import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.RecordedRequest;
import io.m365sync.testkit.model.TenantModel;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three customer tenants, each with its own app registration (a client secret, a certificate, and a
 * secret that expires during the test), sync side by side over HTTP through one engine with the real
 * MSAL4J and Graph SDK: each tenant's requests carry its own client id; the expiring one is warned
 * about ahead, then fails alone with one tenant error while the other two keep syncing.
 */
class ThreeTenantRegistrationsTest {
  private static final URI REDIRECT = URI.create("https://crm.example.com/addin/callback");

  private final MutableClock clock = MutableClock.startingNow();
  private final CloudModel cloud = new CloudModel(clock);
  private final M365Emulator emulator = new M365Emulator(cloud).start();
  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private final InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("evt");
  private final RecordingSyncListener listener = new RecordingSyncListener();
  private final Map<TenantId, RegisteredApp<AppCredential>> vault = new LinkedHashMap<>();
  private final Map<TenantId, TenantModel> tenants = new LinkedHashMap<>();
  private final List<Mailbox> mailboxes = new ArrayList<>();

  @AfterEach
  void close() {
    pool.shutdownNow();
    emulator.close();
  }

  private TenantId tenant(String domain, String clientId, RegisteredApp<AppCredential> registration,
                          java.util.function.Consumer<AppRegistration> credential) {
    TenantModel t = cloud.addTenant(domain);
    AppRegistration app = t.registerApp(clientId, "CRM for " + domain);
    credential.accept(app);
    app.addDelegatedPermissions(Resource.EVENTS.delegatedPermission(), "offline_access", "User.Read")
        .addApplicationPermissions(Resource.EVENTS.applicationPermission()).grantAdminConsent();
    TenantId id = TenantId.of(t.tenantId());
    tenants.put(id, t);
    vault.put(id, registration);
    return id;
  }

  private void seed(TenantModel t, ModelUser u, String subject) {
    Instant start = clock.instant().plus(Duration.ofDays(2));
    t.mailbox(u).calendar().create(CalendarEvent.simple(subject, start, start.plus(Duration.ofHours(1))));
  }

  private Set<String> clientIdsSeenFor(TenantId tenant, Instant since) {
    return cloud.log().all().stream().filter(r -> tenant.value().equals(r.tenantId()) && !r.at().isBefore(since))
        .map(RecordedRequest::clientId).collect(Collectors.toSet());
  }

  private int crmEvents(TenantId tenant) {
    return mailboxes.stream().filter(m -> m.tenant().equals(tenant)).mapToInt(m -> crm.list(m.id()).size()).sum();
  }

  private List<TenantStatus> inactive(TenantId tenant) {
    return listener.tenantChanges().stream()
        .filter(s -> s.tenant().equals(tenant) && s.appMode() == TenantStatus.AppMode.INACTIVE).toList();
  }

  @Test
  void threeRegistrationsSyncSideBySideAndAnExpiringSecretWarnsThenFailsAlone() {
    Instant start = clock.instant();
    SelfSignedCertificate cert = SelfSignedCertificate.create("fabrikam-crm", start.minus(Duration.ofDays(1)),
        start.plus(Duration.ofDays(365)));
    Instant northwindExpiry = start.plus(Duration.ofDays(40));
    TenantId contoso = tenant("contoso.com", "1a1a1a1a-0000-4000-8000-000000000001",
        RegisteredApp.of("1a1a1a1a-0000-4000-8000-000000000001", AppCredential.secret("contoso-secret"))
            .expiringAt(start.plus(Duration.ofDays(365))),
        a -> a.addSecret("contoso-secret", start.plus(Duration.ofDays(365))));
    TenantId fabrikam = tenant("fabrikam.com", "2b2b2b2b-0000-4000-8000-000000000002",
        RegisteredApp.of("2b2b2b2b-0000-4000-8000-000000000002",
            AppCredential.certificate(cert.privateKey(), List.of(cert.certificate()))).expiringAt(cert.certificate().getNotAfter().toInstant()),
        a -> a.addCertificate(cert.certificate()));
    TenantId northwind = tenant("northwind.com", "3c3c3c3c-0000-4000-8000-000000000003",
        RegisteredApp.of("3c3c3c3c-0000-4000-8000-000000000003", AppCredential.secret("northwind-secret"))
            .expiringAt(northwindExpiry),
        a -> a.addSecret("northwind-secret", northwindExpiry));
    AppRegistrations<AppCredential> registrations = vault::get;

    MsalApplicationTokenStrategy application = MsalApplicationTokenStrategy.builder().registrations(registrations)
        .clock(clock).routeTokenRequestsTo(URI.create(emulator.loginBaseUrl())).build();
    SyncStateStore store = SyncStateStore.inMemory();
    MsalDelegatedTokenStrategy delegated = MsalDelegatedTokenStrategy.builder().registrations(registrations)
        .store(store).cipher(TokenCacheCipher.aesGcm("k1", new byte[32])).clock(clock)
        .routeTokenRequestsTo(URI.create(emulator.loginBaseUrl())).build();
    SyncEngine engine = SyncEngine.builder().clock(clock).executor(pool).stateStore(store)
        .gateway(GraphMailboxGateway.builder().baseUrl(emulator.graphBaseUrl()).build())
        .delegatedTokens(delegated).applicationTokens(application).appRegistrations(registrations)
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm)).listener(listener).build();
    for (Map.Entry<TenantId, TenantModel> e : tenants.entrySet()) {
      TenantModel t = e.getValue();
      for (int i = 0; i < 2; i++) {
        ModelUser u = t.addUser("user" + i);
        seed(t, u, t.domain() + " m" + i);
        String code = emulator.authorizationCode(t, u, vault.get(e.getKey()).clientId());
        Mailbox m = delegated.signIn(e.getKey(), code, REDIRECT, "crm-" + i, Set.of(Resource.EVENTS));
        mailboxes.add(m);
        engine.enroll(m);
      }
      engine.setApplicationPermissionEnabled(e.getKey(), true);
    }

    engine.runCycle();
    for (TenantId t : tenants.keySet()) {
      assertThat(crmEvents(t)).as("%s synced", t).isEqualTo(2);
      assertThat(engine.tenantStatus(t).appMode()).isEqualTo(TenantStatus.AppMode.ACTIVE);
      assertThat(clientIdsSeenFor(t, start)).as("every request of %s, token and Graph", t)
          .containsExactly(vault.get(t).clientId());
    }
    assertThat(engine.monitor().credentialExpiries()).extracting(CredentialExpiry::tenant).first().isEqualTo(northwind);

    clock.advance(Duration.ofDays(9)); // 31 days left
    engine.runCycle();
    assertThat(listener.credentialWarnings()).isEmpty();
    clock.advance(Duration.ofDays(1)); // 30 days left: warned, about northwind only
    engine.runCycle();
    assertThat(listener.credentialWarnings()).extracting(CredentialExpiry::tenant).containsExactly(northwind);
    assertThat(listener.credentialWarnings().get(0).expiresAt()).isEqualTo(northwindExpiry);

    clock.advance(Duration.ofDays(31)); // northwind's secret expired a day ago
    Instant afterExpiry = clock.instant();
    for (TenantModel t : tenants.values()) {
      t.users().forEach(u -> seed(t, u, t.domain() + " late " + u.displayName()));
    }
    for (int c = 0; c < 3; c++) {
      engine.runCycle();
      clock.advance(Duration.ofMinutes(10));
    }

    assertThat(crmEvents(contoso)).as("contoso keeps syncing").isEqualTo(4);
    assertThat(crmEvents(fabrikam)).as("fabrikam keeps syncing").isEqualTo(4);
    assertThat(crmEvents(northwind)).isEqualTo(2);
    assertThat(inactive(northwind)).as("one tenant error").hasSize(1);
    assertThat(inactive(northwind).get(0).reasonCode()).isEqualTo("AADSTS7000222");
    assertThat(inactive(contoso)).isEmpty();
    assertThat(inactive(fabrikam)).isEmpty();
    for (Mailbox m : mailboxes) {
      assertThat(engine.monitor().mailbox(m.id()).orElseThrow().status()).as("%s", m.id())
          .isNotEqualTo(MailboxStatus.FAILING);
    }
    for (TenantId t : tenants.keySet()) {
      assertThat(clientIdsSeenFor(t, afterExpiry)).containsExactly(vault.get(t).clientId());
    }
    assertThat(cloud.log().tokens().failed().list()).extracting(RecordedRequest::tenantId)
        .containsOnly(northwind.value());
  }
}

package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.auth.AppRegistrations;
import io.m365sync.auth.RegisteredApp;
import io.m365sync.auth.TransientAuthFailureException;
import io.m365sync.state.SyncStateStore;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.emulator.SelfSignedCertificate;
import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.RecordedRequest;
import io.m365sync.testkit.model.TenantModel;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each customer tenant with its own app registration, looked up from the host's vault when a token is needed. */
class PerTenantRegistrationsTest {
  private static final String FABRIKAM_APP = "0a7c9c1e-1111-4c5d-8e9f-0a1b2c3d4e5f";
  private static final String CONTOSO_APP = "0b7c9c1e-2222-4c5d-8e9f-0a1b2c3d4e5f";

  private final MutableClock clock = MutableClock.startingNow();
  private final CloudModel cloud = new CloudModel(clock);
  private final TenantModel contoso = cloud.addTenant("contoso.com");
  private final TenantModel fabrikam = cloud.addTenant("fabrikam.com");
  private final M365Emulator emulator = new M365Emulator(cloud).start();
  /** The host's vault: tenant -> registration, rotated by the test. */
  private final Map<TenantId, RegisteredApp<AppCredential>> vault = new ConcurrentHashMap<>();
  private final AppRegistrations<AppCredential> registrations = tenant -> {
    RegisteredApp<AppCredential> r = vault.get(tenant);
    if (r == null) {
      throw new IllegalStateException("vault unreachable");
    }
    return r;
  };

  @AfterEach
  void close() {
    emulator.close();
  }

  private static TenantId id(TenantModel t) {
    return TenantId.of(t.tenantId());
  }

  private AppRegistration register(TenantModel t, String clientId, String secret, Duration validFor) {
    AppRegistration app = t.registerApp(clientId, "CRM for " + t.domain()).addSecret(secret, clock.instant().plus(validFor));
    for (Resource r : Resource.values()) {
      app.addDelegatedPermissions(r.delegatedPermission());
      app.addApplicationPermissions(r.applicationPermission());
    }
    app.addDelegatedPermissions("offline_access", "User.Read");
    return app.grantAdminConsent();
  }

  private Mailbox mailbox(TenantModel t, ModelUser u) {
    return new Mailbox(new MailboxId(id(t), u.objectId()), u.userPrincipalName(), "crm-" + u.displayName(), clock.instant(),
        EnumSet.of(Resource.EVENTS));
  }

  private MsalApplicationTokenStrategy application() {
    return MsalApplicationTokenStrategy.builder().registrations(registrations).clock(clock)
        .routeTokenRequestsTo(URI.create(emulator.loginBaseUrl())).build();
  }

  private Set<String> tokenClients(TenantModel t) {
    return cloud.log().tokens().tenant(t.tenantId()).list().stream().map(RecordedRequest::clientId).collect(Collectors.toSet());
  }

  @Test
  void eachTenantsTokensAreRequestedWithItsOwnClientIdAndCredential() throws Exception {
    register(contoso, CONTOSO_APP, "contoso-secret", Duration.ofDays(365));
    SelfSignedCertificate cert = SelfSignedCertificate.create("fabrikam-crm", clock.instant().minus(Duration.ofDays(1)),
        clock.instant().plus(Duration.ofDays(365)));
    register(fabrikam, FABRIKAM_APP, "unused", Duration.ofDays(365)).addCertificate(cert.certificate());
    vault.put(id(contoso), RegisteredApp.of(CONTOSO_APP, AppCredential.secret("contoso-secret")));
    vault.put(id(fabrikam), RegisteredApp.of(FABRIKAM_APP, AppCredential.certificate(cert.privateKey(), List.of(cert.certificate()))));
    MsalApplicationTokenStrategy app = application();

    app.acquire(mailbox(contoso, contoso.addUser("ann")), Purpose.BACKGROUND_SYNC);
    app.acquire(mailbox(fabrikam, fabrikam.addUser("fay")), Purpose.BACKGROUND_SYNC);

    assertThat(tokenClients(contoso)).containsExactly(CONTOSO_APP);
    assertThat(tokenClients(fabrikam)).containsExactly(FABRIKAM_APP);
    assertThat(cloud.log().tokens().failed().count()).isZero();
    assertThat(app.toString()).doesNotContain("contoso-secret");
  }

  @Test
  void aSecretRotatedInTheVaultIsUsedFromTheNextTokenRequestWithoutARestart() {
    AppRegistration reg = register(contoso, CONTOSO_APP, "old-secret", Duration.ofDays(10));
    vault.put(id(contoso), RegisteredApp.of(CONTOSO_APP, AppCredential.secret("old-secret")));
    MsalApplicationTokenStrategy app = application();
    Mailbox ann = mailbox(contoso, contoso.addUser("ann"));
    app.acquire(ann, Purpose.BACKGROUND_SYNC);

    // the admin adds a new secret, the host puts it in its vault; the old one then expires
    reg.addSecret("new-secret", clock.instant().plus(Duration.ofDays(365)));
    vault.put(id(contoso), RegisteredApp.of(CONTOSO_APP, AppCredential.secret("new-secret")));
    clock.advance(Duration.ofDays(11));
    app.acquire(ann, Purpose.BACKGROUND_SYNC);

    assertThat(cloud.log().tokens().grantType("client_credentials").succeeded().count()).isEqualTo(2);
    assertThat(cloud.log().tokens().failed().count()).as("the expired secret was never sent again").isZero();
  }

  @Test
  void delegatedSignInAndRefreshUseTheTenantsOwnRegistration() {
    register(contoso, CONTOSO_APP, "contoso-secret", Duration.ofDays(365));
    register(fabrikam, FABRIKAM_APP, "fabrikam-secret", Duration.ofDays(365));
    vault.put(id(contoso), RegisteredApp.of(CONTOSO_APP, AppCredential.secret("contoso-secret")));
    vault.put(id(fabrikam), RegisteredApp.of(FABRIKAM_APP, AppCredential.secret("fabrikam-secret")));
    MsalDelegatedTokenStrategy delegated = MsalDelegatedTokenStrategy.builder().registrations(registrations)
        .store(SyncStateStore.inMemory()).cipher(TokenCacheCipher.aesGcm("k1", new byte[32])).clock(clock)
        .routeTokenRequestsTo(URI.create(emulator.loginBaseUrl())).build();
    ModelUser fay = fabrikam.addUser("fay");
    String code = emulator.authorizationCode(fabrikam, fay, FABRIKAM_APP);

    Mailbox m = delegated.signIn(id(fabrikam), code, URI.create("https://crm.example.com/cb"), "crm-fay", Set.of(Resource.EVENTS));
    clock.advance(Duration.ofHours(2));
    delegated.acquire(m, Purpose.BACKGROUND_SYNC);

    assertThat(cloud.log().tokens().tenant(fabrikam.tenantId()).succeeded().count()).isEqualTo(2);
    assertThat(tokenClients(fabrikam)).containsExactly(FABRIKAM_APP);
  }

  @Test
  void aVaultThatCannotAnswerIsATransientFailureOfThatTenantAlone() {
    register(contoso, CONTOSO_APP, "contoso-secret", Duration.ofDays(365));
    vault.put(id(contoso), RegisteredApp.of(CONTOSO_APP, AppCredential.secret("contoso-secret")));
    MsalApplicationTokenStrategy app = application();

    assertThatThrownBy(() -> app.acquire(mailbox(fabrikam, fabrikam.addUser("fay")), Purpose.BACKGROUND_SYNC))
        .isInstanceOf(TransientAuthFailureException.class).hasMessageContaining(fabrikam.tenantId())
        .hasMessageNotContaining("vault unreachable");
    assertThat(app.acquire(mailbox(contoso, contoso.addUser("ann")), Purpose.BACKGROUND_SYNC).value()).isNotBlank();
  }

  @Test
  void theBuilderTakesRegistrationsOrOneClientIdAndCredentialNotBoth() {
    assertThatThrownBy(() -> MsalApplicationTokenStrategy.builder().registrations(registrations).clientId(CONTOSO_APP).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'registrations'");
    assertThatThrownBy(() -> MsalApplicationTokenStrategy.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'clientId' (or 'registrations') is required.");
  }
}

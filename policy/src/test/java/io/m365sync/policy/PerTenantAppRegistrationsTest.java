package io.m365sync.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.access.AccessDecision;
import io.m365sync.auth.AppRegistrations;
import io.m365sync.auth.RegisteredApp;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Readiness and access-policy checks when each customer tenant registered its own app. */
class PerTenantAppRegistrationsTest {
  static final String FABRIKAM_APP = "7c1d2c3b-1a2b-4c5d-8e9f-0a1b2c3d4e5f";
  static final Set<Resource> EVENTS = EnumSet.of(Resource.EVENTS);

  final FakeMicrosoft365 m365 = FakeMicrosoft365.create().grantApplicationPermissions(Resource.EVENTS);
  final TenantModel fabrikam = m365.cloud().addTenant("fabrikam.com");
  final TenantModelDirectory ports = TenantModelDirectory.of(m365.cloud());
  final AppRegistrations<String> registrations = tenant -> tenant.equals(m365.tenantId())
      ? RegisteredApp.of(FakeMicrosoft365.CLIENT_ID, "contoso-secret")
      : RegisteredApp.of(FABRIKAM_APP, "fabrikam-secret");
  final ModelUser erin = fabrikam.addUser("erin");
  final ModelUser frank = fabrikam.addUser("frank");

  PerTenantAppRegistrationsTest() {
    fabrikam.registerApp(FABRIKAM_APP, "Fabrikam CRM").addSecret("fabrikam-secret", m365.clock().instant().plus(Duration.ofDays(365)))
        .addApplicationPermissions(Resource.EVENTS.applicationPermission())
        .addDelegatedPermissions(Resource.EVENTS.delegatedPermission(), "offline_access", "User.Read").grantAdminConsent();
    ModelGroup group = fabrikam.addGroup("crm-sync", true).add(erin);
    fabrikam.addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, FABRIKAM_APP, group, "CRM users only");
    m365.clock().advance(Duration.ofDays(2)); // propagated
  }

  TenantId fabrikamId() {
    return TenantId.of(fabrikam.tenantId());
  }

  Mailbox mailbox(ModelUser u) {
    return new Mailbox(new MailboxId(fabrikamId(), u.objectId()), u.userPrincipalName(), "crm", m365.clock().instant(), EVENTS);
  }

  @Test
  void theDoctorExaminesEachTenantForItsOwnApp() {
    ReadinessDoctor doctor = new ReadinessDoctor(registrations, ports, ports, m365.clock());

    ReadinessReport f = doctor.examine(new ReadinessRequest(fabrikamId(), true, EVENTS, List.of(mailbox(erin)), "crm-sync@fabrikam.com"));
    ReadinessReport c = doctor.examine(new ReadinessRequest(m365.tenantId(), true, EVENTS, List.of(), null));

    assertThat(f.app()).isEqualTo(AppId.of(FABRIKAM_APP));
    assertThat(f.check(CheckId.APP_REGISTRATION).status()).as(f.toText()).isEqualTo(CheckStatus.PASS);
    assertThat(f.check(CheckId.APPLICATION_PERMISSIONS).status()).as(f.toText()).isEqualTo(CheckStatus.PASS);
    assertThat(c.app()).isEqualTo(AppId.of(FakeMicrosoft365.CLIENT_ID));
    assertThat(c.check(CheckId.APP_REGISTRATION).status()).isEqualTo(CheckStatus.PASS);
  }

  @Test
  void thePermissionVerifierLooksForTheTenantsOwnApp() {
    DirectoryPermissionVerifier verifier = new DirectoryPermissionVerifier(registrations, ports, ports);

    PermissionInspection f = verifier.inspect(fabrikamId(), EVENTS, AuthMode.APPLICATION, null);

    assertThat(f.app()).isEqualTo(AppId.of(FABRIKAM_APP));
    assertThat(f.findings(PermissionFinding.Kind.APP_NOT_FOUND)).isEmpty();
    assertThat(f.complete()).as(f.toString()).isTrue();
  }

  @Test
  void theAccessPolicyCheckJudgesEachTenantsPoliciesForItsOwnApp() {
    DeclaredAccessPolicyCheck check = DeclaredAccessPolicyCheck.builder(registrations).directories(ports).policies(ports)
        .clock(m365.clock()).build();

    assertThat(check.decide(mailbox(erin))).isInstanceOf(AccessDecision.Allow.class);
    assertThat(check.decide(mailbox(frank))).as("outside the scope of Fabrikam's policy for its app")
        .isInstanceOf(AccessDecision.Deny.class);
  }

  /** A multi-tenant app's registration lives in its home tenant: the host's known expiry is what the doctor can judge. */
  @Test
  void theDoctorJudgesTheCredentialExpiryTheHostKnowsWhenTheRegistrationIsNotVisible() {
    Instant now = Instant.parse("2025-06-01T12:00:00Z");
    AppId app = AppId.of(FABRIKAM_APP);
    FakeDirectory dir = FakeDirectory.withRandomGraphIds();
    dir.registerApp(app, "CRM");
    dir.registrations.remove(app);
    TenantId tenant = TenantId.of("contoso.onmicrosoft.com");
    Map<String, CheckStatus> expected = Map.of("P10D", CheckStatus.WARN, "P60D", CheckStatus.PASS, "-P1D", CheckStatus.FAIL);
    expected.forEach((left, status) -> {
      AppRegistrations<String> known = t -> RegisteredApp.of(FABRIKAM_APP, "s").expiringAt(now.plus(Duration.parse(left)));
      ReadinessDoctor doctor = new ReadinessDoctor(known, dir, t -> AccessPolicySet.empty(), Clock.fixed(now, ZoneOffset.UTC));
      CheckResult r = doctor.examine(new ReadinessRequest(tenant, true, EVENTS, List.of(), null)).check(CheckId.CLIENT_CREDENTIALS);
      assertThat(r.status()).as(left + ": " + r.summary()).isEqualTo(status);
    });
    ReadinessDoctor unknown = new ReadinessDoctor(AppRegistrations.single(FABRIKAM_APP, "s"), dir, t -> AccessPolicySet.empty(),
        Clock.fixed(now, ZoneOffset.UTC));
    assertThat(unknown.examine(new ReadinessRequest(tenant, true, EVENTS, List.of(), null)).check(CheckId.CLIENT_CREDENTIALS)
        .status()).isEqualTo(CheckStatus.SKIPPED);
  }
}

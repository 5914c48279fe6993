package io.m365sync.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The readiness doctor on the testkit's Microsoft 365 tenant model (the tenant the engine fakes and
 * the HTTP emulator serve), read through {@link TenantModelDirectory}: a healthy Contoso, then each
 * check broken alone by changing the model the way an admin would.
 */
class TenantModelReadinessTest {
  static final AppId APP = AppId.of(FakeMicrosoft365.CLIENT_ID);
  static final Set<Resource> FOUR = EnumSet.of(Resource.EVENTS, Resource.CONTACTS, Resource.MAIL, Resource.MAILBOX_SETTINGS);
  static final String GROUP = "crm-sync@contoso.com";

  /**
   * Contoso with alice (direct) and bob (through a nested group) in the RestrictAccess group
   * {@code crm-sync}, both enrolled; carol and dave exist outside it. Application permissions are
   * added and consented by {@link #grant()}, which {@link #examine()} calls unless a case did.
   */
  static final class Setup {
    final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    final TenantModelDirectory ports = TenantModelDirectory.of(m365.cloud());
    final ModelUser alice;
    final ModelUser bob;
    final ModelUser carol;
    final ModelUser dave;
    final ModelGroup crmSync;
    final ModelGroup sales;
    final AccessPolicy policy;
    final List<Mailbox> enrolled = new ArrayList<>();
    Set<Resource> applicationResources = EnumSet.copyOf(FOUR);
    Set<Resource> resources = EnumSet.copyOf(FOUR);
    boolean enabled = true;
    TenantId examined;
    private boolean granted;

    Setup() {
      alice = m365.addUser("alice");
      bob = m365.addUser("bob");
      carol = m365.addUser("carol");
      dave = m365.addUser("dave");
      sales = m365.tenant().addGroup("sales", true).add(bob);
      crmSync = m365.tenant().addGroup("crm-sync", true).add(alice).add(sales);
      policy = m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, FakeMicrosoft365.CLIENT_ID, crmSync,
          "CRM sync only for CRM users");
      enroll(alice);
      enroll(bob);
      examined = m365.tenantId();
      m365.clock().advance(Duration.ofDays(2)); // the policy has long propagated
    }

    void enroll(ModelUser user) {
      enrolled.add(m365.signIn(user, FOUR));
    }

    /** The admin adds the application permissions and grants admin consent. */
    Setup grant() {
      if (!granted) {
        m365.grantApplicationPermissions(applicationResources.toArray(Resource[]::new));
        granted = true;
      }
      return this;
    }

    io.m365sync.testkit.model.AppRegistration app() {
      return m365.app();
    }

    TenantModelDirectory.Reader directory() {
      return ports.directory(examined);
    }

    ReadinessReport examine() {
      grant();
      ReadinessDoctor doctor = new ReadinessDoctor(APP, ports, ports, m365.clock());
      List<Mailbox> mailboxes = enrolled.stream().filter(m -> m.tenant().equals(examined)).toList();
      return doctor.examine(new ReadinessRequest(examined, enabled, resources, mailboxes, GROUP));
    }
  }

  Setup setup;

  @BeforeEach
  void healthy() {
    setup = new Setup();
  }

  @Test
  void healthyModelTenantPassesEveryCheck() {
    ReadinessReport report = setup.examine();

    assertThat(report.problems()).as(report.toText()).isEmpty();
    assertThat(report.checks()).extracting(CheckResult::id).containsExactly(CheckId.values());
    assertThat(report.check(CheckId.ACCESS_POLICY).details()).anyMatch(d -> d.contains("RestrictAccess policy for app " + APP
        + " on scope group " + GROUP));
  }

  /** Fabrikam: same people, same policy, but nobody ever consented to the CRM app there. */
  static void appNeverConsentedInThisTenant(Setup s) {
    TenantModel fabrikam = s.m365.cloud().addTenant("fabrikam.com");
    ModelUser erin = fabrikam.addUser("erin");
    ModelGroup group = fabrikam.addGroup("crm-sync", true).add(erin);
    fabrikam.addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, FakeMicrosoft365.CLIENT_ID, group, "");
    s.m365.clock().advance(Duration.ofDays(1));
    s.examined = TenantId.of(fabrikam.tenantId());
    s.enrolled.add(new Mailbox(new io.m365sync.MailboxId(s.examined, erin.objectId()), erin.userPrincipalName(), "crm-erin",
        s.m365.clock().instant(), FOUR));
  }

  static Stream<Arguments> brokenAlone() {
    return Stream.of(
        Arguments.of(CheckId.APP_REGISTRATION, CheckStatus.FAIL, (Consumer<Setup>) TenantModelReadinessTest::appNeverConsentedInThisTenant,
            (Function<Setup, List<String>>) s -> List.of("New-MgServicePrincipal -AppId " + APP,
                "Connect-MgGraph -TenantId " + s.examined, "adminconsent?client_id=" + APP)),
        Arguments.of(CheckId.DELEGATED_PERMISSIONS, CheckStatus.FAIL,
            (Consumer<Setup>) s -> s.app().removeDelegatedPermission("Mail.ReadWrite"),
            (Function<Setup, List<String>>) s -> List.of("Delegated permissions > select Mail.ReadWrite", APP.value(),
                "Update-MgApplication -ApplicationId " + s.app().applicationObjectId(),
                s.ports.scopeId("Mail.ReadWrite"))),
        Arguments.of(CheckId.APPLICATION_PERMISSIONS, CheckStatus.FAIL,
            (Consumer<Setup>) s -> s.applicationResources.remove(Resource.CONTACTS),
            (Function<Setup, List<String>>) s -> List.of("Application permissions > select Contacts.ReadWrite", APP.value(),
                s.ports.appRoleId("Contacts.ReadWrite"))),
        Arguments.of(CheckId.ADMIN_CONSENT, CheckStatus.FAIL,
            (Consumer<Setup>) s -> s.grant().app().revokeApplicationConsent("Mail.ReadWrite"),
            (Function<Setup, List<String>>) s -> List.of("adminconsent?client_id=" + APP,
                "New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId " + s.app().servicePrincipalId(),
                "-ResourceId " + s.ports.graphServicePrincipalId(s.m365.tenant()) + " -AppRoleId "
                    + s.ports.appRoleId("Mail.ReadWrite") + "  # Mail.ReadWrite")),
        Arguments.of(CheckId.OVER_BROAD_GRANTS, CheckStatus.FAIL,
            (Consumer<Setup>) s -> s.grant().app().addApplicationPermissions("Directory.ReadWrite.All").grantAdminConsent(),
            (Function<Setup, List<String>>) s -> List.of("Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId "
                + s.app().servicePrincipalId() + " -AppRoleAssignmentId "
                + s.directory().appRoleAssignments(s.app().servicePrincipalId()).stream()
                    .filter(a -> a.appRoleId().equals(s.ports.appRoleId("Directory.ReadWrite.All"))).findFirst().orElseThrow().id(),
                "# Directory.ReadWrite.All", APP.value())),
        Arguments.of(CheckId.APPLICATION_MODE_ENABLED, CheckStatus.FAIL, (Consumer<Setup>) s -> s.enabled = false,
            (Function<Setup, List<String>>) s -> List.of("Enable application permission", APP.value(), "Mail.ReadWrite",
                "Calendars.ReadWrite")),
        Arguments.of(CheckId.CLIENT_CREDENTIALS, CheckStatus.WARN,
            (Consumer<Setup>) s -> s.m365.clock().advance(Duration.ofDays(350)), // the one-year secret has ~2 weeks left
            (Function<Setup, List<String>>) s -> List.of("Add-MgApplicationPassword -ApplicationId " + s.app().applicationObjectId(),
                "Certificates & secrets > New client secret", APP.value())),
        Arguments.of(CheckId.ACCESS_POLICY, CheckStatus.WARN,
            (Consumer<Setup>) s -> s.m365.tenant().removeAccessPolicy(s.policy),
            (Function<Setup, List<String>>) s -> List.of(
                "New-ApplicationAccessPolicy -AccessRight RestrictAccess -AppId " + APP + " -PolicyScopeGroupId " + GROUP,
                "Test-ApplicationAccessPolicy -Identity alice@contoso.com -AppId " + APP,
                "-PrimarySmtpAddress " + GROUP + " -Members alice@contoso.com,bob@contoso.com",
                "New-ManagementRoleAssignment -App " + APP + " -Role \"Application Mail.ReadWrite\"",
                "New-ServicePrincipal -AppId " + APP + " -ObjectId " + s.app().servicePrincipalId())),
        Arguments.of(CheckId.ENROLLED_OUT_OF_SCOPE, CheckStatus.FAIL, (Consumer<Setup>) s -> s.enroll(s.carol),
            (Function<Setup, List<String>>) s -> List.of("Add-DistributionGroupMember -Identity " + GROUP + " -Member carol@contoso.com",
                "Test-ApplicationAccessPolicy -Identity carol@contoso.com -AppId " + APP)),
        Arguments.of(CheckId.SCOPE_NOT_ENROLLED, CheckStatus.WARN, (Consumer<Setup>) s -> s.sales.add(s.dave),
            (Function<Setup, List<String>>) s -> List.of("Remove-DistributionGroupMember -Identity " + GROUP + " -Member dave@contoso.com")),
        Arguments.of(CheckId.TODO_COVERAGE, CheckStatus.WARN, (Consumer<Setup>) s -> {
              s.resources.add(Resource.TASKS);
              s.applicationResources.add(Resource.TASKS);
            },
            (Function<Setup, List<String>>) s -> List.of("Tasks.ReadWrite.All", APP.value(), "New-ApplicationAccessPolicy")));
  }

  @ParameterizedTest(name = "{0} fails alone on the model tenant")
  @MethodSource("brokenAlone")
  void everyCheckFailsAloneWithAFilledInFix(CheckId id, CheckStatus status, Consumer<Setup> breakIt,
                                            Function<Setup, List<String>> fixText) {
    breakIt.accept(setup);

    ReadinessReport report = setup.examine();

    assertThat(report.problems()).as(report.toText()).extracting(CheckResult::id).containsExactly(id);
    CheckResult result = report.check(id);
    assertThat(result.status()).isEqualTo(status);
    assertThat(result.fix().text()).contains(fixText.apply(setup));
    assertThat(report.toText()).contains("[" + status + "] " + id.title());
    assertThat(report.toMarkdown()).contains("## " + status + ": " + id.title());
  }

  @Test
  void everyCaseIsCovered() {
    assertThat(brokenAlone().map(a -> (CheckId) a.get()[0])).containsExactlyInAnyOrder(CheckId.values());
  }

  @Test
  void anExpiredSecretFails() {
    setup.m365.clock().advance(Duration.ofDays(366));

    CheckResult result = setup.examine().check(CheckId.CLIENT_CREDENTIALS);

    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.details()).anyMatch(d -> d.contains("secret-1") && d.contains("expired"));
  }

  @Test
  void aPolicyJustCreatedInTheModelIsReportedAsPropagating() {
    setup.m365.tenant().removeAccessPolicy(setup.policy);
    setup.m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, FakeMicrosoft365.CLIENT_ID, setup.crmSync, "");
    setup.m365.clock().advance(Duration.ofMinutes(20));

    CheckResult result = setup.examine().check(CheckId.ACCESS_POLICY);

    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.summary()).contains("still propagating", setup.m365.clock().instant().plus(Duration.ofMinutes(40)).toString());
    assertThat(result.fix().text()).contains("Test-ApplicationAccessPolicy -Identity alice@contoso.com -AppId " + APP);
  }

  @Test
  void aDenyAccessPolicyInTheModelPutsItsMembersOutOfScope() {
    ModelGroup blocked = setup.m365.tenant().addGroup("no-crm", true).add(setup.bob);
    setup.m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.DENY_ACCESS, FakeMicrosoft365.CLIENT_ID, blocked, "legal hold");
    setup.m365.clock().advance(Duration.ofHours(2));

    ReadinessReport report = setup.examine();

    CheckResult result = report.check(CheckId.ENROLLED_OUT_OF_SCOPE);
    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.details()).singleElement().asString().startsWith("bob@contoso.com").contains("no-crm@contoso.com");
    assertThat(setup.m365.tenant().appAccessAllowed(FakeMicrosoft365.CLIENT_ID, setup.bob)).as("the model agrees").isFalse();
  }

  @Test
  void theEvaluatorAgreesWithTheModelForEveryUserAndPolicyShape() {
    ModelGroup blocked = setup.m365.tenant().addGroup("no-crm", true).add(setup.sales);
    setup.m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.DENY_ACCESS, "*", blocked, "");
    setup.m365.clock().advance(Duration.ofHours(2));
    AccessPolicyEvaluator evaluator = new AccessPolicyEvaluator(setup.examined, APP, setup.directory());
    AccessPolicySet declared = setup.ports.declared(setup.examined);

    for (ModelUser u : List.of(setup.alice, setup.bob, setup.carol, setup.dave)) {
      AccessPolicyTestResult test = evaluator.testApplicationAccessPolicy(declared, u.userPrincipalName());
      assertThat(test.granted()).as(u + ": " + test.explanation())
          .isEqualTo(setup.m365.tenant().appAccessAllowed(FakeMicrosoft365.CLIENT_ID, u));
    }
  }
}

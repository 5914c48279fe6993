package io.m365sync.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import java.time.Duration;
import java.time.Instant;
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

class ReadinessDoctorTest {
  static final TenantId TENANT = TenantId.of("contoso.onmicrosoft.com");
  static final AppId APP = AppId.of("5f0e1d2c-3b4a-4958-8776-a5b4c3d2e1f0");
  static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
  static final String GROUP = "crm-sync@contoso.com";
  static final Set<Resource> FOUR = EnumSet.of(Resource.EVENTS, Resource.CONTACTS, Resource.MAIL, Resource.MAILBOX_SETTINGS);

  /** A tenant set up correctly; each case breaks one thing. */
  static final class Setup {
    final FakeDirectory dir = FakeDirectory.withRandomGraphIds();
    AccessPolicySet declared;
    boolean enabled = true;
    Set<Resource> resources = EnumSet.copyOf(FOUR);
    final List<Mailbox> enrolled = new ArrayList<>();

    Setup() {
      dir.registerApp(APP, "Contoso CRM");
      dir.addRequired(APP, PermissionMatrix.applicationPermissions(FOUR), PermissionMatrix.delegatedScopes(FOUR));
      PermissionMatrix.applicationPermissions(FOUR).forEach(p -> dir.consent(APP, p));
      dir.grantDelegated(APP, PermissionMatrix.delegatedScopes(FOUR));
      dir.setCredentials(APP, List.of(new ClientCredential("k1", "sync", ClientCredential.Kind.SECRET, NOW.plus(Duration.ofDays(365)))));
      dir.addUser("alice-oid", "alice@contoso.com");
      dir.addUser("bob-oid", "bob@contoso.com");
      dir.addUser("carol-oid", "carol@contoso.com");
      dir.addUser("dave-oid", "dave@contoso.com");
      dir.addGroup("crm-sync-id", GROUP, GroupKind.MAIL_ENABLED_SECURITY, "alice-oid", "nested-id");
      dir.addGroup("nested-id", null, GroupKind.MAIL_ENABLED_SECURITY, "bob-oid");
      declared = AccessPolicySet.of(ApplicationAccessPolicy.restrict(APP, GROUP, NOW.minus(Duration.ofDays(2))));
      enroll("alice");
      enroll("bob");
    }

    void enroll(String name) {
      enrolled.add(new Mailbox(new MailboxId(TENANT, name + "-oid"), name + "@contoso.com", "crm-" + name, NOW, FOUR));
    }

    ReadinessReport examine() {
      ReadinessDoctor doctor = new ReadinessDoctor(APP, dir, t -> declared, java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC));
      return doctor.examine(new ReadinessRequest(TENANT, enabled, resources, enrolled, GROUP));
    }
  }

  Setup setup;

  @BeforeEach
  void healthy() {
    setup = new Setup();
  }

  @Test
  void healthyTenantPassesEveryCheck() {
    ReadinessReport report = setup.examine();

    assertThat(report.problems()).as(report.toText()).isEmpty();
    assertThat(report.ready()).isTrue();
    assertThat(report.checks()).extracting(CheckResult::id).containsExactly(CheckId.values());
    assertThat(report.toText()).contains("ready, no problems");
  }

  static Stream<Arguments> brokenAlone() {
    Function<Setup, String> graphScopeId = s -> s.dir.graph().scope("Mail.ReadWrite").orElseThrow().id();
    return Stream.of(
        Arguments.of(CheckId.APP_REGISTRATION, CheckStatus.FAIL, (Consumer<Setup>) s -> s.dir.servicePrincipals.remove(APP),
            (Function<Setup, List<String>>) s -> List.of("New-MgServicePrincipal -AppId " + APP,
                "https://login.microsoftonline.com/" + TENANT + "/adminconsent?client_id=" + APP)),
        Arguments.of(CheckId.DELEGATED_PERMISSIONS, CheckStatus.FAIL,
            (Consumer<Setup>) s -> s.dir.removeRequired(APP, "Mail.ReadWrite", RequiredPermission.Type.SCOPE),
            (Function<Setup, List<String>>) s -> List.of("Delegated permissions > select Mail.ReadWrite", APP.value(),
                "Update-MgApplication -ApplicationId " + s.dir.registrations.get(APP).objectId(), graphScopeId.apply(s))),
        Arguments.of(CheckId.APPLICATION_PERMISSIONS, CheckStatus.FAIL, (Consumer<Setup>) s -> {
              s.dir.revoke(APP, "Contacts.ReadWrite");
              s.dir.removeRequired(APP, "Contacts.ReadWrite", RequiredPermission.Type.ROLE);
            },
            (Function<Setup, List<String>>) s -> List.of("Application permissions > select Contacts.ReadWrite", APP.value(),
                s.dir.graph().appRole("Contacts.ReadWrite").orElseThrow().id())),
        Arguments.of(CheckId.ADMIN_CONSENT, CheckStatus.FAIL, (Consumer<Setup>) s -> s.dir.revoke(APP, "Mail.ReadWrite"),
            (Function<Setup, List<String>>) s -> List.of("Grant admin consent for " + TENANT, "adminconsent?client_id=" + APP,
                "New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId " + s.dir.servicePrincipals.get(APP).id(),
                "-ResourceId " + s.dir.graph().id() + " -AppRoleId " + s.dir.graph().appRole("Mail.ReadWrite").orElseThrow().id()
                    + "  # Mail.ReadWrite")),
        Arguments.of(CheckId.OVER_BROAD_GRANTS, CheckStatus.FAIL, (Consumer<Setup>) s -> s.dir.consent(APP, "Directory.ReadWrite.All"),
            (Function<Setup, List<String>>) s -> List.of("Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId "
                + s.dir.servicePrincipals.get(APP).id(), "# Directory.ReadWrite.All", APP.value())),
        Arguments.of(CheckId.APPLICATION_MODE_ENABLED, CheckStatus.FAIL, (Consumer<Setup>) s -> s.enabled = false,
            (Function<Setup, List<String>>) s -> List.of("Enable application permission", APP.value(), "Mail.ReadWrite")),
        Arguments.of(CheckId.CLIENT_CREDENTIALS, CheckStatus.WARN, (Consumer<Setup>) s -> s.dir.setCredentials(APP,
                List.of(new ClientCredential("k2", "old", ClientCredential.Kind.SECRET, NOW.plus(Duration.ofDays(12))))),
            (Function<Setup, List<String>>) s -> List.of("Add-MgApplicationPassword -ApplicationId " + s.dir.registrations.get(APP).objectId(),
                "Certificates & secrets > New client secret", APP.value())),
        Arguments.of(CheckId.ACCESS_POLICY, CheckStatus.WARN, (Consumer<Setup>) s -> s.declared = AccessPolicySet.empty(),
            (Function<Setup, List<String>>) s -> List.of(
                "New-ApplicationAccessPolicy -AccessRight RestrictAccess -AppId " + APP + " -PolicyScopeGroupId " + GROUP,
                "Test-ApplicationAccessPolicy -Identity alice@contoso.com -AppId " + APP,
                "New-DistributionGroup -Name 'crm-sync' -Type Security -PrimarySmtpAddress " + GROUP + " -Members alice@contoso.com,bob@contoso.com",
                "New-ManagementScope -Name \"m365sync CRM users\"",
                "New-ManagementRoleAssignment -App " + APP + " -Role \"Application Mail.ReadWrite\" -CustomResourceScope \"m365sync CRM users\"",
                "Test-ServicePrincipalAuthorization -Identity " + APP + " -Resource alice@contoso.com",
                "New-ServicePrincipal -AppId " + APP + " -ObjectId " + s.dir.servicePrincipals.get(APP).id())),
        Arguments.of(CheckId.ENROLLED_OUT_OF_SCOPE, CheckStatus.FAIL, (Consumer<Setup>) s -> s.enroll("carol"),
            (Function<Setup, List<String>>) s -> List.of("Add-DistributionGroupMember -Identity " + GROUP + " -Member carol@contoso.com",
                "Test-ApplicationAccessPolicy -Identity carol@contoso.com -AppId " + APP)),
        Arguments.of(CheckId.SCOPE_NOT_ENROLLED, CheckStatus.WARN, (Consumer<Setup>) s -> s.dir.addMember("nested-id", "dave-oid"),
            (Function<Setup, List<String>>) s -> List.of("Remove-DistributionGroupMember -Identity " + GROUP + " -Member dave@contoso.com")),
        Arguments.of(CheckId.TODO_COVERAGE, CheckStatus.WARN, (Consumer<Setup>) s -> {
              s.resources = EnumSet.of(Resource.TASKS, Resource.EVENTS, Resource.CONTACTS, Resource.MAIL, Resource.MAILBOX_SETTINGS);
              s.dir.addRequired(APP, Set.of("Tasks.ReadWrite.All"), Set.of("Tasks.ReadWrite"));
              s.dir.consent(APP, "Tasks.ReadWrite.All");
            },
            (Function<Setup, List<String>>) s -> List.of("Tasks.ReadWrite.All", APP.value(), "New-ApplicationAccessPolicy")));
  }

  @ParameterizedTest(name = "{0} fails alone")
  @MethodSource("brokenAlone")
  void everyCheckFailsAloneWithAFilledInFix(CheckId id, CheckStatus status, Consumer<Setup> breakIt, Function<Setup, List<String>> fixText) {
    breakIt.accept(setup);

    ReadinessReport report = setup.examine();

    assertThat(report.problems()).as(report.toText()).extracting(CheckResult::id).containsExactly(id);
    CheckResult result = report.check(id);
    assertThat(result.status()).isEqualTo(status);
    assertThat(result.fix().text()).contains(fixText.apply(setup));
    assertThat(report.toText()).contains("[" + status + "] " + id.title());
    assertThat(report.toMarkdown()).contains("## " + status + ": " + id.title()).contains(fixText.apply(setup).get(0));
  }

  @Test
  void expiredCredentialsFail() {
    setup.dir.setCredentials(APP, List.of(new ClientCredential("k3", "gone", ClientCredential.Kind.SECRET, NOW.minus(Duration.ofDays(1)))));

    CheckResult result = setup.examine().check(CheckId.CLIENT_CREDENTIALS);

    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.details()).anyMatch(d -> d.contains("expired"));
  }

  @Test
  void tenantWideConsentNextToRbacScopeFails() {
    setup.declared = setup.declared.with(ManagementScope.of("CRM", "CustomAttribute1 -eq 'crm'", NOW.minus(Duration.ofDays(5))))
        .with(ManagementRoleAssignment.of(APP, "Mail.ReadWrite", "CRM", NOW.minus(Duration.ofDays(5))));

    CheckResult result = setup.examine().check(CheckId.OVER_BROAD_GRANTS);

    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.details()).anyMatch(d -> d.contains("makes RBAC for Applications scope 'CRM' useless"));
    assertThat(result.fix().text()).contains("# Mail.ReadWrite", "Remove-MgServicePrincipalAppRoleAssignment");
  }

  @Test
  void rbacOnlySetupWithoutEntraConsentIsHealthy() {
    Instant t = NOW.minus(Duration.ofDays(5));
    AccessPolicySet rbac = AccessPolicySet.empty().with(ManagementScope.of("CRM", "CustomAttribute1 -eq 'crm'", t));
    for (String p : PermissionMatrix.applicationPermissions(FOUR)) {
      setup.dir.revoke(APP, p);
      rbac = rbac.with(ManagementRoleAssignment.of(APP, p, "CRM", t));
    }
    setup.declared = rbac;
    setup.dir.users.put("alice-oid", new DirectoryUser("alice-oid", "alice@contoso.com", java.util.Map.of("CustomAttribute1", "crm")));
    setup.dir.users.put("bob-oid", new DirectoryUser("bob-oid", "bob@contoso.com", java.util.Map.of("CustomAttribute1", "crm")));

    ReadinessReport report = setup.examine();

    assertThat(report.problems()).as(report.toText()).isEmpty();
    assertThat(report.check(CheckId.SCOPE_NOT_ENROLLED).status()).isEqualTo(CheckStatus.SKIPPED);
  }

  @Test
  void rbacOnlySetupWithAnEnrolledUserOutsideTheScope() {
    Instant t = NOW.minus(Duration.ofDays(5));
    setup.dir.revoke(APP, "Mail.ReadWrite");
    setup.declared = AccessPolicySet.empty().with(ManagementScope.of("CRM", "CustomAttribute1 -eq 'crm'", t))
        .with(ManagementRoleAssignment.of(APP, "Mail.ReadWrite", "CRM", t));

    CheckResult result = setup.examine().check(CheckId.ENROLLED_OUT_OF_SCOPE);

    assertThat(result.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(result.fix().text()).contains("Test-ServicePrincipalAuthorization -Identity " + APP + " -Resource alice@contoso.com");
  }

  @Test
  void recentPolicyIsReportedAsPropagating() {
    setup.declared = AccessPolicySet.of(ApplicationAccessPolicy.restrict(APP, GROUP, NOW.minus(Duration.ofMinutes(20))));

    CheckResult result = setup.examine().check(CheckId.ACCESS_POLICY);

    assertThat(result.status()).isEqualTo(CheckStatus.WARN);
    assertThat(result.summary()).contains("still propagating", NOW.plus(Duration.ofMinutes(40)).toString());
    assertThat(result.fix().text()).contains("Test-ApplicationAccessPolicy -Identity alice@contoso.com -AppId " + APP);
  }

  @Test
  void policyOnUnknownGroupFailsWithTheGroupNamed() {
    setup.declared = AccessPolicySet.of(ApplicationAccessPolicy.restrict(APP, "ghost@contoso.com", NOW.minus(Duration.ofDays(2))));

    ReadinessReport report = setup.examine();

    assertThat(report.check(CheckId.ACCESS_POLICY).status()).isEqualTo(CheckStatus.FAIL);
    assertThat(report.check(CheckId.ACCESS_POLICY).summary()).contains("ghost@contoso.com");
    assertThat(report.check(CheckId.ACCESS_POLICY).fix().text()).contains("ghost@contoso.com", "New-ApplicationAccessPolicy -AccessRight RestrictAccess -AppId " + APP);
    assertThat(report.check(CheckId.ENROLLED_OUT_OF_SCOPE).status()).isEqualTo(CheckStatus.SKIPPED);
  }

  @Test
  void markdownHasATableAndPowerShellBlocks() {
    setup.enabled = false;
    setup.declared = AccessPolicySet.empty();

    String md = setup.examine().toMarkdown();

    assertThat(md).startsWith("# m365sync readiness: tenant `contoso.onmicrosoft.com`")
        .contains("| Check | Status | Summary |", "| Admin consent granted | PASS |", "```powershell", "**Portal**", "not ready, 1 failed, 1 warning(s)");
  }
}

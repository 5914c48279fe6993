package io.m365sync.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.access.PermissionReport;
import io.m365sync.auth.AccessToken;
import io.m365sync.policy.PermissionFinding.Kind;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DirectoryPermissionVerifierTest {
  static final TenantId TENANT = TenantId.of("fabrikam.onmicrosoft.com");
  static final AppId APP = AppId.of("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
  static final Set<Resource> FOUR = EnumSet.of(Resource.EVENTS, Resource.CONTACTS, Resource.MAIL, Resource.MAILBOX_SETTINGS);
  static final Set<String> FOUR_APP = PermissionMatrix.applicationPermissions(FOUR);

  FakeDirectory dir;
  final AtomicReference<AccessPolicySet> declared = new AtomicReference<>(AccessPolicySet.empty());
  DirectoryPermissionVerifier verifier;

  @BeforeEach
  void healthyApp() {
    dir = FakeDirectory.withRandomGraphIds();
    dir.registerApp(APP, "Contoso CRM");
    dir.addRequired(APP, FOUR_APP, PermissionMatrix.delegatedScopes(EnumSet.allOf(Resource.class)));
    FOUR_APP.forEach(p -> dir.consent(APP, p));
    verifier = new DirectoryPermissionVerifier(APP, dir, t -> declared.get());
  }

  static AccessToken appToken(Set<String> roles) {
    return new AccessToken("secret-token", Instant.parse("2030-01-01T00:00:00Z"), AuthMode.APPLICATION, roles);
  }

  @Test
  void readsPermissionIdsFromGraphsServicePrincipalNotFromConstants() {
    String publicMailReadWriteId = "e2a3a72e-5f79-4c64-b1b1-878b674786c9";
    assertThat(dir.graph().appRole("Mail.ReadWrite").orElseThrow().id()).isNotEqualTo(publicMailReadWriteId);

    PermissionReport report = verifier.verify(TENANT, FOUR, appToken(FOUR_APP));

    assertThat(report.complete()).as(report.notes().toString()).isTrue();
    assertThat(report.granted()).containsExactlyInAnyOrderElementsOf(FOUR_APP);
    assertThat(report.overBroad()).isEmpty();
    assertThat(report.notes()).isEmpty();
  }

  @Test
  void roleIdsOfAnotherTenantDoNotResolve() {
    FakeDirectory other = FakeDirectory.withRandomGraphIds();
    dir.assignments.add(new AppRoleAssignment("x", dir.servicePrincipals.get(APP).id(), dir.graph().id(),
        other.graph().appRole("Mail.Send").orElseThrow().id()));

    PermissionInspection inspection = verifier.inspect(TENANT, FOUR, AuthMode.APPLICATION, FOUR_APP);

    assertThat(inspection.findings(Kind.UNKNOWN_PERMISSION_ID)).hasSize(1);
    assertThat(inspection.granted()).doesNotContain("Mail.Send");
  }

  @Test
  void missingApplicationPermission() {
    dir.revoke(APP, "Contacts.ReadWrite");
    dir.removeRequired(APP, "Contacts.ReadWrite", RequiredPermission.Type.ROLE);

    PermissionInspection inspection = verifier.inspect(TENANT, FOUR, AuthMode.APPLICATION, FOUR_APP);

    assertThat(inspection.permissions(Kind.MISSING_APPLICATION_PERMISSION)).containsExactly("Contacts.ReadWrite");
    assertThat(inspection.toPermissionReport().missing()).containsExactly("Contacts.ReadWrite");
    assertThat(inspection.complete()).isFalse();
  }

  @Test
  void missingAdminConsent() {
    dir.revoke(APP, "Mail.ReadWrite");

    PermissionInspection inspection = verifier.inspect(TENANT, FOUR, AuthMode.APPLICATION, null);

    assertThat(inspection.permissions(Kind.MISSING_ADMIN_CONSENT)).containsExactly("Mail.ReadWrite");
    assertThat(inspection.toPermissionReport().missing()).containsExactly("Mail.ReadWrite");
  }

  @Test
  void delegatedPermissionRemoved() {
    dir.removeRequired(APP, "Calendars.ReadWrite", RequiredPermission.Type.SCOPE);

    PermissionReport report = verifier.verify(TENANT, FOUR, appToken(FOUR_APP));

    assertThat(report.complete()).isTrue();
    assertThat(report.notes()).anyMatch(n -> n.startsWith("DELEGATED_PERMISSION_REMOVED") && n.contains("Calendars.ReadWrite"));
  }

  @Test
  void tenantWideConsentNextToRbacScopeIsOverBroad() {
    Instant t = Instant.parse("2025-01-01T00:00:00Z");
    declared.set(AccessPolicySet.empty().with(ManagementScope.of("CRM users", "CustomAttribute1 -eq 'crm'", t))
        .with(ManagementRoleAssignment.of(APP, "Mail.ReadWrite", "CRM users", t)));

    PermissionReport report = verifier.verify(TENANT, FOUR, appToken(FOUR_APP));

    assertThat(report.overBroad()).containsExactly("Mail.ReadWrite");
  }

  @Test
  void rbacRoleWithoutEntraConsentCountsAsGranted() {
    Instant t = Instant.parse("2025-01-01T00:00:00Z");
    dir.revoke(APP, "Mail.ReadWrite");
    declared.set(AccessPolicySet.empty().with(ManagementScope.of("CRM users", "CustomAttribute1 -eq 'crm'", t))
        .with(ManagementRoleAssignment.of(APP, "Mail.ReadWrite", "CRM users", t)));
    Set<String> roles = new java.util.TreeSet<>(FOUR_APP);
    roles.remove("Mail.ReadWrite");

    PermissionReport report = verifier.verify(TENANT, FOUR, appToken(roles));

    assertThat(report.complete()).as(report.notes().toString()).isTrue();
    assertThat(report.overBroad()).isEmpty();
  }

  @Test
  void consentsBeyondTheLeastSetAreFlagged() {
    dir.consent(APP, "Directory.ReadWrite.All");

    PermissionInspection inspection = verifier.inspect(TENANT, EnumSet.of(Resource.EVENTS), AuthMode.APPLICATION, null);

    assertThat(inspection.permissions(Kind.OVER_BROAD)).containsExactly("Directory.ReadWrite.All");
    assertThat(inspection.permissions(Kind.UNNEEDED)).containsExactlyInAnyOrder("Contacts.ReadWrite", "Mail.ReadWrite", "MailboxSettings.ReadWrite");
    assertThat(inspection.leastSet().application()).containsExactly("Calendars.ReadWrite");
    assertThat(inspection.leastSet().delegated()).containsExactly("Calendars.ReadWrite", "offline_access");
  }

  @Test
  void toDoNeedsTasksReadWriteAllAndIsNotScopable() {
    Set<Resource> withTasks = EnumSet.of(Resource.TASKS, Resource.MAIL);

    PermissionInspection before = verifier.inspect(TENANT, withTasks, AuthMode.APPLICATION, null);
    dir.addRequired(APP, Set.of("Tasks.ReadWrite.All"), Set.of());
    dir.consent(APP, "Tasks.ReadWrite.All");
    PermissionInspection after = verifier.inspect(TENANT, withTasks, AuthMode.APPLICATION, Set.of("Mail.ReadWrite", "Tasks.ReadWrite.All"));

    assertThat(before.permissions(Kind.MISSING_APPLICATION_PERMISSION)).containsExactly("Tasks.ReadWrite.All");
    assertThat(after.complete()).isTrue();
    assertThat(after.permissions(Kind.NOT_SCOPABLE)).containsExactly("Tasks.ReadWrite.All");
    assertThat(after.toPermissionReport().notes()).anyMatch(n -> n.contains("do not cover To Do"));
  }

  @Test
  void tokenOlderThanConsentIsReported() {
    PermissionReport report = verifier.verify(TENANT, FOUR, appToken(Set.of("Mail.ReadWrite")));

    assertThat(report.missing()).containsExactlyInAnyOrder("Calendars.ReadWrite", "Contacts.ReadWrite", "MailboxSettings.ReadWrite");
    assertThat(report.notes()).anyMatch(n -> n.startsWith("MISSING_IN_TOKEN"));
  }

  @Test
  void revokedConsentStillInTokenIsNotGranted() {
    dir.revoke(APP, "Mail.ReadWrite");

    PermissionInspection inspection = verifier.inspect(TENANT, FOUR, AuthMode.APPLICATION, FOUR_APP);

    assertThat(inspection.permissions(Kind.REVOKED_BUT_IN_TOKEN)).containsExactly("Mail.ReadWrite");
    assertThat(inspection.granted()).doesNotContain("Mail.ReadWrite");
  }

  @Test
  void appWithoutServicePrincipal() {
    dir.servicePrincipals.remove(APP);

    PermissionInspection inspection = verifier.inspect(TENANT, FOUR, AuthMode.APPLICATION, FOUR_APP);

    assertThat(inspection.findings(Kind.APP_NOT_FOUND)).hasSize(1);
    assertThat(inspection.complete()).isFalse();
  }

  @Test
  void delegatedTokenIsJudgedByItsScopes() {
    AccessToken token = new AccessToken("t", Instant.parse("2030-01-01T00:00:00Z"), AuthMode.DELEGATED,
        Set.of("Calendars.ReadWrite", "Mail.ReadWrite", "offline_access"));

    PermissionReport report = verifier.verify(TENANT, EnumSet.of(Resource.EVENTS, Resource.TASKS), token);

    assertThat(report.mode()).isEqualTo(AuthMode.DELEGATED);
    assertThat(report.missing()).containsExactly("Tasks.ReadWrite");
  }
}

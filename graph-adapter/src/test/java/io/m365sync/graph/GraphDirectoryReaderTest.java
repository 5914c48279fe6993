package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.AuthMode;
import io.m365sync.Resource;
import io.m365sync.policy.AccessPolicySet;
import io.m365sync.policy.AppId;
import io.m365sync.policy.AppRegistration;
import io.m365sync.policy.AppRoleAssignment;
import io.m365sync.policy.CheckId;
import io.m365sync.policy.CheckStatus;
import io.m365sync.policy.ClientCredential;
import io.m365sync.policy.DirectoryGroup;
import io.m365sync.policy.DirectoryPermissionVerifier;
import io.m365sync.policy.DirectoryUser;
import io.m365sync.policy.GroupKind;
import io.m365sync.policy.PermissionDefinition;
import io.m365sync.policy.PermissionFinding;
import io.m365sync.policy.PermissionGrant;
import io.m365sync.policy.PermissionInspection;
import io.m365sync.policy.ReadinessDoctor;
import io.m365sync.policy.ReadinessReport;
import io.m365sync.policy.ReadinessRequest;
import io.m365sync.policy.RequiredPermission;
import io.m365sync.policy.ServicePrincipal;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelUser;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GraphDirectoryReader} and {@link GraphDirectorySource} over HTTP against the emulator, with
 * the real MSAL4J application strategy and Graph SDK, and policy's verifier and readiness doctor on
 * top. The emulator generates Microsoft Graph's permission ids per cloud, so nothing can pass on
 * hard-coded GUIDs.
 */
class GraphDirectoryReaderTest {
  static final AppId APP = AppId.of(EmulatorFixture.CLIENT_ID);
  static final Set<Resource> FOUR = EnumSet.of(Resource.EVENTS, Resource.CONTACTS, Resource.MAIL, Resource.MAILBOX_SETTINGS);

  final EmulatorFixture fx = new EmulatorFixture();
  final GraphDirectorySource directories = GraphDirectorySource.builder().tokens(fx.application)
      .baseUrl(fx.emulator.graphBaseUrl()).build();

  /** What the reader needs to read the directory, as Graph demands (consented with the mailbox permissions). */
  static final String[] DIRECTORY_READS = {"Application.Read.All", "GroupMember.Read.All", "User.Read.All"};

  @BeforeEach
  void directoryReads() {
    fx.app.addApplicationPermissions(DIRECTORY_READS);
  }

  @AfterEach
  void close() {
    fx.close();
  }

  GraphDirectoryReader reader() {
    return directories.directory(fx.tenantId());
  }

  DirectoryPermissionVerifier verifier() {
    return new DirectoryPermissionVerifier(APP, directories, t -> AccessPolicySet.empty());
  }

  ReadinessReport examine() {
    ReadinessDoctor doctor = new ReadinessDoctor(APP, directories, t -> AccessPolicySet.empty(), fx.clock);
    return doctor.examine(new ReadinessRequest(fx.tenantId(), true, FOUR, List.of(), null));
  }

  @Test
  void graphsPermissionIdsAreReadFromItsServicePrincipalPerCloud() {
    fx.grantApplication(Resource.EVENTS, Resource.CONTACTS);
    ServicePrincipal graph = reader().microsoftGraph().orElseThrow();

    assertThat(graph.appId()).isEqualTo(AppId.MICROSOFT_GRAPH);
    assertThat(graph.id()).isEqualTo(fx.cloud.generatedId("graph-sp:" + fx.tenant.tenantId()));
    assertThat(graph.appRole("Calendars.ReadWrite")).map(PermissionDefinition::id)
        .contains(fx.cloud.generatedId("graph-app-role:calendars.readwrite"));
    assertThat(graph.scope("Contacts.ReadWrite")).map(PermissionDefinition::id)
        .contains(fx.cloud.generatedId("graph-scope:contacts.readwrite"));

    try (EmulatorFixture other = new EmulatorFixture()) {
      other.app.addApplicationPermissions(DIRECTORY_READS);
      other.grantApplication(Resource.EVENTS, Resource.CONTACTS);
      GraphDirectorySource otherCloud = GraphDirectorySource.builder().tokens(other.application)
          .baseUrl(other.emulator.graphBaseUrl()).build();
      ServicePrincipal otherGraph = otherCloud.directory(other.tenantId()).microsoftGraph().orElseThrow();
      assertThat(otherGraph.appRole("Calendars.ReadWrite").orElseThrow().id())
          .as("ids differ per cloud").isNotEqualTo(graph.appRole("Calendars.ReadWrite").orElseThrow().id());
      PermissionInspection inspection = new DirectoryPermissionVerifier(APP, otherCloud, t -> AccessPolicySet.empty())
          .inspect(other.tenantId(), EnumSet.of(Resource.EVENTS, Resource.CONTACTS), AuthMode.APPLICATION, null);
      assertThat(inspection.findings()).as(inspection.toString()).isEmpty();
      assertThat(inspection.granted()).contains("Calendars.ReadWrite", "Contacts.ReadWrite");
    }
  }

  @Test
  void theAppsServicePrincipalAssignmentsGrantsAndRegistrationResolveThroughGraphsIds() {
    fx.grantApplication(Resource.EVENTS, Resource.CONTACTS);
    fx.app.grantAdminConsent();
    GraphDirectoryReader reader = reader();
    ServicePrincipal graph = reader.microsoftGraph().orElseThrow();
    ServicePrincipal app = reader.servicePrincipal(APP).orElseThrow();

    assertThat(app.id()).isEqualTo(fx.app.servicePrincipalId());
    assertThat(reader.appRoleAssignments(app.id())).allSatisfy(a -> {
      assertThat(a.principalId()).isEqualTo(app.id());
      assertThat(a.resourceId()).isEqualTo(graph.id());
    }).extracting(a -> graph.appRoleById(a.appRoleId()).map(PermissionDefinition::value).orElse("?"))
        .containsExactlyInAnyOrder("Calendars.ReadWrite", "Contacts.ReadWrite", "Application.Read.All",
            "GroupMember.Read.All", "User.Read.All");
    assertThat(reader.permissionGrants(app.id())).isNotEmpty().allSatisfy(g -> {
      assertThat(g.clientId()).isEqualTo(app.id());
      assertThat(g.resourceId()).isEqualTo(graph.id());
    }).filteredOn(g -> g.consentType() == PermissionGrant.ConsentType.ALL_PRINCIPALS)
        .flatExtracting(g -> List.copyOf(g.scopes())).contains("Calendars.ReadWrite", "offline_access");

    AppRegistration registration = reader.appRegistration(APP).orElseThrow();
    assertThat(registration.objectId()).isEqualTo(fx.app.applicationObjectId());
    assertThat(registration.requiredResourceAccess()).allSatisfy(r -> assertThat(r.resourceAppId()).isEqualTo(AppId.MICROSOFT_GRAPH));
    assertThat(registration.requiredResourceAccess()).filteredOn(r -> r.type() == RequiredPermission.Type.ROLE)
        .extracting(r -> graph.appRoleById(r.id()).map(PermissionDefinition::value).orElse("?"))
        .containsExactlyInAnyOrder("Calendars.ReadWrite", "Contacts.ReadWrite", "Application.Read.All",
            "GroupMember.Read.All", "User.Read.All");
    assertThat(registration.requiredResourceAccess()).filteredOn(r -> r.type() == RequiredPermission.Type.SCOPE)
        .extracting(r -> graph.scopeById(r.id()).map(PermissionDefinition::value).orElse("?"))
        .contains("Mail.ReadWrite", "Tasks.ReadWrite", "offline_access").doesNotContain("?");
    assertThat(registration.credentials()).singleElement().satisfies(c -> {
      assertThat(c.kind()).isEqualTo(ClientCredential.Kind.SECRET);
      assertThat(c.endDateTime()).isEqualTo(fx.app.secrets().get(0).endDateTime().truncatedTo(ChronoUnit.SECONDS));
    });
  }

  @Test
  void unknownAppsUsersAndGroupsAreEmptyNotErrors() {
    fx.grantApplication(Resource.EVENTS);
    GraphDirectoryReader reader = reader();
    AppId stranger = AppId.of("11111111-2222-3333-4444-555555555555");

    assertThat(reader.servicePrincipal(stranger)).isEmpty();
    assertThat(reader.appRegistration(stranger)).isEmpty();
    assertThat(reader.appRoleAssignments("99999999-2222-3333-4444-555555555555")).isEmpty();
    assertThat(reader.user("nobody@contoso.com")).isEmpty();
    assertThat(reader.group("99999999-2222-3333-4444-555555555555")).isEmpty();
    assertThat(reader.directMembers("99999999-2222-3333-4444-555555555555")).isEmpty();
  }

  @Test
  void usersGroupsAndTransitiveMembership() {
    fx.grantApplication(Resource.EVENTS);
    ModelUser alice = fx.tenant.addUser("alice");
    ModelUser bob = fx.tenant.addUser("bob");
    ModelUser carol = fx.tenant.addUser("carol");
    alice.attributes().put("Department", "Sales");
    ModelGroup sales = fx.tenant.addGroup("sales", false).add(bob);
    ModelGroup crmSync = fx.tenant.addGroup("crm-sync", true).add(alice).add(sales);
    GraphDirectoryReader reader = reader();

    DirectoryUser a = reader.user(alice.userPrincipalName()).orElseThrow();
    assertThat(a.id()).isEqualTo(alice.objectId());
    assertThat(a.attribute("department")).contains("Sales");
    assertThat(reader.user(bob.objectId())).map(DirectoryUser::userPrincipalName).contains(bob.userPrincipalName());

    DirectoryGroup group = reader.group(crmSync.id()).orElseThrow();
    assertThat(group.kind()).isEqualTo(GroupKind.MAIL_ENABLED_SECURITY);
    assertThat(group.kind().validPolicyScope()).isTrue();
    assertThat(reader.group(sales.id()).orElseThrow().kind()).isEqualTo(GroupKind.SECURITY);

    assertThat(reader.directMembers(crmSync.id())).containsExactlyInAnyOrder(alice.objectId(), sales.id());
    assertThat(reader.transitiveUserMembers(crmSync.id())).extracting(DirectoryUser::id)
        .containsExactlyInAnyOrder(alice.objectId(), bob.objectId());
    assertThat(reader.isTransitiveMember(crmSync.id(), bob.objectId())).isTrue();
    assertThat(reader.isTransitiveMember(crmSync.id(), carol.objectId())).isFalse();
  }

  @Test
  void theVerifierFindsAMissingAdminConsentAndARemovedDelegatedPermission() {
    fx.grantApplication(Resource.EVENTS, Resource.CONTACTS, Resource.MAIL, Resource.MAILBOX_SETTINGS);
    assertThat(verifier().inspect(fx.tenantId(), FOUR, AuthMode.APPLICATION, null).findings()).isEmpty();

    fx.app.revokeApplicationConsent("Contacts.ReadWrite");
    fx.app.removeDelegatedPermission("Calendars.ReadWrite");
    PermissionInspection inspection = verifier().inspect(fx.tenantId(), FOUR, AuthMode.APPLICATION, null);

    assertThat(inspection.permissions(PermissionFinding.Kind.MISSING_ADMIN_CONSENT)).containsExactly("Contacts.ReadWrite");
    assertThat(inspection.permissions(PermissionFinding.Kind.DELEGATED_PERMISSION_REMOVED)).containsExactly("Calendars.ReadWrite");
    assertThat(inspection.granted()).doesNotContain("Contacts.ReadWrite");
  }

  @Test
  void theReadinessDoctorOverGraphSeesTheSameTenantTheEmulatorServes() {
    fx.grantApplication(Resource.EVENTS, Resource.CONTACTS, Resource.MAIL, Resource.MAILBOX_SETTINGS);
    ReadinessReport healthy = examine();
    for (CheckId id : List.of(CheckId.APP_REGISTRATION, CheckId.DELEGATED_PERMISSIONS, CheckId.APPLICATION_PERMISSIONS,
        CheckId.ADMIN_CONSENT, CheckId.CLIENT_CREDENTIALS)) {
      assertThat(healthy.check(id).status()).as(healthy.toText()).isEqualTo(CheckStatus.PASS);
    }

    fx.app.revokeApplicationConsent("Mail.ReadWrite");
    ReadinessReport noConsent = examine();
    assertThat(noConsent.check(CheckId.ADMIN_CONSENT).status()).as(noConsent.toText()).isEqualTo(CheckStatus.FAIL);
    assertThat(noConsent.check(CheckId.ADMIN_CONSENT).toString()).contains("Mail.ReadWrite");

    fx.app.removeDelegatedPermission("Contacts.ReadWrite");
    ReadinessReport removed = examine();
    assertThat(removed.check(CheckId.DELEGATED_PERMISSIONS).status()).as(removed.toText()).isEqualTo(CheckStatus.FAIL);
    assertThat(removed.check(CheckId.DELEGATED_PERMISSIONS).toString()).contains("Contacts.ReadWrite");
  }

  @Test
  void aRefusedReadIsATypedErrorNamingTheTenantAndRequestButNoToken() {
    fx.grantApplication(Resource.EVENTS);
    String token = fx.appSession(fx.mailbox(fx.tenant.addUser("erin"), Resource.EVENTS)).token().value();
    fx.tenant.addFault(FaultRule.fail("appRoleAssignments", null, 1,
        new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")));

    assertThatThrownBy(() -> reader().appRoleAssignments(fx.app.servicePrincipalId()))
        .isInstanceOfSatisfying(GraphDirectoryException.class, e -> {
          assertThat(e.status()).isEqualTo(403);
          assertThat(e.code()).isEqualTo("Authorization_RequestDenied");
          assertThat(e.tenant()).isEqualTo(fx.tenantId());
          // Graph's request-id reaches the WARN that reports the failure, for a support ticket
          assertThat(e.requestId()).isNotBlank();
          assertThat(e.getMessage()).contains("request-id " + e.requestId());
        })
        .hasMessageContaining(fx.tenantId().value()).hasMessageContaining("/appRoleAssignments")
        .hasMessageNotContaining(token);
    assertThat(reader().appRoleAssignments(fx.app.servicePrincipalId())).as("the fault fired once").isNotEmpty();
  }

  @Test
  void withoutADirectoryPermissionGraphRefusesTheReadAndTheReaderSaysWhy() {
    try (EmulatorFixture bare = new EmulatorFixture()) {
      bare.grantApplication(Resource.EVENTS);
      GraphDirectorySource source = GraphDirectorySource.builder().tokens(bare.application)
          .baseUrl(bare.emulator.graphBaseUrl()).build();
      assertThatThrownBy(() -> source.directory(bare.tenantId()).microsoftGraph())
          .isInstanceOfSatisfying(GraphDirectoryException.class, e -> {
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.code()).isEqualTo("Authorization_RequestDenied");
          });
    }
  }

  @Test
  void oneReaderPerTenantAndOnlyApplicationStrategies() {
    assertThat(directories.directory(fx.tenantId())).isSameAs(directories.directory(fx.tenantId()));
    assertThatThrownBy(() -> GraphDirectorySource.builder().tokens(fx.delegated))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("APPLICATION");
    assertThatThrownBy(() -> GraphDirectorySource.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'tokens' is required");
    assertThat(directories.toString().toLowerCase(Locale.ROOT)).doesNotContain(fx.secret.toLowerCase(Locale.ROOT));
  }
}

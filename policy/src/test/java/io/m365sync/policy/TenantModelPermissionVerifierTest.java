package io.m365sync.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.access.PermissionReport;
import io.m365sync.auth.AccessToken;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.ModelUser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * {@link DirectoryPermissionVerifier} on the testkit tenant model, whose Microsoft Graph permission
 * ids are generated per cloud: the verifier must read them from Graph's service principal.
 */
class TenantModelPermissionVerifierTest {
  static final AppId APP = AppId.of(FakeMicrosoft365.CLIENT_ID);
  static final Set<Resource> TWO = EnumSet.of(Resource.EVENTS, Resource.CONTACTS);

  /** Microsoft's public ids in the commercial cloud, for a few permissions; the rest random. */
  static final Map<String, String> PUBLIC_IDS = Map.of(
      "graph-app-role:calendars.readwrite", "ef54d2bf-783f-4e0f-bca1-3210c0444d99",
      "graph-app-role:contacts.readwrite", "6918b873-d17a-4dc1-b314-35f528134491",
      "graph-app-role:mail.readwrite", "e2a3a72e-5f79-4c64-b1b1-878b674786c9",
      "graph-scope:calendars.readwrite", "1ec239c2-d7c9-4623-a91a-a9775856bb36",
      "graph-scope:contacts.readwrite", "d56682ec-c09e-4743-aaf4-1a3aac4caa21");

  static FakeMicrosoft365 tenantWithApplicationPermissions() {
    return FakeMicrosoft365.create().grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
  }

  static DirectoryPermissionVerifier verifier(DirectorySource directories) {
    return new DirectoryPermissionVerifier(APP, directories, t -> AccessPolicySet.empty());
  }

  @Test
  void twoModelTenantsHaveDifferentIdsAndBothVerify() {
    FakeMicrosoft365 first = tenantWithApplicationPermissions();
    FakeMicrosoft365 second = tenantWithApplicationPermissions();
    TenantModelDirectory a = TenantModelDirectory.of(first.cloud());
    TenantModelDirectory b = TenantModelDirectory.of(second.cloud());

    assertThat(a.appRoleId("Calendars.ReadWrite")).isNotEqualTo(b.appRoleId("Calendars.ReadWrite"));
    assertThat(a.scopeId("Contacts.ReadWrite")).isNotEqualTo(b.scopeId("Contacts.ReadWrite"));
    assertThat(a.graphServicePrincipalId(first.tenant())).isNotEqualTo(b.graphServicePrincipalId(second.tenant()));
    for (var pair : List.of(Map.entry(first, a), Map.entry(second, b))) {
      PermissionInspection inspection = verifier(pair.getValue()).inspect(pair.getKey().tenantId(), TWO, AuthMode.APPLICATION, null);
      assertThat(inspection.findings()).as(inspection.toString()).isEmpty();
      assertThat(inspection.granted()).contains("Calendars.ReadWrite", "Contacts.ReadWrite");
    }
  }

  @Test
  void microsoftsPublicIdsVerifyTheSame() {
    FakeMicrosoft365 m365 = tenantWithApplicationPermissions();
    Map<String, String> random = new ConcurrentHashMap<>();
    TenantModelDirectory ports = TenantModelDirectory.withIds(m365.cloud(),
        key -> PUBLIC_IDS.getOrDefault(key, random.computeIfAbsent(key, k -> UUID.randomUUID().toString())));

    PermissionInspection inspection = verifier(ports).inspect(m365.tenantId(), TWO, AuthMode.APPLICATION, null);

    assertThat(ports.directory(m365.tenantId()).microsoftGraph().orElseThrow().appRole("Mail.ReadWrite").orElseThrow().id())
        .isEqualTo("e2a3a72e-5f79-4c64-b1b1-878b674786c9");
    assertThat(inspection.findings()).isEmpty();
    assertThat(inspection.granted()).contains("Calendars.ReadWrite", "Contacts.ReadWrite");
  }

  @Test
  void idsResolvedAgainstAnotherCloudsGraphAreUnknownNotGuessed() {
    FakeMicrosoft365 m365 = tenantWithApplicationPermissions();
    FakeMicrosoft365 other = tenantWithApplicationPermissions();
    DirectoryReader own = TenantModelDirectory.of(m365.cloud()).directory(m365.tenantId());
    DirectoryReader foreign = TenantModelDirectory.of(other.cloud()).directory(other.tenantId());
    // the app's assignments and registration of one cloud, Microsoft Graph's service principal of another
    DirectoryReader mixed = new DirectoryReader() {
      @Override
      public Optional<ServicePrincipal> servicePrincipal(AppId appId) {
        return appId.equals(AppId.MICROSOFT_GRAPH) ? foreign.microsoftGraph().map(g ->
            new ServicePrincipal(own.microsoftGraph().orElseThrow().id(), g.appId(), g.displayName(), g.appRoles(),
                g.oauth2PermissionScopes())) : own.servicePrincipal(appId);
      }

      @Override
      public Optional<AppRegistration> appRegistration(AppId appId) {
        return own.appRegistration(appId);
      }

      @Override
      public List<AppRoleAssignment> appRoleAssignments(String servicePrincipalId) {
        return own.appRoleAssignments(servicePrincipalId);
      }

      @Override
      public List<PermissionGrant> permissionGrants(String servicePrincipalId) {
        return own.permissionGrants(servicePrincipalId);
      }

      @Override
      public Optional<DirectoryGroup> group(String idOrMail) {
        return own.group(idOrMail);
      }

      @Override
      public Optional<DirectoryUser> user(String idOrUpn) {
        return own.user(idOrUpn);
      }

      @Override
      public Set<String> directMembers(String groupId) {
        return own.directMembers(groupId);
      }
    };

    PermissionInspection inspection = verifier(t -> mixed).inspect(m365.tenantId(), TWO, AuthMode.APPLICATION, null);

    assertThat(inspection.findings(PermissionFinding.Kind.UNKNOWN_PERMISSION_ID)).isNotEmpty();
    assertThat(inspection.findings(PermissionFinding.Kind.MISSING_APPLICATION_PERMISSION)).extracting(PermissionFinding::permission)
        .as("ids Graph does not define are never matched by name or constant").contains("Calendars.ReadWrite", "Contacts.ReadWrite");
    assertThat(inspection.granted()).doesNotContain("Calendars.ReadWrite", "Contacts.ReadWrite");
  }

  @Test
  void theEngineTokenAndTheDirectoryAgree() {
    FakeMicrosoft365 m365 = tenantWithApplicationPermissions();
    ModelUser alice = m365.addUser("alice");
    Mailbox mailbox = m365.signIn(alice, TWO);
    AccessToken token = m365.applicationTokens().acquire(mailbox, io.m365sync.Purpose.BACKGROUND_SYNC);
    DirectoryPermissionVerifier verifier = verifier(TenantModelDirectory.of(m365.cloud()));

    PermissionReport ok = verifier.verify(m365.tenantId(), TWO, token);
    m365.app().revokeApplicationConsent("Contacts.ReadWrite");
    PermissionInspection revoked = verifier.inspect(m365.tenantId(), TWO, AuthMode.APPLICATION, token.permissions());

    assertThat(ok.complete()).as(ok.toString()).isTrue();
    assertThat(revoked.findings(PermissionFinding.Kind.REVOKED_BUT_IN_TOKEN)).extracting(PermissionFinding::permission)
        .containsExactly("Contacts.ReadWrite");
  }

  @Test
  void theAdapterServesTheSameIdsAsTheHttpEmulator() throws Exception {
    FakeMicrosoft365 m365 = tenantWithApplicationPermissions();
    m365.app().addApplicationPermissions("Application.Read.All").grantAdminConsent(); // Graph's directory reads need it
    TenantModelDirectory ports = TenantModelDirectory.of(m365.cloud());
    String token = m365.tenant().clientCredentials(FakeMicrosoft365.CLIENT_ID, FakeMicrosoft365.CLIENT_SECRET).accessToken();
    JsonNode graph;
    JsonNode assignments;
    try (M365Emulator emulator = new M365Emulator(m365.cloud()).start()) {
      graph = get(emulator.graphBaseUrl() + "/servicePrincipals(appId='" + AppId.MICROSOFT_GRAPH + "')", token);
      assignments = get(emulator.graphBaseUrl() + "/servicePrincipals/" + m365.app().servicePrincipalId() + "/appRoleAssignments", token);
    }
    ServicePrincipal adapted = ports.directory(m365.tenantId()).microsoftGraph().orElseThrow();

    assertThat(graph.get("id").asText()).isEqualTo(adapted.id());
    for (JsonNode role : graph.get("appRoles")) {
      assertThat(adapted.appRole(role.get("value").asText())).map(PermissionDefinition::id).contains(role.get("id").asText());
    }
    for (JsonNode scope : graph.get("oauth2PermissionScopes")) {
      assertThat(adapted.scope(scope.get("value").asText())).map(PermissionDefinition::id).contains(scope.get("id").asText());
    }
    assertThat(assignments.get("value")).extracting(a -> a.get("appRoleId").asText())
        .containsExactlyInAnyOrderElementsOf(ports.directory(m365.tenantId()).appRoleAssignments(m365.app().servicePrincipalId())
            .stream().map(AppRoleAssignment::appRoleId).toList());
  }

  private static JsonNode get(String url, String token) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  @Test
  void unknownTenantIsATypedError() {
    TenantModelDirectory ports = TenantModelDirectory.of(FakeMicrosoft365.create().cloud());

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ports.directory(TenantId.of("nowhere.example")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nowhere.example");
  }
}

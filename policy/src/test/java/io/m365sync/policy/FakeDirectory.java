package io.m365sync.policy;

import io.m365sync.TenantId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * In-memory directory of one tenant. Graph's service principal gets either the public permission
 * ids or random ones, so tests prove nothing relies on hard-coded GUIDs.
 */
final class FakeDirectory implements DirectoryReader, DirectorySource {
  static final List<String> GRAPH_APP_ROLES = List.of("Calendars.ReadWrite", "Contacts.ReadWrite", "Mail.ReadWrite",
      "MailboxSettings.ReadWrite", "Tasks.ReadWrite.All", "Tasks.Read.All", "Mail.Send", "Directory.ReadWrite.All",
      "User.Read.All", "Mail.Read");
  static final List<String> GRAPH_SCOPES = List.of("Calendars.ReadWrite", "Contacts.ReadWrite", "Mail.ReadWrite",
      "MailboxSettings.ReadWrite", "Tasks.ReadWrite", "offline_access", "User.Read", "openid");

  final Map<AppId, ServicePrincipal> servicePrincipals = new ConcurrentHashMap<>();
  final Map<AppId, AppRegistration> registrations = new ConcurrentHashMap<>();
  final List<AppRoleAssignment> assignments = new CopyOnWriteArrayList<>();
  final List<PermissionGrant> grants = new CopyOnWriteArrayList<>();
  final Map<String, DirectoryGroup> groups = new ConcurrentHashMap<>();
  final Map<String, Set<String>> members = new ConcurrentHashMap<>();
  final Map<String, DirectoryUser> users = new ConcurrentHashMap<>();

  /** A directory whose Graph service principal has random role and scope ids. */
  static FakeDirectory withRandomGraphIds() {
    FakeDirectory d = new FakeDirectory();
    List<PermissionDefinition> roles = GRAPH_APP_ROLES.stream().map(v -> new PermissionDefinition(UUID.randomUUID().toString(), v)).toList();
    List<PermissionDefinition> scopes = GRAPH_SCOPES.stream().map(v -> new PermissionDefinition(UUID.randomUUID().toString(), v)).toList();
    d.servicePrincipals.put(AppId.MICROSOFT_GRAPH,
        new ServicePrincipal(UUID.randomUUID().toString(), AppId.MICROSOFT_GRAPH, "Microsoft Graph", roles, scopes));
    return d;
  }

  ServicePrincipal graph() {
    return servicePrincipals.get(AppId.MICROSOFT_GRAPH);
  }

  /** Registers an app: app registration (home tenant) plus its service principal, no permissions yet. */
  ServicePrincipal registerApp(AppId app, String name) {
    registrations.put(app, new AppRegistration(UUID.randomUUID().toString(), app, name, List.of(), List.of()));
    return addServicePrincipal(app, name);
  }

  ServicePrincipal addServicePrincipal(AppId app, String name) {
    ServicePrincipal sp = new ServicePrincipal(UUID.randomUUID().toString(), app, name, List.of(), List.of());
    servicePrincipals.put(app, sp);
    return sp;
  }

  /** Adds permissions to the app registration ("API permissions" → add). */
  void addRequired(AppId app, Set<String> application, Set<String> delegated) {
    AppRegistration r = registrations.get(app);
    List<RequiredPermission> req = new ArrayList<>(r.requiredResourceAccess());
    application.forEach(p -> req.add(new RequiredPermission(AppId.MICROSOFT_GRAPH, graph().appRole(p).orElseThrow().id(),
        RequiredPermission.Type.ROLE)));
    delegated.forEach(p -> req.add(new RequiredPermission(AppId.MICROSOFT_GRAPH, graph().scope(p).orElseThrow().id(),
        RequiredPermission.Type.SCOPE)));
    registrations.put(app, new AppRegistration(r.objectId(), app, r.displayName(), req, r.credentials()));
  }

  void removeRequired(AppId app, String permission, RequiredPermission.Type type) {
    AppRegistration r = registrations.get(app);
    String id = type == RequiredPermission.Type.ROLE ? graph().appRole(permission).orElseThrow().id() : graph().scope(permission).orElseThrow().id();
    List<RequiredPermission> req = r.requiredResourceAccess().stream().filter(p -> !(p.id().equals(id) && p.type() == type)).toList();
    registrations.put(app, new AppRegistration(r.objectId(), app, r.displayName(), req, r.credentials()));
  }

  void setCredentials(AppId app, List<ClientCredential> credentials) {
    AppRegistration r = registrations.get(app);
    registrations.put(app, new AppRegistration(r.objectId(), app, r.displayName(), r.requiredResourceAccess(), credentials));
  }

  /** Admin consent for one application permission: an app role assignment on Graph. */
  AppRoleAssignment consent(AppId app, String permission) {
    AppRoleAssignment a = new AppRoleAssignment(UUID.randomUUID().toString(), servicePrincipals.get(app).id(), graph().id(),
        graph().appRole(permission).orElseThrow().id());
    assignments.add(a);
    return a;
  }

  void revoke(AppId app, String permission) {
    String roleId = graph().appRole(permission).orElseThrow().id();
    assignments.removeIf(a -> a.principalId().equals(servicePrincipals.get(app).id()) && a.appRoleId().equals(roleId));
  }

  void grantDelegated(AppId app, Set<String> scopes) {
    grants.add(new PermissionGrant(servicePrincipals.get(app).id(), PermissionGrant.ConsentType.ALL_PRINCIPALS, null, graph().id(), scopes));
  }

  DirectoryUser addUser(String id, String upn, Map<String, String> attributes) {
    DirectoryUser u = new DirectoryUser(id, upn, attributes);
    users.put(id, u);
    return u;
  }

  DirectoryUser addUser(String id, String upn) {
    return addUser(id, upn, Map.of());
  }

  DirectoryGroup addGroup(String id, String mail, GroupKind kind, String... memberIds) {
    DirectoryGroup g = new DirectoryGroup(id, id + " group", mail, kind);
    groups.put(id, g);
    members.put(id, ConcurrentHashMap.newKeySet());
    members.get(id).addAll(List.of(memberIds));
    return g;
  }

  void addMember(String groupId, String memberId) {
    members.get(groupId).add(memberId);
  }

  void removeMember(String groupId, String memberId) {
    members.get(groupId).remove(memberId);
  }

  @Override
  public DirectoryReader directory(TenantId tenant) {
    return this;
  }

  @Override
  public Optional<ServicePrincipal> servicePrincipal(AppId appId) {
    return Optional.ofNullable(servicePrincipals.get(appId));
  }

  @Override
  public Optional<AppRegistration> appRegistration(AppId appId) {
    return Optional.ofNullable(registrations.get(appId));
  }

  @Override
  public List<AppRoleAssignment> appRoleAssignments(String servicePrincipalId) {
    return assignments.stream().filter(a -> a.principalId().equals(servicePrincipalId)).toList();
  }

  @Override
  public List<PermissionGrant> permissionGrants(String servicePrincipalId) {
    return grants.stream().filter(g -> g.clientId().equals(servicePrincipalId)).toList();
  }

  @Override
  public Optional<DirectoryGroup> group(String idOrMail) {
    return groups.values().stream().filter(g -> g.id().equals(idOrMail) || idOrMail.equalsIgnoreCase(g.mail())).findFirst();
  }

  @Override
  public Optional<DirectoryUser> user(String idOrUpn) {
    return users.values().stream().filter(u -> u.id().equals(idOrUpn) || u.userPrincipalName().equalsIgnoreCase(idOrUpn)).findFirst();
  }

  @Override
  public Set<String> directMembers(String groupId) {
    return Set.copyOf(members.getOrDefault(groupId, Set.of()));
  }
}

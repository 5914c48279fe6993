package io.m365sync.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one tenant's directory says about an app's Graph permissions, names resolved through Graph's
 * service principal ({@code appRoles} / {@code oauth2PermissionScopes}), never through constants.
 */
record AppPermissionState(Optional<ServicePrincipal> graph, Optional<ServicePrincipal> app, Optional<AppRegistration> registration,
                          Map<String, AppRoleAssignment> consentedApplication, Set<String> addedApplication,
                          Set<String> addedDelegated, Set<String> adminConsentedDelegated, int userConsents,
                          List<String> unresolvedIds) {

  static AppPermissionState read(DirectoryReader directory, AppId appId) {
    Optional<ServicePrincipal> graph = directory.microsoftGraph();
    Optional<ServicePrincipal> app = directory.servicePrincipal(appId);
    Optional<AppRegistration> registration = directory.appRegistration(appId);
    Map<String, AppRoleAssignment> consented = new LinkedHashMap<>();
    Set<String> addedApp = new TreeSet<>();
    Set<String> addedDelegated = new TreeSet<>();
    Set<String> adminDelegated = new TreeSet<>();
    List<String> unresolved = new ArrayList<>();
    int userConsents = 0;
    if (graph.isPresent()) {
      ServicePrincipal g = graph.get();
      if (app.isPresent()) {
        for (AppRoleAssignment a : directory.appRoleAssignments(app.get().id())) {
          if (a.resourceId().equals(g.id())) {
            g.appRoleById(a.appRoleId()).ifPresentOrElse(r -> consented.put(r.value(), a),
                () -> unresolved.add("app role assignment " + a.id() + " names app role id " + a.appRoleId()
                    + ", which Microsoft Graph's service principal does not define"));
          }
        }
        for (PermissionGrant grant : directory.permissionGrants(app.get().id())) {
          if (grant.resourceId().equals(g.id())) {
            if (grant.consentType() == PermissionGrant.ConsentType.ALL_PRINCIPALS) {
              adminDelegated.addAll(grant.scopes());
            } else {
              userConsents++;
            }
          }
        }
      }
      registration.ifPresent(r -> r.requiredResourceAccess().stream()
          .filter(p -> p.resourceAppId().equals(AppId.MICROSOFT_GRAPH))
          .forEach(p -> {
            Optional<PermissionDefinition> def = p.type() == RequiredPermission.Type.ROLE ? g.appRoleById(p.id()) : g.scopeById(p.id());
            def.ifPresentOrElse(d -> (p.type() == RequiredPermission.Type.ROLE ? addedApp : addedDelegated).add(d.value()),
                () -> unresolved.add("API permission " + p.type() + " id " + p.id() + " is not defined by Microsoft Graph's service principal"));
          }));
    }
    return new AppPermissionState(graph, app, registration, Map.copyOf(consented), Set.copyOf(addedApp), Set.copyOf(addedDelegated),
        Set.copyOf(adminDelegated), userConsents, List.copyOf(unresolved));
  }

  /** Whether the directory could be read far enough to judge consent. */
  boolean complete() {
    return graph.isPresent() && app.isPresent();
  }

  Set<String> consentedNames() {
    return consentedApplication.keySet();
  }
}

package io.m365sync.policy;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Read-only port to one tenant's directory (Entra ID plus the Exchange recipient attributes used by
 * management scopes). The Graph adapter implements it with {@code /servicePrincipals},
 * {@code /oauth2PermissionGrants}, {@code /groups/{id}/members} and {@code /users}; tests use an
 * in-memory fake.
 *
 * <p>Implementations must be thread-safe. Lookups that find nothing return empty, never throw;
 * transport failures are the implementation's unchecked exceptions.
 */
public interface DirectoryReader {

  /** The service principal of {@code appId} in this tenant ({@code /servicePrincipals(appId='…')}). */
  Optional<ServicePrincipal> servicePrincipal(AppId appId);

  /** The app registration of {@code appId}; empty in tenants other than the app's home tenant. */
  Optional<AppRegistration> appRegistration(AppId appId);

  /** Application permissions granted to the client service principal {@code servicePrincipalId}. */
  List<AppRoleAssignment> appRoleAssignments(String servicePrincipalId);

  /** Delegated grants whose client is the service principal {@code servicePrincipalId}. */
  List<PermissionGrant> permissionGrants(String servicePrincipalId);

  /** A group by object id or mail address. */
  Optional<DirectoryGroup> group(String idOrMail);

  /** A user by object id or UPN. */
  Optional<DirectoryUser> user(String idOrUpn);

  /** Object ids of the direct members (users and groups) of group {@code groupId}; empty for unknown groups. */
  Set<String> directMembers(String groupId);

  /**
   * The users in {@code groupId}, nested groups resolved (cycles tolerated). Override with
   * {@code /groups/{id}/transitiveMembers} where the directory can answer in one call.
   */
  default Set<DirectoryUser> transitiveUserMembers(String groupId) {
    Set<DirectoryUser> users = new LinkedHashSet<>();
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(groupId));
    while (!todo.isEmpty()) {
      String current = todo.pop();
      if (!seen.add(current)) {
        continue;
      }
      for (String member : directMembers(current)) {
        Optional<DirectoryUser> user = user(member);
        if (user.isPresent()) {
          users.add(user.get());
        } else {
          todo.push(member);
        }
      }
    }
    return users;
  }

  /** Whether {@code userId} is a member of {@code groupId}, directly or through nested groups. */
  default boolean isTransitiveMember(String groupId, String userId) {
    return transitiveUserMembers(groupId).stream().anyMatch(u -> u.id().equals(userId));
  }

  /** Microsoft Graph's service principal in this tenant, whose {@code appRoles} name the permission ids. */
  default Optional<ServicePrincipal> microsoftGraph() {
    return servicePrincipal(AppId.MICROSOFT_GRAPH);
  }
}

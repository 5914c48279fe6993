package io.m365sync.policy;

import io.m365sync.Checks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A tenant's declared Exchange configuration for app-only mailbox access: application access
 * policies, management scopes and RBAC for Applications role assignments. Immutable.
 */
public record AccessPolicySet(List<ApplicationAccessPolicy> applicationAccessPolicies, List<ManagementScope> managementScopes,
                              List<ManagementRoleAssignment> roleAssignments) {
  /** @throws UnknownManagementScopeException if a role assignment names an undeclared scope */
  public AccessPolicySet {
    applicationAccessPolicies = List.copyOf(applicationAccessPolicies);
    managementScopes = List.copyOf(managementScopes);
    roleAssignments = List.copyOf(roleAssignments);
    Map<String, ManagementScope> byName = new HashMap<>();
    for (ManagementScope scope : managementScopes) {
      if (byName.put(scope.name().toLowerCase(java.util.Locale.ROOT), scope) != null) {
        throw new IllegalArgumentException("Management scope '" + scope.name() + "' is declared twice");
      }
    }
    for (ManagementRoleAssignment a : roleAssignments) {
      if (a.customResourceScope() != null && !byName.containsKey(a.customResourceScope().toLowerCase(java.util.Locale.ROOT))) {
        throw new UnknownManagementScopeException(a.customResourceScope());
      }
    }
  }

  public static AccessPolicySet empty() {
    return new AccessPolicySet(List.of(), List.of(), List.of());
  }

  public static AccessPolicySet of(ApplicationAccessPolicy... policies) {
    return new AccessPolicySet(List.of(policies), List.of(), List.of());
  }

  public AccessPolicySet with(ApplicationAccessPolicy policy) {
    List<ApplicationAccessPolicy> p = new ArrayList<>(applicationAccessPolicies);
    p.add(Checks.requireNonNull(policy, "policy"));
    return new AccessPolicySet(p, managementScopes, roleAssignments);
  }

  public AccessPolicySet with(ManagementScope scope) {
    List<ManagementScope> s = new ArrayList<>(managementScopes);
    s.add(Checks.requireNonNull(scope, "scope"));
    return new AccessPolicySet(applicationAccessPolicies, s, roleAssignments);
  }

  public AccessPolicySet with(ManagementRoleAssignment assignment) {
    List<ManagementRoleAssignment> a = new ArrayList<>(roleAssignments);
    a.add(Checks.requireNonNull(assignment, "assignment"));
    return new AccessPolicySet(applicationAccessPolicies, managementScopes, a);
  }

  public AccessPolicySet without(ApplicationAccessPolicy policy) {
    List<ApplicationAccessPolicy> p = new ArrayList<>(applicationAccessPolicies);
    p.remove(policy);
    return new AccessPolicySet(p, managementScopes, roleAssignments);
  }

  public Optional<ManagementScope> scope(String name) {
    return managementScopes.stream().filter(s -> s.name().equalsIgnoreCase(name)).findFirst();
  }

  /** Application access policies that apply to {@code app} (including {@code *} ones). */
  public List<ApplicationAccessPolicy> policiesFor(AppId app) {
    return applicationAccessPolicies.stream().filter(p -> p.targets(app)).toList();
  }

  /** Role assignments of {@code app}. */
  public List<ManagementRoleAssignment> assignmentsFor(AppId app) {
    return roleAssignments.stream().filter(a -> a.app().equals(app)).toList();
  }

  /** Whether anything here limits {@code app}: an application access policy or an RBAC role assignment. */
  public boolean limits(AppId app) {
    return !policiesFor(app).isEmpty() || !assignmentsFor(app).isEmpty();
  }

  /** The newest creation time of anything in the set that concerns {@code app}; empty if nothing does. */
  public Optional<Instant> lastChangeFor(AppId app) {
    return Stream.concat(policiesFor(app).stream().map(ApplicationAccessPolicy::createdAt),
        assignmentsFor(app).stream().map(ManagementRoleAssignment::createdAt)).max(Instant::compareTo);
  }
}

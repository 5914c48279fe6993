package io.m365sync.policy;

import io.m365sync.Checks;
import io.m365sync.TenantId;
import io.m365sync.policy.AccessPolicyTestResult.Rule;
import io.m365sync.policy.MailboxAccess.Mechanism;
import io.m365sync.policy.RbacAuthorization.InScope;
import io.m365sync.policy.RbacAuthorization.ScopeType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Evaluates a tenant's declared {@link AccessPolicySet} for one app the way Exchange Online does,
 * resolving (nested) scope groups through the {@link DirectoryReader}. Answers like
 * {@code Test-ApplicationAccessPolicy} and {@code Test-ServicePrincipalAuthorization}.
 *
 * <p>Stateless apart from its collaborators; thread-safe if the directory is.
 */
public final class AccessPolicyEvaluator {
  private final TenantId tenant;
  private final AppId app;
  private final DirectoryReader directory;

  public AccessPolicyEvaluator(TenantId tenant, AppId app, DirectoryReader directory) {
    this.tenant = Checks.requireNonNull(tenant, "tenant");
    this.app = Checks.requireNonNull(app, "app");
    this.directory = Checks.requireNonNull(directory, "directory");
  }

  public AppId app() {
    return app;
  }

  /**
   * {@code Test-ApplicationAccessPolicy -Identity <identity> -AppId <app>}.
   *
   * @param identity the mailbox's user object id or UPN
   * @throws UnknownRecipientException if the directory does not know {@code identity}
   * @throws UnknownGroupException if a policy's scope group does not exist
   * @throws InvalidScopeGroupException if a policy's scope group is not a mail-enabled security group
   */
  public AccessPolicyTestResult testApplicationAccessPolicy(AccessPolicySet policies, String identity) {
    return testApplicationAccessPolicy(policies, resolveUser(identity));
  }

  /** As {@link #testApplicationAccessPolicy(AccessPolicySet, String)} for a resolved user. */
  public AccessPolicyTestResult testApplicationAccessPolicy(AccessPolicySet policies, DirectoryUser mailbox) {
    List<ApplicationAccessPolicy> mine = policies.policiesFor(app);
    if (mine.isEmpty()) {
      return new AccessPolicyTestResult(app, mailbox, true, Rule.NO_POLICY, null);
    }
    // 1+2: DenyAccess beats RestrictAccess; a matching DenyAccess denies.
    for (ApplicationAccessPolicy p : mine) {
      if (p.accessRight() == AccessRight.DENY_ACCESS && inScope(p, mailbox)) {
        return new AccessPolicyTestResult(app, mailbox, false, Rule.DENY_ACCESS_MATCH, p);
      }
    }
    // 3: a matching RestrictAccess grants.
    boolean anyRestrict = false;
    for (ApplicationAccessPolicy p : mine) {
      if (p.accessRight() == AccessRight.RESTRICT_ACCESS) {
        anyRestrict = true;
        if (inScope(p, mailbox)) {
          return new AccessPolicyTestResult(app, mailbox, true, Rule.RESTRICT_ACCESS_MATCH, p);
        }
      }
    }
    // 4: RestrictAccess exists but the mailbox is in none; 5: otherwise grant.
    return anyRestrict
        ? new AccessPolicyTestResult(app, mailbox, false, Rule.RESTRICT_ACCESS_NOT_IN_SCOPE, null)
        : new AccessPolicyTestResult(app, mailbox, true, Rule.DENY_ACCESS_NOT_IN_SCOPE, null);
  }

  /**
   * Whether one policy of this app covers a mailbox (its scope group contains it), for explaining a
   * single policy.
   *
   * @throws PolicyForAnotherAppException if {@code policy} does not apply to this app
   */
  public boolean covers(ApplicationAccessPolicy policy, String identity) {
    if (!policy.targets(app)) {
      throw new PolicyForAnotherAppException(app, policy.appIdArgument(), "Application access policy on " + policy.scopeGroup());
    }
    return inScope(policy, resolveUser(identity));
  }

  /**
   * {@code Test-ServicePrincipalAuthorization -Identity <app> [-Resource <mailbox>]}: one row per
   * role assignment of this app.
   *
   * @param mailbox the {@code -Resource}; null for "Not Run"
   */
  public List<RbacAuthorization> testServicePrincipalAuthorization(AccessPolicySet policies, DirectoryUser mailbox) {
    List<RbacAuthorization> rows = new ArrayList<>();
    for (ManagementRoleAssignment a : policies.assignmentsFor(app)) {
      rows.add(row(policies, a, mailbox));
    }
    return rows;
  }

  /**
   * Explains one role assignment.
   *
   * @throws PolicyForAnotherAppException if {@code assignment} belongs to another app
   */
  public RbacAuthorization explain(AccessPolicySet policies, ManagementRoleAssignment assignment, String identity) {
    if (!assignment.app().equals(app)) {
      throw new PolicyForAnotherAppException(app, assignment.app().value(), "Role assignment '" + assignment.role() + "'");
    }
    return row(policies, assignment, resolveUser(identity));
  }

  /**
   * Whether app-only calls with {@code permission} reach {@code mailbox}.
   *
   * @param tenantWideConsent whether the app holds a tenant-wide Entra consent (app role assignment)
   *     for {@code permission}
   */
  public MailboxAccess evaluate(AccessPolicySet policies, DirectoryUser mailbox, String permission, boolean tenantWideConsent) {
    Checks.requireText(permission, "permission");
    if (!PermissionMatrix.scopable(permission)) {
      return new MailboxAccess(permission, tenantWideConsent, Mechanism.NOT_SCOPABLE, tenantWideConsent
          ? permission + " is tenant-wide: neither application access policies nor RBAC for Applications can scope it; "
              + "only m365sync's enrollment gate limits it"
          : permission + " is not consented to app " + app, null, List.of());
    }
    List<RbacAuthorization> rows = testServicePrincipalAuthorization(policies, mailbox).stream()
        .filter(r -> r.grantedPermission().equals(permission)).toList();
    Optional<RbacAuthorization> inScope = rows.stream().filter(r -> r.inScope() == InScope.TRUE).findFirst();
    if (inScope.isPresent()) {
      RbacAuthorization r = inScope.get();
      return new MailboxAccess(permission, true, Mechanism.RBAC_FOR_APPLICATIONS, "Granted: role '" + r.roleName()
          + "' assigned to app " + app + " with scope " + r.allowedResourceScope() + " contains " + mailbox.userPrincipalName(),
          null, rows);
    }
    if (tenantWideConsent) {
      AccessPolicyTestResult aap = testApplicationAccessPolicy(policies, mailbox);
      String explanation = aap.explanation();
      if (aap.granted() && !rows.isEmpty()) {
        explanation += "; the tenant-wide Entra consent for " + permission
            + " makes the RBAC scope useless (remove the Entra app role assignment)";
      }
      return new MailboxAccess(permission, aap.granted(), Mechanism.APPLICATION_ACCESS_POLICY, explanation, aap, rows);
    }
    String why = rows.isEmpty()
        ? "Denied: app " + app + " has neither a tenant-wide Entra consent nor an RBAC role assignment for " + permission
        : "Denied: no RBAC scope of role '" + PermissionMatrix.rbacRole(permission) + "' contains " + mailbox.userPrincipalName();
    return new MailboxAccess(permission, false, Mechanism.NO_GRANT, why, null, rows);
  }

  /**
   * Resolves a mailbox identity.
   *
   * @throws UnknownRecipientException if the directory does not know it
   */
  public DirectoryUser resolveUser(String identity) {
    Checks.requireText(identity, "identity");
    return directory.user(identity).orElseThrow(() -> new UnknownRecipientException(tenant, identity));
  }

  /**
   * The users a policy's scope group contains, nested groups resolved.
   *
   * @throws UnknownGroupException if the scope group does not exist
   * @throws InvalidScopeGroupException if it is not a mail-enabled security group
   */
  public List<DirectoryUser> scopeMembers(ApplicationAccessPolicy policy) {
    Optional<DirectoryGroup> group = scopeGroup(policy.scopeGroup());
    if (group.isPresent()) {
      return List.copyOf(directory.transitiveUserMembers(group.get().id()));
    }
    return List.of(directory.user(policy.scopeGroup()).orElseThrow());
  }

  private RbacAuthorization row(AccessPolicySet policies, ManagementRoleAssignment a, DirectoryUser mailbox) {
    if (a.organizationWide()) {
      return new RbacAuthorization(a.role(), a.permission(), "Organization", ScopeType.ORGANIZATION,
          mailbox == null ? InScope.NOT_RUN : InScope.TRUE, a);
    }
    ManagementScope scope = policies.scope(a.customResourceScope()).orElseThrow(
        () -> new UnknownManagementScopeException(a.customResourceScope()));
    InScope in = mailbox == null ? InScope.NOT_RUN : scope.filter().matches(mailbox) ? InScope.TRUE : InScope.FALSE;
    return new RbacAuthorization(a.role(), a.permission(), scope.name(), ScopeType.CUSTOM_RECIPIENT_SCOPE, in, a);
  }

  private boolean inScope(ApplicationAccessPolicy policy, DirectoryUser mailbox) {
    Optional<DirectoryGroup> group = scopeGroup(policy.scopeGroup());
    if (group.isPresent()) {
      return directory.isTransitiveMember(group.get().id(), mailbox.id());
    }
    return directory.user(policy.scopeGroup()).map(u -> u.id().equals(mailbox.id())).orElse(false);
  }

  /** The policy scope as a group; empty when it names a single mailbox. */
  private Optional<DirectoryGroup> scopeGroup(String scopeGroup) {
    Optional<DirectoryGroup> group = directory.group(scopeGroup);
    if (group.isPresent()) {
      if (!group.get().kind().validPolicyScope()) {
        throw new InvalidScopeGroupException(tenant, scopeGroup, group.get().kind());
      }
      return group;
    }
    if (directory.user(scopeGroup).isPresent()) {
      return Optional.empty();
    }
    throw new UnknownGroupException(tenant, scopeGroup);
  }
}

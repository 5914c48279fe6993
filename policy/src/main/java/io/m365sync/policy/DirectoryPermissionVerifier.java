package io.m365sync.policy;

import io.m365sync.AuthMode;
import io.m365sync.Checks;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.access.PermissionReport;
import io.m365sync.access.PermissionVerifier;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.AppRegistrations;
import io.m365sync.policy.PermissionFinding.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A {@link PermissionVerifier} that checks the token's claims against the directory: application
 * permissions added to the app registration, admin consent (app role assignments on Microsoft
 * Graph's service principal, ids resolved through its {@code appRoles}), delegated permissions kept
 * for the add-in, and grants broader than the least set — in particular a tenant-wide Entra consent
 * next to an RBAC for Applications scope, which makes the scope useless.
 *
 * <p>Thread-safe if its sources are. Reads the directory on every call; cache at the caller.
 */
public final class DirectoryPermissionVerifier implements PermissionVerifier {
  private final Function<TenantId, AppId> apps;
  private final DirectorySource directories;
  private final AccessPolicySource policies;

  /**
   * @param app the CRM's application id
   * @param directories the tenants' directories
   * @param policies the tenants' declared Exchange configuration, to spot consents that defeat RBAC
   *     scopes; {@code tenant -> AccessPolicySet.empty()} if unknown
   */
  public DirectoryPermissionVerifier(AppId app, DirectorySource directories, AccessPolicySource policies) {
    this(AppIds.single(app), directories, policies);
  }

  /**
   * For hosts where each customer tenant registered its own app: the client id checked in a tenant
   * is the one {@code registrations} names for it when the check runs.
   */
  public DirectoryPermissionVerifier(AppRegistrations<?> registrations, DirectorySource directories,
                                     AccessPolicySource policies) {
    this(AppIds.of(registrations), directories, policies);
  }

  private DirectoryPermissionVerifier(Function<TenantId, AppId> apps, DirectorySource directories,
                                      AccessPolicySource policies) {
    this.apps = apps;
    this.directories = Checks.requireNonNull(directories, "directories");
    this.policies = Checks.requireNonNull(policies, "policies");
  }

  @Override
  public PermissionReport verify(TenantId tenant, Set<Resource> resources, AccessToken token) {
    Checks.requireNonNull(token, "token");
    return inspect(tenant, resources, token.mode(), token.permissions()).toPermissionReport();
  }

  /**
   * The full inspection.
   *
   * @param tokenPermissions the token's {@code roles} / {@code scp}; null to judge the directory alone
   */
  public PermissionInspection inspect(TenantId tenant, Set<Resource> resources, AuthMode mode, Set<String> tokenPermissions) {
    Checks.requireNonNull(tenant, "tenant");
    Checks.requireNonNull(resources, "resources");
    Checks.requireNonNull(mode, "mode");
    AppId app = apps.apply(tenant);
    AppPermissionState state = AppPermissionState.read(directories.directory(tenant), app);
    AccessPolicySet declared = policies.declared(tenant);
    List<PermissionFinding> findings = new ArrayList<>();
    Map<Resource, String> required = PermissionMatrix.required(resources, mode);

    if (state.graph().isEmpty()) {
      findings.add(new PermissionFinding(Kind.GRAPH_NOT_FOUND, null, "Microsoft Graph's service principal (appId "
          + AppId.MICROSOFT_GRAPH + ") was not found in tenant " + tenant + "; permission ids cannot be resolved"));
    }
    if (state.app().isEmpty()) {
      findings.add(new PermissionFinding(Kind.APP_NOT_FOUND, null, "App " + app + " has no service principal in tenant " + tenant
          + "; an admin must consent to it (or a user sign in to the add-in) first"));
    }
    state.unresolvedIds().forEach(u -> findings.add(new PermissionFinding(Kind.UNKNOWN_PERMISSION_ID, null, u)));

    delegatedFindings(resources, state, findings);
    boolean wantsApplication = mode == AuthMode.APPLICATION;
    Set<String> viaRbac = rbacGranted(app, declared);
    if (wantsApplication) {
      applicationFindings(app, resources, state, tokenPermissions, viaRbac, findings);
    }
    overBroadFindings(app, resources, state, declared, findings);

    Set<String> granted = new TreeSet<>();
    if (mode == AuthMode.APPLICATION && state.complete()) {
      granted.addAll(tokenPermissions == null ? state.consentedNames() : intersect(tokenPermissions, state.consentedNames()));
      granted.addAll(viaRbac); // Exchange grants these itself; app-only tokens do not carry them
    } else if (tokenPermissions != null) {
      granted.addAll(tokenPermissions);
    } else if (state.complete()) {
      granted.addAll(state.adminConsentedDelegated());
    }
    return new PermissionInspection(tenant, app, mode, resources, required, granted,
        PermissionMatrix.leastSet(resources, wantsApplication), findings);
  }

  private static void delegatedFindings(Set<Resource> resources, AppPermissionState state, List<PermissionFinding> findings) {
    if (state.registration().isEmpty() || state.graph().isEmpty()) {
      return; // multi-tenant app outside its home tenant: the registration is not visible here
    }
    for (String scope : PermissionMatrix.delegatedScopes(resources)) {
      if (!state.addedDelegated().contains(scope)) {
        findings.add(new PermissionFinding(Kind.DELEGATED_PERMISSION_REMOVED, scope, "Delegated permission " + scope
            + " is missing from the app registration; the Outlook add-in needs it even when background sync uses application permissions"));
      }
    }
  }

  private void applicationFindings(AppId app, Set<Resource> resources, AppPermissionState state, Set<String> token, Set<String> viaRbac,
                                   List<PermissionFinding> findings) {
    for (Resource resource : resources) {
      String permission = resource.applicationPermission();
      if (viaRbac.contains(permission) && !state.consentedNames().contains(permission)) {
        continue; // RBAC for Applications grants it without an Entra consent: the recommended scoped setup
      }
      boolean consented = PermissionMatrix.satisfies(state.consentedNames(), permission);
      boolean added = state.registration().isEmpty() || PermissionMatrix.satisfies(state.addedApplication(), permission);
      if (!consented && !added) {
        findings.add(new PermissionFinding(Kind.MISSING_APPLICATION_PERMISSION, permission, "Application permission " + permission
            + " (for " + resource + ") is not added to app " + app + (resource == Resource.TASKS ? "; Graph has no app-only Tasks.ReadWrite" : "")));
      } else if (!consented && state.complete()) {
        findings.add(new PermissionFinding(Kind.MISSING_ADMIN_CONSENT, permission, "Application permission " + permission
            + " is added to app " + app + " but an admin has not granted consent"));
      }
      if (token != null && state.complete()) {
        boolean inToken = PermissionMatrix.satisfies(token, permission);
        if (consented && !inToken) {
          findings.add(new PermissionFinding(Kind.MISSING_IN_TOKEN, permission, permission
              + " is consented but the app-only token does not carry it yet; acquire a new token (consent can take minutes to replicate)"));
        } else if (!consented && inToken) {
          findings.add(new PermissionFinding(Kind.REVOKED_BUT_IN_TOKEN, permission, permission
              + " is in the token but no longer consented in the directory; it stops working when the token expires"));
        }
      }
      if (!resource.coveredByAccessPolicies()) {
        findings.add(new PermissionFinding(Kind.NOT_SCOPABLE, permission, permission + " is tenant-wide: application access policies and "
            + "RBAC for Applications do not cover To Do, so only m365sync's enrollment gate limits which mailboxes it touches"));
      }
    }
  }

  private void overBroadFindings(AppId app, Set<Resource> resources, AppPermissionState state, AccessPolicySet declared, List<PermissionFinding> findings) {
    Set<String> needed = PermissionMatrix.applicationPermissions(resources);
    for (String permission : new TreeSet<>(state.consentedNames())) {
      List<ManagementRoleAssignment> scoped = declared.assignmentsFor(app).stream()
          .filter(a -> a.permission().equals(permission) && !a.organizationWide()).toList();
      if (!scoped.isEmpty()) {
        findings.add(new PermissionFinding(Kind.OVER_BROAD, permission, "Tenant-wide Entra consent for " + permission
            + " makes RBAC for Applications scope '" + scoped.get(0).customResourceScope() + "' useless (grants are additive); "
            + "remove the Entra app role assignment and keep the scoped role '" + scoped.get(0).role() + "'"));
      } else if (PermissionMatrix.HIGH_PRIVILEGE_APPLICATION_PERMISSIONS.contains(permission)) {
        findings.add(new PermissionFinding(Kind.OVER_BROAD, permission, "Application permission " + permission
            + " reaches far beyond mailbox sync; remove it"));
      } else if (!needed.contains(permission) && isMailboxPermission(permission)) {
        findings.add(new PermissionFinding(Kind.UNNEEDED, permission, "Application permission " + permission
            + " is consented but no enabled resource needs it; least set is " + needed));
      }
    }
  }

  /** Scopable permissions an RBAC for Applications role assignment grants to this app. */
  private Set<String> rbacGranted(AppId app, AccessPolicySet declared) {
    Set<String> out = new TreeSet<>();
    declared.assignmentsFor(app).stream().map(ManagementRoleAssignment::permission).filter(PermissionMatrix::scopable).forEach(out::add);
    return out;
  }

  private static boolean isMailboxPermission(String permission) {
    return PermissionMatrix.scopable(permission) || permission.startsWith("Tasks.");
  }

  private static Set<String> intersect(Set<String> token, Set<String> directory) {
    Set<String> out = new TreeSet<>(token);
    out.retainAll(directory);
    return out;
  }
}

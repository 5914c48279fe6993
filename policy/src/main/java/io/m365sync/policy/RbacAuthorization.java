package io.m365sync.policy;

import io.m365sync.Checks;

/**
 * One row of {@code Test-ServicePrincipalAuthorization -Identity <app> [-Resource <mailbox>]}.
 *
 * @param roleName e.g. {@code Application Mail.ReadWrite}
 * @param grantedPermission e.g. {@code Mail.ReadWrite}
 * @param allowedResourceScope the management scope name, or {@code Organization}
 * @param scopeType custom recipient scope or organization
 * @param inScope whether the tested mailbox is in the scope; {@link InScope#NOT_RUN} without a mailbox
 * @param assignment the role assignment the row comes from
 */
public record RbacAuthorization(String roleName, String grantedPermission, String allowedResourceScope, ScopeType scopeType,
                                InScope inScope, ManagementRoleAssignment assignment) {
  /** {@code ScopeType} column. Administrative-unit scopes are not modelled. */
  public enum ScopeType { CUSTOM_RECIPIENT_SCOPE, ORGANIZATION }

  /** {@code InScope} column. */
  public enum InScope { TRUE, FALSE, NOT_RUN }

  public RbacAuthorization {
    Checks.requireText(roleName, "roleName");
    Checks.requireText(grantedPermission, "grantedPermission");
    Checks.requireText(allowedResourceScope, "allowedResourceScope");
    Checks.requireNonNull(scopeType, "scopeType");
    Checks.requireNonNull(inScope, "inScope");
    Checks.requireNonNull(assignment, "assignment");
  }
}

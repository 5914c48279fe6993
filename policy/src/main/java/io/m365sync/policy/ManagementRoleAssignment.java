package io.m365sync.policy;

import io.m365sync.Checks;
import java.time.Instant;
import java.util.Optional;

/**
 * An RBAC for Applications role assignment ({@code New-ManagementRoleAssignment -App … -Role
 * "Application Mail.ReadWrite" [-CustomResourceScope …]}). Grants are additive to, and independent
 * of, tenant-wide Entra consents.
 *
 * @param app the application
 * @param role e.g. {@code Application Mail.ReadWrite}
 * @param customResourceScope the management scope name; null for organization-wide
 * @param createdAt when the admin created it
 */
public record ManagementRoleAssignment(AppId app, String role, String customResourceScope, Instant createdAt) {
  private static final String PREFIX = "Application ";

  public ManagementRoleAssignment {
    Checks.requireNonNull(app, "app");
    Checks.requireText(role, "role");
    if (!role.startsWith(PREFIX) || role.length() == PREFIX.length()) {
      throw new IllegalArgumentException("'role' must be an application role like 'Application Mail.ReadWrite' but was '" + role + "'");
    }
    if (customResourceScope != null) {
      Checks.requireText(customResourceScope, "customResourceScope");
    }
    Checks.requireNonNull(createdAt, "createdAt");
  }

  /** Assignment of {@code Application <permission>} to {@code app}, limited to {@code scope} (null: org-wide). */
  public static ManagementRoleAssignment of(AppId app, String permission, String scope, Instant createdAt) {
    return new ManagementRoleAssignment(app, PermissionMatrix.rbacRole(permission), scope, createdAt);
  }

  /** The Graph permission the role grants, e.g. {@code Mail.ReadWrite}. */
  public String permission() {
    return role.substring(PREFIX.length());
  }

  public Optional<String> scope() {
    return Optional.ofNullable(customResourceScope);
  }

  public boolean organizationWide() {
    return customResourceScope == null;
  }
}

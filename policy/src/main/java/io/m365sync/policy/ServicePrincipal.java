package io.m365sync.policy;

import io.m365sync.Checks;
import java.util.List;
import java.util.Optional;

/**
 * An enterprise application (service principal) in one tenant.
 *
 * @param id the service principal's object id in this tenant
 * @param appId the application id it represents
 * @param displayName for reports
 * @param appRoles the application permissions it exposes (for Microsoft Graph: {@code Mail.ReadWrite} …)
 * @param oauth2PermissionScopes the delegated permissions it exposes
 */
public record ServicePrincipal(String id, AppId appId, String displayName, List<PermissionDefinition> appRoles,
                               List<PermissionDefinition> oauth2PermissionScopes) {
  public ServicePrincipal {
    Checks.requireText(id, "id");
    Checks.requireNonNull(appId, "appId");
    Checks.requireText(displayName, "displayName");
    appRoles = List.copyOf(appRoles);
    oauth2PermissionScopes = List.copyOf(oauth2PermissionScopes);
  }

  /** The app role named {@code value}. */
  public Optional<PermissionDefinition> appRole(String value) {
    return appRoles.stream().filter(r -> r.value().equals(value)).findFirst();
  }

  /** The app role with {@code id}. */
  public Optional<PermissionDefinition> appRoleById(String roleId) {
    return appRoles.stream().filter(r -> r.id().equalsIgnoreCase(roleId)).findFirst();
  }

  /** The delegated scope named {@code value}. */
  public Optional<PermissionDefinition> scope(String value) {
    return oauth2PermissionScopes.stream().filter(r -> r.value().equals(value)).findFirst();
  }

  /** The delegated scope with {@code id}. */
  public Optional<PermissionDefinition> scopeById(String scopeId) {
    return oauth2PermissionScopes.stream().filter(r -> r.id().equalsIgnoreCase(scopeId)).findFirst();
  }
}

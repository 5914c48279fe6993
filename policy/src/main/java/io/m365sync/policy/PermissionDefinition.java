package io.m365sync.policy;

import io.m365sync.Checks;

/**
 * One entry of a resource service principal's {@code appRoles} (application permissions) or
 * {@code oauth2PermissionScopes} (delegated permissions). The ids differ between clouds and must be
 * read at runtime, never hard-coded.
 *
 * @param id the role or scope id (GUID)
 * @param value the permission name, e.g. {@code Mail.ReadWrite}
 */
public record PermissionDefinition(String id, String value) {
  public PermissionDefinition {
    Checks.requireText(id, "id");
    Checks.requireText(value, "value");
  }
}

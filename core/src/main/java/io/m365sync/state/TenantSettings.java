package io.m365sync.state;

import io.m365sync.Checks;
import io.m365sync.TenantId;

/**
 * Per-tenant sync configuration.
 *
 * @param applicationPermissionEnabled the admin ticked "enable application permission": background
 *     sync may use app-only tokens once the permissions verify
 */
public record TenantSettings(TenantId tenant, boolean applicationPermissionEnabled) {
  public TenantSettings {
    Checks.requireNonNull(tenant, "tenant");
  }
}

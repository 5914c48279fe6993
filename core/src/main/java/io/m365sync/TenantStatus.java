package io.m365sync;

import io.m365sync.access.PermissionReport;
import java.time.Instant;

/**
 * Application mode's state for one tenant, as the host's monitor shows it.
 *
 * @param applicationEnabled the tenant's setting
 * @param appMode NOT_ENABLED, ACTIVE (app token works and permissions verified), INACTIVE (enabled but failing)
 * @param reasonCode why INACTIVE, e.g. {@code AADSTS7000215}; null otherwise
 * @param reason human explanation; null when ACTIVE
 * @param since when {@code appMode} last changed
 * @param permissions the last permission report; null before the first app token
 * @param retryAt when application mode will be tried again after a tenant-wide failure; null otherwise
 */
public record TenantStatus(TenantId tenant, boolean applicationEnabled, AppMode appMode, String reasonCode,
                           String reason, Instant since, PermissionReport permissions, Instant retryAt) {

  public enum AppMode { NOT_ENABLED, UNVERIFIED, ACTIVE, INACTIVE }

  public TenantStatus {
    Checks.requireNonNull(tenant, "tenant");
    Checks.requireNonNull(appMode, "appMode");
  }
}

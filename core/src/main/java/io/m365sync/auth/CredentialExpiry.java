package io.m365sync.auth;

import io.m365sync.Checks;
import io.m365sync.TenantId;
import java.time.Instant;

/**
 * A tenant's app credential and when it expires, as the host's {@link AppRegistrations} said.
 *
 * @param tenant the tenant
 * @param clientId the app registration's client id
 * @param expiresAt when its secret or certificate stops working
 */
public record CredentialExpiry(TenantId tenant, String clientId, Instant expiresAt) {
  public CredentialExpiry {
    Checks.requireNonNull(tenant, "tenant");
    Checks.requireText(clientId, "clientId");
    Checks.requireNonNull(expiresAt, "expiresAt");
  }

  /** Whether it has expired at {@code now}. */
  public boolean expiredAt(Instant now) {
    return !expiresAt.isAfter(now);
  }
}

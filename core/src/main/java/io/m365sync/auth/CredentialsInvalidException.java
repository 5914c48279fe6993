package io.m365sync.auth;

import io.m365sync.TenantId;

/**
 * The application's own credentials were refused (wrong or expired secret, bad certificate, app
 * not in the tenant, unknown tenant). Tenant-wide: every mailbox of the tenant is affected, so
 * the engine stops application mode for the tenant once instead of failing per mailbox.
 */
public final class CredentialsInvalidException extends TokenException {
  private static final long serialVersionUID = 1L;

  private final String clientId;

  public CredentialsInvalidException(TenantId tenant, String clientId, String errorCode, String reason, Throwable cause) {
    super("Application credentials of client " + clientId + " were refused in tenant " + tenant
        + " (" + errorCode + "): " + reason, tenant, null, errorCode, false, cause);
    this.clientId = clientId;
  }

  public String clientId() {
    return clientId;
  }
}

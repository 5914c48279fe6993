package io.m365sync.gateway;

import io.m365sync.MailboxId;
import io.m365sync.Resource;

/** An application access policy or RBAC for Applications blocks app-only access to this mailbox (403 {@code ErrorAccessDenied} "Access to OData is disabled"). */
public final class AccessDeniedByPolicyException extends GatewayException {
  private static final long serialVersionUID = 1L;

  public AccessDeniedByPolicyException(String message, MailboxId mailbox, Resource resource, int status, String code, String requestId, Throwable cause) {
    super(message, mailbox, resource, status, code, requestId, false, cause);
  }
}

package io.m365sync.gateway;

import io.m365sync.MailboxId;
import io.m365sync.Resource;

/** Graph refused the access token (401 {@code InvalidAuthenticationToken}); a fresh token may help. */
public final class TokenRejectedException extends GatewayException {
  private static final long serialVersionUID = 1L;

  public TokenRejectedException(String message, MailboxId mailbox, Resource resource, int status, String code, String requestId, Throwable cause) {
    super(message, mailbox, resource, status, code, requestId, true, cause);
  }
}

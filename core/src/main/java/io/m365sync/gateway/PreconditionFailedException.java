package io.m365sync.gateway;

import io.m365sync.MailboxId;
import io.m365sync.Resource;

/** The item changed since the given etag ({@code If-Match} → 412). */
public final class PreconditionFailedException extends GatewayException {
  private static final long serialVersionUID = 1L;

  public PreconditionFailedException(String message, MailboxId mailbox, Resource resource, int status, String code, String requestId, Throwable cause) {
    super(message, mailbox, resource, status, code, requestId, false, cause);
  }
}

package io.m365sync.gateway;

import io.m365sync.MailboxId;
import io.m365sync.Resource;

/** The item is gone ({@code ErrorItemNotFound}). */
public final class ItemNotFoundException extends GatewayException {
  private static final long serialVersionUID = 1L;

  public ItemNotFoundException(String message, MailboxId mailbox, Resource resource, int status, String code, String requestId, Throwable cause) {
    super(message, mailbox, resource, status, code, requestId, false, cause);
  }
}

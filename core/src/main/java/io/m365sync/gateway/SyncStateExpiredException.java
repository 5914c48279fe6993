package io.m365sync.gateway;

import io.m365sync.MailboxId;
import io.m365sync.Resource;

/** The stored delta link is no longer valid (410 {@code SyncStateNotFound} / {@code resyncRequired}): restart a full round. */
public final class SyncStateExpiredException extends GatewayException {
  private static final long serialVersionUID = 1L;

  public SyncStateExpiredException(String message, MailboxId mailbox, Resource resource, int status, String code, String requestId, Throwable cause) {
    super(message, mailbox, resource, status, code, requestId, false, cause);
  }
}

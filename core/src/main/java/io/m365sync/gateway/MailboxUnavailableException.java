package io.m365sync.gateway;

import io.m365sync.MailboxId;
import io.m365sync.Resource;

/** The mailbox cannot be reached through REST (inactive, soft-deleted, on-premises, unlicensed: {@code MailboxNotEnabledForRESTAPI}). */
public final class MailboxUnavailableException extends GatewayException {
  private static final long serialVersionUID = 1L;

  public MailboxUnavailableException(String message, MailboxId mailbox, Resource resource, int status, String code, String requestId, Throwable cause) {
    super(message, mailbox, resource, status, code, requestId, false, cause);
  }
}

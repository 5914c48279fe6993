package io.m365sync.gateway;

import io.m365sync.MailboxId;
import io.m365sync.Resource;

/** Graph or the network failed for now (5xx, timeout, dropped connection); retry with backoff. */
public final class RemoteUnavailableException extends GatewayException {
  private static final long serialVersionUID = 1L;

  public RemoteUnavailableException(String message, MailboxId mailbox, Resource resource, int status, String code,
                                    String requestId, Throwable cause) {
    super(message, mailbox, resource, status, code, requestId, true, cause);
  }
}

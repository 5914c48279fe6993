package io.m365sync.gateway;

import io.m365sync.MailboxId;
import io.m365sync.Resource;

/** Graph rejected the request for another reason (400, a 403 that is not an access policy, …); retrying will not help. */
public final class RequestRejectedException extends GatewayException {
  private static final long serialVersionUID = 1L;

  public RequestRejectedException(String message, MailboxId mailbox, Resource resource, int status, String code,
                                  String requestId, Throwable cause) {
    super(message, mailbox, resource, status, code, requestId, false, cause);
  }
}

package io.m365sync.gateway;

import io.m365sync.M365SyncException;
import io.m365sync.MailboxId;
import io.m365sync.Resource;

/** Microsoft 365 answered a mailbox request with an error. Carries Graph's status, code and request id. */
public abstract class GatewayException extends M365SyncException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final String requestId;

  protected GatewayException(String message, MailboxId mailbox, Resource resource, int status, String code,
                             String requestId, boolean retryable, Throwable cause) {
    super(message + " [mailbox " + mailbox + (resource != null ? ", " + resource : "") + ", HTTP " + status
        + (code != null ? " " + code : "") + (requestId != null ? ", request-id " + requestId : "") + "]",
        null, mailbox, resource, retryable, cause);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }

  /** The HTTP status; 0 when no response arrived. */
  public int status() {
    return status;
  }

  /** Graph's {@code error.code}; may be null. */
  public String code() {
    return code;
  }

  /** Graph's {@code request-id}; may be null. */
  public String requestId() {
    return requestId;
  }
}

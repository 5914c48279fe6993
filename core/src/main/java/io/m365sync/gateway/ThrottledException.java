package io.m365sync.gateway;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import java.time.Duration;

/** Graph throttled this app on this mailbox (429, or 503 with {@code Retry-After}). */
public final class ThrottledException extends GatewayException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public ThrottledException(String message, MailboxId mailbox, Resource resource, int status, String code,
                            String requestId, Duration retryAfter, Throwable cause) {
    super(message + " (retry after " + retryAfter + ")", mailbox, resource, status, code, requestId, true, cause);
    this.retryAfter = retryAfter;
  }

  /** How long to leave this mailbox alone; never null. */
  public Duration retryAfter() {
    return retryAfter;
  }
}

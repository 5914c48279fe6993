package io.m365sync.auth;

import io.m365sync.MailboxId;
import io.m365sync.TenantId;
import java.time.Duration;
import java.util.Optional;

/**
 * The token endpoint failed for now — no answer, 5xx, 429, {@code temporarily_unavailable}, or an
 * answer that is not the identity platform's (an empty or unreadable body, a gateway's page) — so
 * nothing was refused; retry with backoff.
 */
public final class TransientAuthFailureException extends TokenException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public TransientAuthFailureException(TenantId tenant, MailboxId mailbox, String errorCode, String reason,
                                       Duration retryAfter, Throwable cause) {
    super("Token endpoint unavailable for " + (mailbox != null ? "mailbox " + mailbox : "tenant " + tenant)
        + " (" + errorCode + "): " + reason, tenant, mailbox, errorCode, true, cause);
    this.retryAfter = retryAfter;
  }

  /** The server's hint, if it sent one. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}

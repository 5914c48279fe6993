package io.m365sync.auth;

import io.m365sync.M365SyncException;
import io.m365sync.MailboxId;
import io.m365sync.TenantId;

/** A token could not be acquired. The subclasses say who has to act. */
public abstract class TokenException extends M365SyncException {
  private static final long serialVersionUID = 1L;

  private final String errorCode;

  protected TokenException(String message, TenantId tenant, MailboxId mailbox, String errorCode,
                           boolean retryable, Throwable cause) {
    super(message, tenant, mailbox, null, retryable, cause);
    this.errorCode = errorCode;
  }

  /** The identity platform's code, e.g. {@code AADSTS700082}, or a short code of ours; may be null. */
  public String errorCode() {
    return errorCode;
  }
}

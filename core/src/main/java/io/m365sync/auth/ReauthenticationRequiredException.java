package io.m365sync.auth;

import io.m365sync.MailboxId;

/**
 * The user's delegated grant is gone (inactivity, revocation, password reset, sign-in frequency):
 * only a new sign-in to the add-in brings it back.
 */
public final class ReauthenticationRequiredException extends TokenException {
  private static final long serialVersionUID = 1L;

  public ReauthenticationRequiredException(MailboxId mailbox, String errorCode, String reason, Throwable cause) {
    super("Mailbox " + mailbox + " needs its owner to sign in again (" + errorCode + "): " + reason,
        null, mailbox, errorCode, false, cause);
  }
}

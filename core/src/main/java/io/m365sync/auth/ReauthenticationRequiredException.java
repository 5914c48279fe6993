package io.m365sync.auth;

import io.m365sync.MailboxId;
import java.util.Optional;

/**
 * The user's delegated grant is gone (inactivity, revocation, password reset, sign-in frequency) or
 * Conditional Access wants more of the user (MFA, a compliant device, a blocked location): only a new
 * sign-in to the add-in brings it back. When the identity platform sent a {@code claims} challenge,
 * {@link #claimsChallenge()} carries it for the host to pass to that sign-in.
 */
public final class ReauthenticationRequiredException extends TokenException {
  private static final long serialVersionUID = 1L;

  private final String claimsChallenge;

  public ReauthenticationRequiredException(MailboxId mailbox, String errorCode, String reason, Throwable cause) {
    this(mailbox, errorCode, reason, null, cause);
  }

  /**
   * @param claimsChallenge the {@code claims} JSON of the token endpoint's answer, for the interactive
   *     sign-in's {@code claims} parameter; null when none was sent
   */
  public ReauthenticationRequiredException(MailboxId mailbox, String errorCode, String reason, String claimsChallenge,
                                           Throwable cause) {
    super("Mailbox " + mailbox + " needs its owner to sign in again (" + errorCode + "): " + reason
        + (claimsChallenge == null ? "" : " (a claims challenge is attached)"), null, mailbox, errorCode, false, cause);
    this.claimsChallenge = claimsChallenge == null || claimsChallenge.isBlank() ? null : claimsChallenge;
  }

  /** The Conditional Access {@code claims} challenge to pass to the user's next sign-in, if one was sent. */
  public Optional<String> claimsChallenge() {
    return Optional.ofNullable(claimsChallenge);
  }
}

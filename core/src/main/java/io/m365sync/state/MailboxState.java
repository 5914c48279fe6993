package io.m365sync.state;

import io.m365sync.AuthMode;
import io.m365sync.Checks;
import io.m365sync.MailboxId;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A mailbox's status as the host's monitor shows it.
 *
 * @param mailbox which mailbox
 * @param status the status
 * @param mode the auth mode of the last round; null before the first
 * @param reasonCode a machine-readable reason (e.g. {@code AADSTS700082}, {@code ErrorAccessDenied}); may be null
 * @param reason a human explanation; may be null
 * @param since when the status or reason code last changed
 * @param nextAttempt the earliest time the engine will try again; null: next cycle
 * @param lastAttemptAt when the last round started; null if never
 * @param lastSuccessAt when a round last finished with something synced; null if never. A mailbox
 *     whose due resources a cycle's idle probe found unchanged (or that is push-fed and idle) runs no
 *     round, so this, {@code lastAttemptAt} and the status stay as the last round left them
 * @param lastDuration how long the last round took; null if never ran
 * @param delegatedDeadSince when the user's delegated token was found dead; null while it lives.
 *     No delegated token is requested again until the user signs in.
 * @param notifiedAt when the host was last told the user must sign in; null if not in this episode
 * @param consecutiveFailures failed rounds in a row, for backoff
 */
public record MailboxState(MailboxId mailbox, MailboxStatus status, AuthMode mode, String reasonCode, String reason,
                           Instant since, Instant nextAttempt, Instant lastAttemptAt, Instant lastSuccessAt,
                           Duration lastDuration, Instant delegatedDeadSince, Instant notifiedAt,
                           int consecutiveFailures) {
  public MailboxState {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(status, "status");
    Checks.requireNonNull(since, "since");
  }

  public static MailboxState pending(MailboxId mailbox, Instant now) {
    return new MailboxState(mailbox, MailboxStatus.PENDING, null, null, null, now, null, null, null, null, null, null, 0);
  }

  /** Whether a round has ever finished with something synced. */
  public boolean everSynced() {
    return lastSuccessAt != null;
  }

  public boolean delegatedAlive() {
    return delegatedDeadSince == null;
  }

  /** Whether status or reason code differ from {@code other}'s. */
  public boolean differsFrom(MailboxState other) {
    return other == null || status != other.status || !Objects.equals(reasonCode, other.reasonCode);
  }

  /** A copy with a new status; {@code since} moves only if the status or reason code changed. */
  public MailboxState withStatus(MailboxStatus newStatus, AuthMode newMode, String newReasonCode, String newReason,
                                 Instant now, Instant newNextAttempt) {
    boolean changed = newStatus != status || !Objects.equals(newReasonCode, reasonCode);
    return new MailboxState(mailbox, newStatus, newMode, newReasonCode, newReason, changed ? now : since,
        newNextAttempt, lastAttemptAt, lastSuccessAt, lastDuration, delegatedDeadSince, notifiedAt, consecutiveFailures);
  }

  /** A copy recording a finished round. */
  public MailboxState withRun(Instant attemptAt, Duration duration, boolean synced, boolean failed) {
    return new MailboxState(mailbox, status, mode, reasonCode, reason, since, nextAttempt, attemptAt,
        synced ? attemptAt.plus(duration) : lastSuccessAt, duration, delegatedDeadSince, notifiedAt,
        failed ? consecutiveFailures + 1 : 0);
  }

  public MailboxState withDelegatedDeadSince(Instant when) {
    return new MailboxState(mailbox, status, mode, reasonCode, reason, since, nextAttempt, lastAttemptAt,
        lastSuccessAt, lastDuration, when, notifiedAt, consecutiveFailures);
  }

  public MailboxState withNotifiedAt(Instant when) {
    return new MailboxState(mailbox, status, mode, reasonCode, reason, since, nextAttempt, lastAttemptAt,
        lastSuccessAt, lastDuration, delegatedDeadSince, when, consecutiveFailures);
  }
}

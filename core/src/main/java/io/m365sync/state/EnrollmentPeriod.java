package io.m365sync.state;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import java.time.Instant;

/**
 * A span during which a mailbox was enrolled, for the access audit: it opens when the store first
 * records the enrollment (at the mailbox's sign-in time) and closes when the engine unenrolls it.
 *
 * @param mailbox the mailbox
 * @param enrolledAt when the span began
 * @param unenrolledAt when it ended; null while the mailbox is still enrolled. Before {@code enrolledAt}
 *     only when clocks disagreed; such a period covers nothing
 */
public record EnrollmentPeriod(MailboxId mailbox, Instant enrolledAt, Instant unenrolledAt) {
  public EnrollmentPeriod {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(enrolledAt, "enrolledAt");
  }

  /** Whether the mailbox was enrolled from {@code from} to {@code to}, both included. */
  public boolean covers(Instant from, Instant to) {
    return !from.isBefore(enrolledAt) && (unenrolledAt == null || !to.isAfter(unenrolledAt));
  }

  /** Whether the span shares at least one instant with {@code [from, to]}. */
  public boolean overlaps(Instant from, Instant to) {
    return !enrolledAt.isAfter(to) && (unenrolledAt == null || !unenrolledAt.isBefore(from));
  }
}

package io.m365sync.state;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * App-only rounds of one resource of one mailbox, for the access audit: application permissions could
 * reach every mailbox of the tenant, so each touch made with them is written down. Kept through an
 * unenroll (the audit is about what was touched, not about what is enrolled now) until
 * {@code SyncOptions.auditRetention} has passed.
 *
 * <p>A record is one round when written; the store then coalesces like rounds (see
 * {@link #coalescesWith}) into one record that counts them, so a mailbox polled every few minutes costs
 * the audit a record per resource per day rather than one per poll.
 *
 * @param mailbox the mailbox touched
 * @param resource the resource the rounds synced
 * @param startedAt when the first round's app-only attempt began
 * @param finishedAt when the last one ended; not before {@code startedAt}
 * @param outcome how they ended
 * @param requests the Graph requests they sent with the application token; at least 1 (an attempt that
 *     sent nothing touched nothing and is not recorded)
 * @param errorCode Graph's error code (or the engine's reason code) when they did not succeed; else null
 * @param rounds how many app-only rounds the record stands for; at least 1
 */
public record AccessRecord(MailboxId mailbox, Resource resource, Instant startedAt, Instant finishedAt,
                           Outcome outcome, int requests, String errorCode, int rounds) {

  /** How an app-only attempt ended. */
  public enum Outcome {
    /** The resource synced (or its round was held by the mass-change guard after reading). */
    SUCCEEDED,
    /** Graph refused app-only access (403 ErrorAccessDenied from an access policy or RBAC scope). */
    DENIED_BY_POLICY,
    /** Graph throttled the mailbox (429). */
    THROTTLED,
    /** The round lost its lease or the mailbox was unenrolled while it ran. */
    STOPPED,
    /** Any other failure. */
    FAILED
  }

  public AccessRecord {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(resource, "resource");
    Checks.requireNonNull(startedAt, "startedAt");
    Checks.requireNonNull(finishedAt, "finishedAt");
    Checks.requireNonNull(outcome, "outcome");
    if (finishedAt.isBefore(startedAt)) {
      throw new IllegalArgumentException("'finishedAt' (" + finishedAt + ") must not be before 'startedAt' ("
          + startedAt + ") for mailbox " + mailbox);
    }
    if (requests < 1) {
      throw new IllegalArgumentException("'requests' must be at least 1 but was " + requests);
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("'rounds' must be at least 1 but was " + rounds);
    }
  }

  /** One round. */
  public AccessRecord(MailboxId mailbox, Resource resource, Instant startedAt, Instant finishedAt, Outcome outcome,
                      int requests, String errorCode) {
    this(mailbox, resource, startedAt, finishedAt, outcome, requests, errorCode, 1);
  }

  /**
   * Whether a store may fold {@code later} into this record: the same mailbox, resource, outcome and
   * error code, both begun on the same UTC day. A store folds a round only into the mailbox-resource's
   * newest record, and only when the mailbox's open enrollment period began before both, so a folded
   * record never spans an unenroll and the audit holds it against the enrollment history as exactly as
   * the rounds it counts.
   */
  public boolean coalescesWith(AccessRecord later) {
    return mailbox.equals(later.mailbox) && resource == later.resource && outcome == later.outcome
        && Objects.equals(errorCode, later.errorCode) && dayOf(startedAt).equals(dayOf(later.startedAt));
  }

  /** This record and {@code other} as one: from the earlier start to the later finish, counts added. */
  public AccessRecord plus(AccessRecord other) {
    return new AccessRecord(mailbox, resource, startedAt.isAfter(other.startedAt) ? other.startedAt : startedAt,
        finishedAt.isBefore(other.finishedAt) ? other.finishedAt : finishedAt, outcome,
        Math.addExact(requests, other.requests), errorCode, Math.addExact(rounds, other.rounds));
  }

  /** The start of the UTC day {@code at} falls on: the span within which records coalesce. */
  public static Instant dayOf(Instant at) {
    return at.truncatedTo(ChronoUnit.DAYS);
  }

  /** Whether this record shares an instant with {@code [from, to)}: what an audit query over that span returns. */
  public boolean overlaps(Instant from, Instant to) {
    return startedAt.isBefore(to) && !finishedAt.isBefore(from);
  }
}

package io.m365sync.state;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import java.time.Instant;

/**
 * One app-only round of one resource of one mailbox, for the access audit: application permissions
 * could reach every mailbox of the tenant, so each touch made with them is written down. Kept through
 * an unenroll (the audit is about what was touched, not about what is enrolled now) until
 * {@code SyncOptions.auditRetention} has passed.
 *
 * @param mailbox the mailbox touched
 * @param resource the resource the round synced
 * @param startedAt when the resource's app-only attempt began
 * @param finishedAt when it ended; not before {@code startedAt}
 * @param outcome how it ended
 * @param requests the Graph requests it sent with the application token; at least 1 (an attempt that
 *     sent nothing touched nothing and is not recorded)
 * @param errorCode Graph's error code (or the engine's reason code) when it did not succeed; else null
 */
public record AccessRecord(MailboxId mailbox, Resource resource, Instant startedAt, Instant finishedAt,
                           Outcome outcome, int requests, String errorCode) {

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
  }
}

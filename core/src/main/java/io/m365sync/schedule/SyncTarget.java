package io.m365sync.schedule;

import io.m365sync.CycleReport;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;

/** What a scheduler drives: the engine, seen through the calls a scheduler needs. */
public interface SyncTarget {

  /** Syncs every enrolled mailbox that is due. */
  CycleReport runCycle();

  /**
   * A scheduler's entry for one mailbox: syncs it if it is due (not suspended, past its next attempt,
   * failure backoff and {@code Retry-After}) and not already syncing; otherwise reports that nothing
   * ran. Schedulers call this, never the host's {@code syncMailbox}, which ignores backoff.
   *
   * @throws io.m365sync.NotEnrolledException if the mailbox is not enrolled (drop its schedule)
   */
  MailboxSyncReport syncIfDue(MailboxId mailbox);

  /**
   * Periodic work that is not a mailbox round, run if due and cheap when nothing is: the delegated
   * keep-alive pass every {@code SyncOptions.keepAliveInterval}, never for mailboxes that need a
   * sign-in or are not enrolled. Schedulers call it at their own interval. Default: nothing.
   */
  default void upkeep() {}

  /**
   * After a round: how long until the mailbox's dirty marks (change notifications that arrived
   * during or since it) should be read, or empty when none are waiting (or the mailbox is
   * suspended, not enrolled, or change notifications are off). Schedulers that ran
   * {@link #syncIfDue} call it to run the next round sooner than their interval. Default: empty.
   */
  default java.util.Optional<java.time.Duration> pendingChanges(MailboxId mailbox) {
    return java.util.Optional.empty();
  }
}

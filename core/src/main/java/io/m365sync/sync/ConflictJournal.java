package io.m365sync.sync;

import io.m365sync.MailboxId;
import java.util.List;

/**
 * Where two-way syncers write every conflict they resolve, for the host to read (an audit trail, a
 * "review conflicts" screen). Entries are written before the decision is applied, so a crash may
 * write the same conflict twice (at least once, never lost). Implementations must be thread-safe;
 * a journal that throws fails the resource's round before anything of it is applied.
 */
public interface ConflictJournal {

  /** Appends an entry. */
  void record(Conflict conflict);

  /** The mailbox's entries, oldest first. */
  List<Conflict> entries(MailboxId mailbox);

  /** A thread-safe journal in this JVM's memory, keeping at most {@code capacity} entries per mailbox (oldest dropped). */
  static ConflictJournal inMemory(int capacity) {
    return new io.m365sync.internal.sync.InMemoryConflictJournal(capacity);
  }

  /** {@link #inMemory(int)} keeping 1,000 entries per mailbox. */
  static ConflictJournal inMemory() {
    return inMemory(1_000);
  }
}

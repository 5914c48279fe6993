package io.m365sync.internal;

import io.m365sync.MailboxId;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per mailbox, held only while someone uses it: entries are counted and removed when the
 * last user leaves, so memory follows the mailboxes in flight, not every mailbox ever seen. Each
 * entry also carries the "unenrolled" flag that stops the round holding the lock at its next Graph
 * request, so {@code unenroll} does not wait out a long round, and the mailbox's request slots: a
 * request whose answer comes after its round ended (a read sent twice, {@link HedgedReads}) keeps the
 * entry, so the next round finds the slot still taken, as Graph counts the request until it answers.
 */
final class MailboxLocks {

  /** A mailbox's lock, the stop flag of the round that holds it, and its Graph requests in flight. */
  final class Slot {
    final ReentrantLock lock = new ReentrantLock();
    final Semaphore requests = new Semaphore(requestsPerMailbox);
    private final MailboxId mailbox;
    volatile boolean stopped;
    private int users;

    private Slot(MailboxId mailbox) {
      this.mailbox = mailbox;
    }

    boolean stopped() {
      return stopped;
    }

    /** Keeps this entry (its request slots) until the returned action runs, once; taken while the entry is in use. */
    Runnable lease() {
      enter(mailbox);
      AtomicBoolean left = new AtomicBoolean();
      return () -> {
        if (left.compareAndSet(false, true)) {
          leave(mailbox);
        }
      };
    }
  }

  private final ConcurrentHashMap<MailboxId, Slot> slots = new ConcurrentHashMap<>();
  private final int requestsPerMailbox;

  /** {@code requestsPerMailbox}: the Graph requests a mailbox may have in flight at once. */
  MailboxLocks(int requestsPerMailbox) {
    this.requestsPerMailbox = requestsPerMailbox;
  }

  /** Runs {@code body} holding the mailbox's lock, waiting for it. */
  <T> T withLock(MailboxId mailbox, java.util.function.Function<Slot, T> body) {
    Slot slot = enter(mailbox);
    try {
      slot.lock.lock();
      try {
        return body.apply(slot);
      } finally {
        slot.lock.unlock();
      }
    } finally {
      leave(mailbox);
    }
  }

  /** Runs {@code body} holding the lock if it is free now; otherwise returns {@code busy}'s value. */
  <T> T tryWithLock(MailboxId mailbox, java.util.function.Function<Slot, T> body, Supplier<T> busy) {
    Slot slot = enter(mailbox);
    try {
      if (!slot.lock.tryLock()) {
        return busy.get();
      }
      try {
        return body.apply(slot);
      } finally {
        slot.lock.unlock();
      }
    } finally {
      leave(mailbox);
    }
  }

  /**
   * Takes the mailbox's lock if it is free now, for a holder that keeps it across calls (several
   * mailboxes at once, none waited for); null when it is busy. Closed on the thread that took it.
   */
  Held tryHold(MailboxId mailbox) {
    Slot slot = enter(mailbox);
    if (!slot.lock.tryLock()) {
      leave(mailbox);
      return null;
    }
    return new Held(mailbox, slot);
  }

  /** A lock taken by {@link #tryHold}; {@link #close} lets it go once. */
  final class Held implements AutoCloseable {
    private final MailboxId mailbox;
    private final Slot slot;
    private boolean closed;

    private Held(MailboxId mailbox, Slot slot) {
      this.mailbox = mailbox;
      this.slot = slot;
    }

    Slot slot() {
      return slot;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        slot.lock.unlock();
        leave(mailbox);
      }
    }
  }

  /**
   * Stops the round that holds the mailbox's lock (at its next Graph request or state write), then
   * runs {@code body} under the lock once that round has let go.
   */
  <T> T stopAndLock(MailboxId mailbox, Supplier<T> body) {
    Slot slot = enter(mailbox);
    try {
      slot.stopped = true;
      slot.lock.lock();
      try {
        return body.get();
      } finally {
        slot.stopped = false;
        slot.lock.unlock();
      }
    } finally {
      leave(mailbox);
    }
  }

  /** Mailboxes with a lock entry now (for memory tests). */
  int size() {
    return slots.size();
  }

  private Slot enter(MailboxId mailbox) {
    return slots.compute(mailbox, (k, s) -> {
      Slot slot = s != null ? s : new Slot(k);
      slot.users++;
      return slot;
    });
  }

  private void leave(MailboxId mailbox) {
    slots.computeIfPresent(mailbox, (k, s) -> --s.users == 0 ? null : s);
  }
}

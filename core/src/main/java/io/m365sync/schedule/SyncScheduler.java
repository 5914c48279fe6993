package io.m365sync.schedule;

import io.m365sync.MailboxId;
import io.m365sync.internal.InProcessScheduler;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Decides when (and, in a cluster, where) mailboxes sync. In-process by default; the jdbc module
 * adds a db-scheduler cluster scheduler with one task per mailbox.
 */
public interface SyncScheduler extends AutoCloseable {

  /**
   * Runs a whole cycle every {@code interval} on the host's executor (first run at once). Overlapping
   * runs are skipped, never queued. Never creates threads of its own. With change notifications, a
   * notification's round runs on the same executor after the debounce: give it at least two threads,
   * or that round waits behind a running cycle.
   */
  static SyncScheduler inProcess(ScheduledExecutorService executor, Duration interval) {
    return new InProcessScheduler(executor, interval);
  }

  /** Starts driving {@code target}. Called once by the engine's {@code start()}. */
  void start(SyncTarget target);

  /** A mailbox was enrolled (cluster schedulers add its task). */
  default void enrolled(MailboxId mailbox) {}

  /** A mailbox was unenrolled (cluster schedulers remove its task). */
  default void unenrolled(MailboxId mailbox) {}

  /**
   * Change notifications marked some of the mailbox's resources dirty: run its round (through
   * {@link SyncTarget#syncIfDue}) about {@code delay} from now, unless one is due sooner. Called on
   * the notification's request thread: only schedule. Cluster schedulers move the mailbox's task, so
   * whichever node runs it, exactly one does. Default: nothing (the next cycle reads the marks).
   */
  default void changed(MailboxId mailbox, java.time.Duration delay) {}

  /** Stops scheduling; rounds in flight finish. */
  @Override
  void close();
}

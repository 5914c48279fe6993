package io.m365sync.internal;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.NotEnrolledException;
import io.m365sync.schedule.SyncScheduler;
import io.m365sync.schedule.SyncTarget;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs whole cycles, then the engine's upkeep, at a fixed delay on the host's scheduled executor;
 * a change notification's round runs on the same executor after the debounce.
 */
public final class InProcessScheduler implements SyncScheduler {
  private static final Logger log = LoggerFactory.getLogger(InProcessScheduler.class);

  private final ScheduledExecutorService executor;
  private final Duration interval;
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile ScheduledFuture<?> future;
  private volatile SyncTarget target;
  private volatile boolean closed;
  private final ConcurrentHashMap<MailboxId, Planned> pending = new ConcurrentHashMap<>();

  public InProcessScheduler(ScheduledExecutorService executor, Duration interval) {
    this.executor = Checks.requireNonNull(executor, "executor");
    this.interval = Checks.requirePositive(interval, "interval");
  }

  @Override
  public synchronized void start(SyncTarget target) {
    if (future != null) {
      throw new IllegalStateException("scheduler already started");
    }
    this.target = target;
    future = executor.scheduleWithFixedDelay(() -> runOnce(target), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void runOnce(SyncTarget target) {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    try {
      runSafely("cycle", target::runCycle);
      runSafely("upkeep", target::upkeep);
    } finally {
      running.set(false);
    }
  }

  /** A failed run must not cancel the schedule. */
  private static void runSafely(String what, Runnable run) {
    try {
      run.run();
    } catch (RuntimeException e) {
      log.error("m365sync {} failed", what, e);
    }
  }

  /**
   * One round of the mailbox after {@code delay}, unless one is already planned no later; after it
   * (or if the mailbox was busy) it looks again for marks that came meanwhile.
   */
  @Override
  public void changed(MailboxId mailbox, Duration delay) {
    SyncTarget t = target;
    if (t == null || closed) {
      return; // not started: the first cycle reads the marks
    }
    long dueAt = System.nanoTime() + delay.toNanos();
    Planned fresh = new Planned(dueAt);
    Planned now = pending.compute(mailbox, (m, old) -> old != null && old.dueAt - dueAt <= 0 ? old : fresh);
    if (now != fresh) {
      return;
    }
    try {
      fresh.future = executor.schedule(() -> changeRound(t, mailbox, fresh), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      pending.remove(mailbox, fresh);
      log.debug("m365sync: executor refused the round of {}; the next cycle reads its marks", mailbox);
    }
  }

  private void changeRound(SyncTarget t, MailboxId mailbox, Planned planned) {
    if (!pending.remove(mailbox, planned)) {
      return; // replaced by an earlier one
    }
    try {
      t.syncIfDue(mailbox);
    } catch (NotEnrolledException e) {
      return;
    } catch (RuntimeException e) {
      log.error("m365sync round of {} after a change notification failed", mailbox, e);
    }
    try {
      t.pendingChanges(mailbox).ifPresent(next -> changed(mailbox, next));
    } catch (RuntimeException e) {
      log.warn("m365sync could not look for further changes of {}; the next cycle reads them", mailbox, e);
    }
  }

  /** A planned change round; {@code dueAt} on the nano clock. */
  private static final class Planned {
    final long dueAt;
    volatile ScheduledFuture<?> future;

    Planned(long dueAt) {
      this.dueAt = dueAt;
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    pending.values().forEach(p -> {
      if (p.future != null) {
        p.future.cancel(false);
      }
    });
    pending.clear();
    if (future != null) {
      future.cancel(false);
    }
  }
}

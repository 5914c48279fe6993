package io.m365sync.internal;

import io.m365sync.Checks;
import io.m365sync.schedule.SyncScheduler;
import io.m365sync.schedule.SyncTarget;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs whole cycles, then the engine's upkeep, at a fixed delay on the host's scheduled executor. */
public final class InProcessScheduler implements SyncScheduler {
  private static final Logger log = LoggerFactory.getLogger(InProcessScheduler.class);

  private final ScheduledExecutorService executor;
  private final Duration interval;
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile ScheduledFuture<?> future;

  public InProcessScheduler(ScheduledExecutorService executor, Duration interval) {
    this.executor = Checks.requireNonNull(executor, "executor");
    this.interval = Checks.requirePositive(interval, "interval");
  }

  @Override
  public synchronized void start(SyncTarget target) {
    if (future != null) {
      throw new IllegalStateException("scheduler already started");
    }
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

  @Override
  public synchronized void close() {
    if (future != null) {
      future.cancel(false);
    }
  }
}

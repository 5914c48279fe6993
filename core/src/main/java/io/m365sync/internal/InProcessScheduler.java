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

/** Runs whole cycles at a fixed delay on the host's scheduled executor. */
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
      target.runCycle();
    } catch (RuntimeException e) {
      // a failed cycle must not cancel the schedule
      log.error("m365sync cycle failed", e);
    } finally {
      running.set(false);
    }
  }

  @Override
  public synchronized void close() {
    if (future != null) {
      future.cancel(false);
    }
  }
}

package io.m365sync.examples.bench;

import io.m365sync.MailboxId;
import io.m365sync.SyncMonitor;
import io.m365sync.state.StatusQuery;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A host's dashboard during a run: every {@code everyMs} it asks the monitor for a page of 50 statuses
 * and one mailbox's status, as a status page refreshing would, and keeps how long each call took.
 */
final class MonitorProbe implements AutoCloseable {
  private final List<Long> nanos = Collections.synchronizedList(new ArrayList<>());
  private final Thread thread;
  private volatile boolean running = true;

  MonitorProbe(SyncMonitor monitor, MailboxId mailbox, int everyMs) {
    thread = new Thread(() -> {
      while (running) {
        long t0 = System.nanoTime();
        monitor.page(StatusQuery.all(50));
        long t1 = System.nanoTime();
        monitor.mailbox(mailbox);
        long t2 = System.nanoTime();
        nanos.add(t1 - t0);
        nanos.add(t2 - t1);
        try {
          TimeUnit.MILLISECONDS.sleep(everyMs);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-monitor-probe");
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops the probe; its calls' count, median, 99th percentile and longest, in a line. */
  String summary() {
    close();
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      return "no monitor reads";
    }
    return String.format("%d monitor reads, median %.2f ms, p99 %.2f ms, longest %.2f ms", sorted.size(),
        at(sorted, 0.50), at(sorted, 0.99), sorted.get(sorted.size() - 1) / 1e6);
  }

  private static double at(List<Long> sorted, double quantile) {
    return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(quantile * sorted.size()))) / 1e6;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

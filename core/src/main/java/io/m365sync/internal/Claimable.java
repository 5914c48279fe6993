package io.m365sync.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * Work that runs once, on whichever thread claims it first (a worker of the host's executor, or the
 * thread that made it when no worker took it), with the logging context (MDC) of the thread that made
 * it: a line logged on a worker says which mailbox and resource it is about, as on the round's own
 * thread; the worker's own context is put back after.
 */
final class Claimable<T> {
  private final Supplier<T> work;
  private final Thread maker = Thread.currentThread();
  private final Map<String, String> context = MDC.getCopyOfContextMap();
  private final AtomicBoolean claimed = new AtomicBoolean();
  private final CountDownLatch taken = new CountDownLatch(1);
  private final CompletableFuture<T> result = new CompletableFuture<>();

  Claimable(Supplier<T> work) {
    this.work = work;
  }

  CompletableFuture<T> result() {
    return result;
  }

  /** Claims the work without running it: true if no thread had claimed it, so that it never runs. */
  boolean claim() {
    if (!claimed.compareAndSet(false, true)) {
      return false;
    }
    taken.countDown();
    return true;
  }

  /** Whether another thread claimed the work within {@code nanos}. */
  boolean takenWithin(long nanos) throws InterruptedException {
    return taken.await(nanos, TimeUnit.NANOSECONDS);
  }

  void runIfUnclaimed() {
    if (!claim()) {
      return;
    }
    boolean elsewhere = Thread.currentThread() != maker;
    Map<String, String> before = elsewhere ? MDC.getCopyOfContextMap() : null;
    if (elsewhere) {
      setContext(context);
    }
    try {
      result.complete(work.get());
    } catch (Throwable e) {
      result.completeExceptionally(e);
    } finally {
      if (elsewhere) {
        setContext(before);
      }
    }
  }

  /** The work's failure as it threw it: an {@link Error} is thrown, a checked exception wrapped. */
  static RuntimeException failure(Throwable cause) {
    if (cause instanceof Error error) {
      throw error;
    }
    return cause instanceof RuntimeException re ? re : new IllegalStateException(cause);
  }

  private static void setContext(Map<String, String> map) {
    if (map == null) {
      MDC.clear();
    } else {
      MDC.setContextMap(map);
    }
  }
}

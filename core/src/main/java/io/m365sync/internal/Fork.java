package io.m365sync.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * Runs a round's independent steps at once on the host's executor, and never waits for a step that
 * has not started: the calling thread runs every step no worker took yet, then waits only for steps
 * running elsewhere. So a round that itself runs on a saturated pool (every thread holding a round
 * that waits on its steps) cannot deadlock; it runs its steps one after another instead. On a direct
 * executor (the engine's default) the steps run in order on the caller. Public for core's sync
 * pipeline (reads of a resource's delta chains); not for use outside core.
 */
public final class Fork {
  private Fork() {
  }

  /**
   * The steps' results, in the steps' order. A step's exception is rethrown (the first in order)
   * after every step has ended.
   */
  public static <T> List<T> all(Executor executor, List<Supplier<T>> steps) {
    List<Step<T>> claimable = steps.stream().map(Step::new).toList();
    if (claimable.size() > 1) {
      for (Step<T> step : claimable) {
        try {
          executor.execute(step::runIfUnclaimed);
        } catch (RejectedExecutionException full) {
          break; // the caller runs the rest below
        }
      }
    }
    for (Step<T> step : claimable) {
      step.runIfUnclaimed();
    }
    List<T> results = new ArrayList<>(claimable.size());
    RuntimeException first = null;
    for (Step<T> step : claimable) {
      try {
        results.add(step.result.join());
      } catch (CompletionException e) {
        if (e.getCause() instanceof Error error) {
          throw error;
        }
        first = first != null ? first
            : e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
      }
    }
    if (first != null) {
      throw first;
    }
    return results;
  }

  /**
   * As {@link #all(Executor, List)}, with at most {@code lanes} steps running at once: each lane takes
   * the next step not taken yet, so no more threads wait on the mailbox's request slots than it has.
   * Every step runs even when one fails; results and the rethrown exception as in {@code all}.
   */
  public static <T> List<T> all(Executor executor, int lanes, List<Supplier<T>> steps) {
    int n = steps.size();
    if (lanes >= n) {
      return all(executor, steps);
    }
    AtomicInteger next = new AtomicInteger();
    AtomicReferenceArray<T> results = new AtomicReferenceArray<>(n);
    AtomicReferenceArray<RuntimeException> failures = new AtomicReferenceArray<>(n);
    Supplier<Void> lane = () -> {
      for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
        try {
          results.set(i, steps.get(i).get());
        } catch (RuntimeException e) {
          failures.set(i, e);
        }
      }
      return null;
    };
    all(executor, java.util.Collections.nCopies(Math.max(1, lanes), lane));
    List<T> inOrder = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (failures.get(i) != null) {
        throw failures.get(i);
      }
      inOrder.add(results.get(i));
    }
    return inOrder;
  }

  /**
   * A step that runs once, on whichever thread claims it first, with the logging context (MDC) of the
   * thread that forked it: a line logged on a worker says which mailbox and resource it is about, as
   * on the round's own thread; the worker's own context is put back after.
   */
  private static final class Step<T> {
    private final Supplier<T> work;
    private final Thread forker = Thread.currentThread();
    private final Map<String, String> context = MDC.getCopyOfContextMap();
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final CompletableFuture<T> result = new CompletableFuture<>();

    Step(Supplier<T> work) {
      this.work = work;
    }

    void runIfUnclaimed() {
      if (!claimed.compareAndSet(false, true)) {
        return;
      }
      boolean elsewhere = Thread.currentThread() != forker;
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

    private static void setContext(Map<String, String> map) {
      if (map == null) {
        MDC.clear();
      } else {
        MDC.setContextMap(map);
      }
    }
  }
}

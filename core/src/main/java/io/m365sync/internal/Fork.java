package io.m365sync.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

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
    List<Claimable<T>> claimable = steps.stream().map(Claimable::new).toList();
    if (claimable.size() > 1) {
      for (Claimable<T> step : claimable) {
        try {
          executor.execute(step::runIfUnclaimed);
        } catch (RejectedExecutionException full) {
          break; // the caller runs the rest below
        }
      }
    }
    for (Claimable<T> step : claimable) {
      step.runIfUnclaimed();
    }
    List<T> results = new ArrayList<>(claimable.size());
    RuntimeException first = null;
    for (Claimable<T> step : claimable) {
      try {
        results.add(step.result().join());
      } catch (CompletionException e) {
        RuntimeException failure = Claimable.failure(e.getCause());
        first = first != null ? first : failure;
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
}

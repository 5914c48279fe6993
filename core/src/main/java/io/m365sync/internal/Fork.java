package io.m365sync.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Runs a round's independent steps at once on the host's executor, and never waits for a step that
 * has not started: the calling thread runs every step no worker took yet, then waits only for steps
 * running elsewhere. So a round that itself runs on a saturated pool (every thread holding a round
 * that waits on its steps) cannot deadlock; it runs its steps one after another instead. On a direct
 * executor (the engine's default) the steps run in order on the caller.
 */
final class Fork {
  private Fork() {
  }

  /**
   * The steps' results, in the steps' order. A step's exception is rethrown (the first in order)
   * after every step has ended.
   */
  static <T> List<T> all(Executor executor, List<Supplier<T>> steps) {
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

  /** A step that runs once, on whichever thread claims it first. */
  private static final class Step<T> {
    private final Supplier<T> work;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final CompletableFuture<T> result = new CompletableFuture<>();

    Step(Supplier<T> work) {
      this.work = work;
    }

    void runIfUnclaimed() {
      if (!claimed.compareAndSet(false, true)) {
        return;
      }
      try {
        result.complete(work.get());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }
  }
}

package io.m365sync.internal;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Graph reads (a delta page, an item's GET) sent once more when their answer is late. Graph's answers
 * have a long tail: most come near the median, one in a hundred several times later, a few after
 * seconds; and a round, like a cycle of rounds, ends with its slowest answer. A read still unanswered
 * when {@link #QUANTILE} of the engine's recent reads had their answer is sent again, and the first
 * answer is taken, as Dean and Barroso's "The Tail at Scale" (CACM 56(2), 2013) defers its hedged
 * requests: at most about one read in twenty costs a second request, and a read rarely waits much
 * beyond the 95th percentile and a median answer. The caller says when a copy may go ({@link Hedge}): a
 * round only while the engine has room ({@code MailboxRequests}), since a late answer holds up a busy
 * engine less than a copy's work would, and a host whose CPU is the bound has its answers late for want
 * of it; and sooner, at {@link #EARLY_QUANTILE}, once the engine's work runs out (a cycle's last rounds),
 * when the slowest of a few reads is all the cycle waits for and a copy costs only a request, as long as
 * the copies stay within {@link #COPY_BUDGET} of the reads (an engine with few mailboxes runs little at
 * any time, and would otherwise copy a quarter of its late reads in every cycle).
 *
 * <p>Only reads, which Graph answers alike however often they come (a delta page's link can be read
 * again), and only within the mailbox's request slots: the copy takes a free slot or is not sent, and
 * every request holds its slot until its answer comes, also one no longer awaited, so the mailbox never
 * has more requests at Graph than slots: this round's, or the next round's when a dropped answer comes
 * after the round ended. Reads run on the host's executor; a read that no worker takes at once runs on
 * the caller without a copy (the default direct executor, a saturated pool). Thread-safe; one per engine.
 */
final class HedgedReads {
  /** The share of recent reads answered before a read still out is sent again. */
  static final double QUANTILE = 0.95;
  /**
   * The same when the caller says {@link Hedge#EARLY}: a quarter of the reads it then sends, within
   * {@link #COPY_BUDGET}.
   */
  static final double EARLY_QUANTILE = 0.75;
  /** Reads are copied early only while the copies sent are fewer than this share of the reads sent. */
  static final double COPY_BUDGET = 0.05;
  /** No copy before this many answers tell where the tail starts (a rough first guess, refined as answers come). */
  static final int MIN_SAMPLES = 20;
  /** A read answered within this is never copied (loopback, a host beside Graph): its tail costs little. */
  static final long FLOOR_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** The recent answers the delay is read from, and how often it is read again. */
  static final int SAMPLES = 512;
  static final int REREAD = 64;
  /**
   * How long a read waits for a worker to take it before the caller sends it itself: a pool's new or idle
   * thread takes it within a millisecond or so, a saturated pool not soon (a safepoint may hold both a while).
   */
  private static final long TAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final Executor executor;
  private final long[] recent = new long[SAMPLES];
  private long answers;
  /** When a read still out is sent again; none (never) until {@link #MIN_SAMPLES} answers came. */
  private volatile long delayNanos = Long.MAX_VALUE;
  /** The same at {@link #EARLY_QUANTILE}. */
  private volatile long earlyNanos = Long.MAX_VALUE;
  /** Reads and copies sent, both halved now and then: their ratio follows the last few hundred reads. */
  private long reads;
  private long copies;

  /** Whether a read still out may be sent again now, and once how many of the recent reads had their answer. */
  enum Hedge {
    /** Not now (asked again while the read is out). */
    NONE,
    /** Once {@link #QUANTILE} had theirs: the host has other work, a copy must be worth it. */
    LATE,
    /**
     * Once {@link #EARLY_QUANTILE} had theirs (as {@link #LATE} beyond {@link #COPY_BUDGET}): little else is
     * left to wait for.
     */
    EARLY
  }

  HedgedReads(Executor executor) {
    this.executor = executor;
  }

  /**
   * Sends {@code call}, a read, and returns the first answer (or the first failure, when every request
   * sent failed). The caller holds one of {@code slots}' permits for it: the request gives it back when
   * its answer comes, whenever that is; a copy takes another if one is free. Each request keeps
   * {@code lease} (the mailbox's slots, past its round) until its answer; {@code hedge} says whether and how
   * soon a copy may go (asked again while the read is out: none once the round must stop or was throttled,
   * nor while the engine is busy); {@code failed} hears every failed answer,
   * also one no longer awaited: a copy's 429 slows the round as the read's own would.
   */
  <R> R read(Semaphore slots, Supplier<Runnable> lease, Supplier<R> call, Supplier<Hedge> hedge,
             Consumer<RuntimeException> failed) {
    long early = earlyNanos;
    long sent = System.nanoTime();
    count(1, 0);
    Request<R> first = new Request<>(slots, lease.get(), call, failed);
    if (early == Long.MAX_VALUE || !first.handedTo(executor)) {
      // no delay known yet, or no worker took it: sent from here, as without copies
      first.step.runIfUnclaimed();
      return join(first.step.result());
    }
    // late: sent again once a copy may go and a slot is free, asked again each early delay until the answer comes
    while (true) {
      long out = System.nanoTime() - sent;
      long due = dueAfter(hedge.get());
      if (due <= out && !first.step.result().isDone() && slots.tryAcquire()) {
        break;
      }
      if (!stillOutAfter(first.step.result(), due > out ? Math.min(due - out, early) : early)) {
        return join(first.step.result());
      }
    }
    Request<R> copy = new Request<>(slots, lease.get(), call, failed);
    if (!copy.handedTo(executor) && copy.step.claim()) {
      copy.done(); // no worker took it: not sent
      return join(first.step.result());
    }
    count(0, 1);
    return join(firstAnswer(first.step.result(), copy.step.result()));
  }

  /** How long a read is out before {@code hedge} lets a copy go ({@link Long#MAX_VALUE}: not now). */
  private long dueAfter(Hedge hedge) {
    return switch (hedge) {
      case NONE -> Long.MAX_VALUE;
      case LATE -> delayNanos;
      case EARLY -> withinBudget() ? earlyNanos : delayNanos;
    };
  }

  private void count(long read, long copied) {
    synchronized (recent) {
      reads += read;
      copies += copied;
      if (reads >= 2 * SAMPLES) {
        reads /= 2;
        copies /= 2;
      }
    }
  }

  /** Whether the copies sent are fewer than {@link #COPY_BUDGET} of the reads. */
  private boolean withinBudget() {
    synchronized (recent) {
      return copies < COPY_BUDGET * reads;
    }
  }

  /** Whether {@code answer} is still out after {@code delay} (false: it came). */
  private static boolean stillOutAfter(CompletableFuture<?> answer, long delay) {
    try {
      answer.get(delay, TimeUnit.NANOSECONDS);
      return false;
    } catch (TimeoutException late) {
      return true;
    } catch (ExecutionException failed) {
      return false;
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  /** Completes with the first of two answers, or with {@code a}'s failure when both failed. */
  private static <R> CompletableFuture<R> firstAnswer(CompletableFuture<R> a, CompletableFuture<R> b) {
    CompletableFuture<R> won = new CompletableFuture<>();
    a.whenComplete((r, e) -> {
      if (e == null) {
        won.complete(r);
      } else {
        b.whenComplete((r2, e2) -> {
          if (e2 == null) {
            won.complete(r2);
          } else {
            won.completeExceptionally(e);
          }
        });
      }
    });
    b.whenComplete((r, e) -> {
      if (e == null) {
        won.complete(r);
      }
    });
    return won;
  }

  /** The delay before a copy now, in nanoseconds ({@link Long#MAX_VALUE}: none yet). */
  long delayNanos() {
    return delayNanos;
  }

  /** The same when the caller says {@link Hedge#EARLY}. */
  long earlyNanos() {
    return earlyNanos;
  }

  /** Takes the time one read took to answer: the delay is read again from the recent answers now and then. */
  void answered(long nanos) {
    long[] sample;
    synchronized (recent) {
      recent[(int) (answers++ % SAMPLES)] = nanos;
      if (answers < MIN_SAMPLES || answers % REREAD != 0 && answers != MIN_SAMPLES) {
        return;
      }
      sample = Arrays.copyOf(recent, (int) Math.min(answers, SAMPLES));
    }
    Arrays.sort(sample);
    earlyNanos = at(sample, EARLY_QUANTILE);
    delayNanos = at(sample, QUANTILE);
  }

  private static long at(long[] sorted, double quantile) {
    return Math.max(FLOOR_NANOS, sorted[(int) Math.ceil(quantile * sorted.length) - 1]);
  }

  /** One request of a read: it holds a slot and the lease until its answer, and tells the delay how long that took. */
  private final class Request<R> {
    private final Semaphore slots;
    private final Runnable lease;
    final Claimable<R> step;

    Request(Semaphore slots, Runnable lease, Supplier<R> call, Consumer<RuntimeException> failed) {
      this.slots = slots;
      this.lease = lease;
      this.step = new Claimable<>(() -> {
        long t0 = System.nanoTime();
        try {
          R answer = call.get();
          answered(System.nanoTime() - t0);
          return answer;
        } catch (RuntimeException e) {
          failed.accept(e);
          throw e;
        } finally {
          done();
        }
      });
    }

    /** Whether a worker took the request (false: rejected, or not taken at once). */
    boolean handedTo(Executor executor) {
      try {
        executor.execute(step::runIfUnclaimed);
        return step.takenWithin(TAKE_NANOS);
      } catch (RejectedExecutionException full) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    void done() {
      slots.release();
      lease.run();
    }
  }

  private static <R> R join(CompletableFuture<R> answer) {
    try {
      return answer.get();
    } catch (ExecutionException e) {
      throw Claimable.failure(e.getCause());
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  private static IllegalStateException interrupted(InterruptedException e) {
    Thread.currentThread().interrupt(); // the host is shutting its pool down: the read fails, the round ends
    return new IllegalStateException("interrupted while waiting for a Graph answer", e);
  }
}

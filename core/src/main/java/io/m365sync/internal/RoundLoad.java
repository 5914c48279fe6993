package io.m365sync.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * How busy the engine is against {@code maxConcurrentMailboxes}, the rounds (each with a request in
 * flight) it is sized to run at once: the rounds it runs (from the call or the cycle's task that starts
 * one, waiting for the mailbox's lock included), plus those a cycle has yet to start. A round's
 * {@link #share} of that capacity is what it may spend on requests that only hide latency at a cost (a
 * large calendar read as time slices, several at once): in a busy cycle the mailboxes in flight already
 * hide Graph's latency, and slices would only add requests and CPU, and leave the calendar without a
 * link until the round after. A heuristic read without locks: thread-safe.
 */
final class RoundLoad {
  private final int capacity;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();

  RoundLoad(int capacity) {
    this.capacity = capacity;
  }

  /** A cycle is about to start {@code rounds} rounds, as its slots allow. */
  void queue(int rounds) {
    queued.addAndGet(rounds);
  }

  /** One of the queued rounds left the queue: it starts now, or will not run. */
  void dequeue() {
    queued.decrementAndGet();
  }

  <R> R run(Supplier<R> round) {
    running.incrementAndGet();
    try {
      return round.get();
    } finally {
      running.decrementAndGet();
    }
  }

  /** {@code maxConcurrentMailboxes} ÷ the rounds running or queued, at least 1: all shares together fill the capacity. */
  int share() {
    return Math.max(1, capacity / Math.max(1, queued.get() + running.get()));
  }
}

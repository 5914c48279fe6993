package io.m365sync.engine;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A hook for the first {@code n} calls of one kind (numbered from 1): each waits up to 10 s for the
 * others, so {@link #met} counts the calls that were in flight together; later calls pass.
 */
final class InFlightTogether implements IntConsumer {
  private final int n;
  private final CyclicBarrier barrier;
  private final AtomicInteger met = new AtomicInteger();

  InFlightTogether(int n) {
    this.n = n;
    this.barrier = new CyclicBarrier(n);
  }

  @Override
  public void accept(int call) {
    if (call > n) {
      return;
    }
    try {
      barrier.await(10, TimeUnit.SECONDS);
      met.incrementAndGet();
    } catch (Exception alone) {
      // not met: the calls were not in flight together
    }
  }

  int met() {
    return met.get();
  }
}

package io.m365sync.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ForkTest {
  final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void close() {
    pool.shutdownNow();
  }

  @Test
  void onADirectExecutorTheStepsRunInOrderOnTheCaller() {
    List<String> ran = new CopyOnWriteArrayList<>();
    Thread caller = Thread.currentThread();
    List<Supplier<String>> steps = List.of("a", "b", "c").stream().<Supplier<String>>map(s -> () -> {
      assertThat(Thread.currentThread()).isSameAs(caller);
      ran.add(s);
      return s.toUpperCase();
    }).toList();

    assertThat(Fork.all(Runnable::run, steps)).containsExactly("A", "B", "C");
    assertThat(ran).containsExactly("a", "b", "c");
  }

  @Test
  void stepsRunAtOnceWhenTheExecutorHasThreads() {
    CyclicBarrier both = new CyclicBarrier(2); // each step waits for the other: only at once do they end
    Supplier<Integer> step = () -> {
      try {
        return both.await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };

    assertThat(assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Fork.all(pool, List.of(step, step))))
        .containsExactlyInAnyOrder(0, 1);
  }

  @Test
  void aSaturatedPoolNeverDeadlocksTheRound() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    CountDownLatch busy = new CountDownLatch(2);
    for (int i = 0; i < 2; i++) {
      pool.execute(() -> {
        busy.countDown();
        await(hold);
      });
    }
    busy.await();
    // every worker is taken (as when every worker runs a round waiting for its steps): the caller runs them
    List<Supplier<Integer>> steps = List.of(() -> 1, () -> 2, () -> 3);
    assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), () -> Fork.all(pool, steps))).containsExactly(1, 2, 3);
    hold.countDown();
  }

  @Test
  void aStepsExceptionIsRethrownAfterEveryStepEnded() {
    List<String> ran = new CopyOnWriteArrayList<>();
    List<Supplier<String>> steps = List.of(
        () -> {
          throw new IllegalArgumentException("first");
        },
        () -> {
          ran.add("second");
          return "second";
        });

    assertThatThrownBy(() -> Fork.all(Runnable::run, steps)).isInstanceOf(IllegalArgumentException.class).hasMessage("first");
    assertThat(ran).containsExactly("second");
  }

  @Test
  void aRejectingExecutorLeavesTheStepsToTheCaller() {
    assertThat(Fork.all(r -> {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
    }, List.<Supplier<Integer>>of(() -> 1, () -> 2))).containsExactly(1, 2);
  }

  @Test
  void lanesBoundHowManyStepsRunAtOnceAndResultsKeepTheStepsOrder() {
    ExecutorService wide = Executors.newFixedThreadPool(6);
    try {
      java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicInteger peak = new java.util.concurrent.atomic.AtomicInteger();
      CountDownLatch lastEnded = new CountDownLatch(1);
      List<Supplier<Integer>> steps = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        int n = i;
        steps.add(() -> {
          peak.accumulateAndGet(running.incrementAndGet(), Math::max);
          if (n == 7) {
            lastEnded.countDown();
          } else if (n < 2) {
            await(lastEnded); // the first steps end after the last one: the results keep the steps' order
          }
          running.decrementAndGet();
          return n;
        });
      }

      assertThat(assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Fork.all(wide, 3, steps)))
          .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
      assertThat(peak.get()).isBetween(1, 3);
    } finally {
      wide.shutdownNow();
    }
  }

  @Test
  void withLanesEveryStepRunsAndTheFirstFailureInOrderIsRethrown() {
    List<String> ran = new CopyOnWriteArrayList<>();
    List<Supplier<String>> steps = List.of(
        () -> {
          ran.add("a");
          return "a";
        },
        () -> {
          throw new IllegalArgumentException("b");
        },
        () -> {
          throw new IllegalStateException("c");
        },
        () -> {
          ran.add("d");
          return "d";
        });

    assertThatThrownBy(() -> Fork.all(Runnable::run, 2, steps)).isInstanceOf(IllegalArgumentException.class).hasMessage("b");
    assertThat(ran).containsExactly("a", "d");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

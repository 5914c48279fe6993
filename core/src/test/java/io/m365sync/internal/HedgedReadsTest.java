package io.m365sync.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.gateway.ThrottledException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A late read is sent once more, within the mailbox's request slots, and every request keeps its slot
 * until its own answer comes, past the read and past the round.
 */
class HedgedReadsTest {
  static final MailboxId MAILBOX = MailboxId.of("contoso", "alice");

  final ExecutorService pool = Executors.newCachedThreadPool();
  final HedgedReads reads = new HedgedReads(pool);
  final MailboxLocks locks = new MailboxLocks(4);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /** Reads answered at once until the delay before a copy is known: its floor, as answers come within it. */
  void warmUp(Semaphore slots) {
    for (int i = 0; i < HedgedReads.MIN_SAMPLES; i++) {
      read(slots, () -> "page");
    }
    assertThat(reads.delayNanos()).isEqualTo(HedgedReads.FLOOR_NANOS);
  }

  String read(Semaphore slots, Supplier<String> call) {
    slots.acquireUninterruptibly(); // as the round's request does before it reads
    return reads.read(slots, () -> () -> { }, call, () -> HedgedReads.Hedge.LATE, e -> { });
  }

  @Test
  void aLateReadIsSentAgainAndTheFirstAnswerIsTakenWhileTheLateOneKeepsItsSlot() throws Exception {
    Semaphore slots = new Semaphore(4);
    warmUp(slots);
    CountDownLatch late = new CountDownLatch(1);
    AtomicInteger sent = new AtomicInteger();

    String answer = read(slots, () -> {
      if (sent.incrementAndGet() == 1) {
        await(late); // the first request's answer is late
        return "late answer";
      }
      return "copy's answer";
    });

    assertThat(answer).isEqualTo("copy's answer");
    assertThat(sent).hasValue(2);
    assertThat(slots.availablePermits()).as("the late request still holds its slot").isEqualTo(3);
    late.countDown();
    assertThat(slots.tryAcquire(4, 10, TimeUnit.SECONDS)).as("every slot back once it answered").isTrue();
  }

  @Test
  void aLateReadIsNotSentAgainWithoutAFreeSlot() throws Exception {
    Semaphore slots = new Semaphore(4);
    warmUp(slots);
    slots.acquire(3); // three requests of the mailbox out
    AtomicInteger sent = new AtomicInteger();

    String answer = read(slots, () -> {
      sent.incrementAndGet();
      sleep(Duration.ofNanos(HedgedReads.FLOOR_NANOS * 3));
      return "page";
    });

    assertThat(answer).isEqualTo("page");
    assertThat(sent).as("no fifth request").hasValue(1);
    assertThat(slots.availablePermits()).as("its own slot back").isEqualTo(1);
  }

  @Test
  void aLateReadIsSentAgainOnceASlotFreesUp() throws Exception {
    Semaphore slots = new Semaphore(4);
    warmUp(slots);
    slots.acquire(3); // three requests of the mailbox out
    CountDownLatch late = new CountDownLatch(1);
    AtomicInteger sent = new AtomicInteger();
    pool.execute(() -> {
      sleep(Duration.ofNanos(HedgedReads.FLOOR_NANOS * 2)); // past the delay: one answers
      slots.release();
    });

    String answer = read(slots, () -> {
      if (sent.incrementAndGet() == 1) {
        await(late);
        return "late answer";
      }
      return "copy's answer";
    });

    assertThat(answer).isEqualTo("copy's answer");
    late.countDown();
  }

  @Test
  void aReadNoWorkerTakesIsSentOnceFromTheCaller() {
    HedgedReads direct = new HedgedReads(Runnable::run); // the engine's default executor
    Semaphore slots = new Semaphore(4);
    AtomicInteger sent = new AtomicInteger();
    for (int i = 0; i < HedgedReads.MIN_SAMPLES; i++) {
      slots.acquireUninterruptibly();
      direct.read(slots, () -> () -> { }, () -> "page", () -> HedgedReads.Hedge.LATE, e -> { });
    }

    slots.acquireUninterruptibly();
    String answer = direct.read(slots, () -> () -> { }, () -> {
      sent.incrementAndGet();
      sleep(Duration.ofNanos(HedgedReads.FLOOR_NANOS * 3));
      return "page";
    }, () -> HedgedReads.Hedge.LATE, e -> { });

    assertThat(answer).isEqualTo("page");
    assertThat(sent).hasValue(1);
    assertThat(slots.availablePermits()).isEqualTo(4);
  }

  @Test
  void aLateReadIsNotSentAgainOnceTheRoundMayNotSendMore() throws Exception {
    Semaphore slots = new Semaphore(4);
    warmUp(slots);
    AtomicInteger sent = new AtomicInteger();
    slots.acquire();

    String answer = reads.read(slots, () -> () -> { }, () -> {
      sent.incrementAndGet();
      sleep(Duration.ofNanos(HedgedReads.FLOOR_NANOS * 3));
      return "page";
    }, () -> HedgedReads.Hedge.NONE, e -> { });

    assertThat(answer).isEqualTo("page");
    assertThat(sent).hasValue(1);
  }

  @Test
  void theCopysFailureIsHeardAndTheLateAnswerTaken() throws Exception {
    Semaphore slots = new Semaphore(4);
    warmUp(slots);
    ThrottledException throttled = new ThrottledException("too many", MAILBOX, Resource.EVENTS, 429,
        "ApplicationThrottled", "r-1", Duration.ofSeconds(30), null);
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger heard = new AtomicInteger();
    slots.acquire();

    String answer = reads.read(slots, () -> () -> { }, () -> {
      if (sent.incrementAndGet() == 2) {
        throw throttled; // the copy is refused at once
      }
      sleep(Duration.ofNanos(HedgedReads.FLOOR_NANOS * 3));
      return "late answer";
    }, () -> HedgedReads.Hedge.LATE, e -> heard.incrementAndGet());

    assertThat(answer).isEqualTo("late answer");
    assertThat(heard).as("the round hears the copy's 429").hasValue(1);
  }

  @Test
  void whenBothRequestsFailTheFirstRequestsFailureIsThrown() throws Exception {
    Semaphore slots = new Semaphore(4);
    warmUp(slots);
    IllegalStateException first = new IllegalStateException("first");
    AtomicInteger sent = new AtomicInteger();
    slots.acquire();

    assertThatThrownBy(() -> reads.read(slots, () -> () -> { }, () -> {
      if (sent.incrementAndGet() == 1) {
        sleep(Duration.ofNanos(HedgedReads.FLOOR_NANOS * 3));
        throw first;
      }
      throw new IllegalStateException("copy");
    }, () -> HedgedReads.Hedge.LATE, e -> { })).isSameAs(first);
    assertThat(slots.tryAcquire(4, 10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void theNextRoundOfTheMailboxFindsTheSlotOfAnAnswerStillOut() throws Exception {
    CountDownLatch late = new CountDownLatch(1);
    AtomicInteger sent = new AtomicInteger();
    locks.withLock(MAILBOX, slot -> {
      warmUp(slot.requests);
      slot.requests.acquireUninterruptibly();
      return reads.read(slot.requests, slot::lease, () -> {
        if (sent.incrementAndGet() == 1) {
          await(late);
        }
        return "page";
      }, () -> HedgedReads.Hedge.LATE, e -> { });
    });

    assertThat(locks.size()).as("the answer still out keeps the mailbox's entry").isEqualTo(1);
    int free = locks.withLock(MAILBOX, slot -> slot.requests.availablePermits());
    assertThat(free).as("the next round of the mailbox").isEqualTo(3);
    late.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (locks.size() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(locks.size()).as("gone once every request answered").isZero();
  }

  @Test
  void aLateReadIsSentAgainSoonerOnlyWhenTheCallerSaysLittleElseIsLeft() throws Exception {
    // three answers in four came within 150 ms, the tail's after 2 s
    for (int i = 0; i < HedgedReads.MIN_SAMPLES; i++) {
      reads.answered(TimeUnit.MILLISECONDS.toNanos(i < HedgedReads.MIN_SAMPLES * 4 / 5 ? 150 : 2_000));
    }
    assertThat(reads.earlyNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
    assertThat(reads.delayNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(2_000));

    for (HedgedReads.Hedge hedge : HedgedReads.Hedge.values()) {
      Semaphore slots = new Semaphore(4);
      AtomicInteger sent = new AtomicInteger();
      slots.acquire();
      String answer = reads.read(slots, () -> () -> { }, () -> {
        if (sent.incrementAndGet() == 1) {
          sleep(Duration.ofMillis(1_000)); // later than most, not as late as the tail
          return "late answer";
        }
        return "copy's answer";
      }, () -> hedge, e -> { });

      assertThat(answer).as(hedge.name()).isEqualTo(hedge == HedgedReads.Hedge.EARLY ? "copy's answer" : "late answer");
      assertThat(sent).as(hedge.name()).hasValue(hedge == HedgedReads.Hedge.EARLY ? 2 : 1);
      assertThat(slots.tryAcquire(4, 10, TimeUnit.SECONDS)).as("every slot back once it answered").isTrue();
    }
  }

  @Test
  void earlyCopiesStayWithinTheirShareOfTheReads() throws Exception {
    for (int i = 0; i < HedgedReads.MIN_SAMPLES; i++) { // most answers within 150 ms, the tail's after 2 s
      reads.answered(TimeUnit.MILLISECONDS.toNanos(i < HedgedReads.MIN_SAMPLES * 4 / 5 ? 150 : 2_000));
    }
    Semaphore slots = new Semaphore(4);
    assertThat(lateEarlyRead(slots)).as("the first late read: copied").isEqualTo(2);
    assertThat(lateEarlyRead(slots)).as("one copy in two reads: over the budget, not copied before the tail")
        .isEqualTo(1);
    int answeredAtOnce = (int) Math.ceil(1 / HedgedReads.COPY_BUDGET);
    for (int i = 0; i < answeredAtOnce; i++) {
      read(slots, () -> "page");
    }
    assertThat(lateEarlyRead(slots)).as("one copy in %d reads", answeredAtOnce + 2).isEqualTo(2);
    assertThat(slots.tryAcquire(4, 10, TimeUnit.SECONDS)).as("every slot back once it answered").isTrue();
    slots.release(4);
  }

  /** A read that the caller lets be copied early, whose first request answers after 400 ms: the requests sent. */
  int lateEarlyRead(Semaphore slots) {
    AtomicInteger sent = new AtomicInteger();
    slots.acquireUninterruptibly();
    reads.read(slots, () -> () -> { }, () -> {
      if (sent.incrementAndGet() == 1) {
        sleep(Duration.ofMillis(400));
      }
      return "page";
    }, () -> HedgedReads.Hedge.EARLY, e -> { });
    return sent.get();
  }

  @Test
  void theDelayIsTheQuantileOfTheRecentAnswersAboveItsFloor() {
    HedgedReads fresh = new HedgedReads(pool);
    for (int i = 1; i < HedgedReads.MIN_SAMPLES; i++) {
      fresh.answered(TimeUnit.MILLISECONDS.toNanos(150));
    }
    assertThat(fresh.delayNanos()).as("too few answers yet").isEqualTo(Long.MAX_VALUE);
    fresh.answered(TimeUnit.MILLISECONDS.toNanos(150));
    assertThat(fresh.delayNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
    // the delay is read again every REREAD answers: feed up to such a point, the last SAMPLES holding more
    // slow answers than the tail's share
    int more = ((HedgedReads.MIN_SAMPLES + HedgedReads.SAMPLES) / HedgedReads.REREAD + 1) * HedgedReads.REREAD
        - HedgedReads.MIN_SAMPLES;
    int slow = (int) Math.ceil((1 - HedgedReads.QUANTILE) * HedgedReads.SAMPLES) + 2;
    for (int i = 0; i < more; i++) {
      fresh.answered(TimeUnit.MILLISECONDS.toNanos(i < more - slow ? 200 : 1_500));
    }
    assertThat(fresh.delayNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1_500));
    assertThat(fresh.earlyNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    for (int i = 0; i < HedgedReads.SAMPLES; i++) {
      fresh.answered(TimeUnit.MILLISECONDS.toNanos(2)); // loopback
    }
    assertThat(fresh.delayNanos()).isEqualTo(HedgedReads.FLOOR_NANOS);
  }

  static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

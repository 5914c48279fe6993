package io.m365sync.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.auth.StrategyChoice;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.state.MailboxStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Resources read at once report into one outcome from their own threads. */
class RoundOutcomeTest {
  static final MailboxId MAILBOX = MailboxId.of("contoso", "alice");

  @Test
  void reportsFromManyThreadsAreAllKept() throws Exception {
    RoundOutcome outcome = new RoundOutcome();
    int threads = 8;
    int each = 2_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            outcome.blocked(StrategyChoice.blocked(MailboxStatus.NEEDS_SIGN_IN, "x", "blocked"));
            outcome.synced(AuthMode.DELEGATED, StrategyChoice.use(AuthMode.DELEGATED, "fallback", "fell back"));
            outcome.failed("code", "failed");
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(outcome.blocked).hasSize(threads * each);
    assertThat(outcome.fallbacks).hasSize(threads * each);
    assertThat(outcome.failureCode).isEqualTo("code");
  }

  @Test
  void graphsFirst429SetsTheBackoffNotTheRefusalsAfterIt() {
    RoundOutcome outcome = new RoundOutcome();
    ThrottledException graphs = throttled(Duration.ofSeconds(30), null);
    ThrottledException refusal = throttled(Duration.ofSeconds(30), graphs);

    outcome.throttled(refusal);
    outcome.throttled(throttled(Duration.ofSeconds(5), null));

    assertThat(outcome.throttled).isSameAs(graphs);
    assertThat(outcome.abortReason()).contains("PT30S");
  }

  @Test
  void aRoundThatGoesOnHasNoAbortReason() {
    assertThat(new RoundOutcome().abortReason()).isNull();
  }

  private static ThrottledException throttled(Duration retryAfter, Throwable cause) {
    return new ThrottledException("throttled", MAILBOX, Resource.EVENTS, 429, "TooManyRequests", null, retryAfter, cause);
  }
}

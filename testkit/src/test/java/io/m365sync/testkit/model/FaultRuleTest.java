package io.m365sync.testkit.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Random fault rules: seeded (the same seed fails the same requests), at their rate, and counted. */
class FaultRuleTest {
  private static final String DELTA = "GET /users/u1/contacts/delta";

  private static List<Integer> firings(FaultRule rule, int requests) {
    List<Integer> fired = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      if (rule.tryFire(DELTA, "u1")) {
        fired.add(i);
      }
    }
    return fired;
  }

  @Test
  void theSameSeedFailsTheSameRequestsAtTheGivenRate() {
    List<Integer> a = firings(FaultRule.dropRandomly("/delta$", null, 0.1, 42), 10_000);
    List<Integer> b = firings(FaultRule.delayRandomly("/delta$", null, 0.1, 42, Duration.ofSeconds(1)), 10_000);
    List<Integer> c = firings(FaultRule.failRandomly("/delta$", null, 0.1, 43, GraphError.serviceUnavailable(null)), 10_000);
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
    assertThat(a.size()).isBetween(900, 1_100);
  }

  @Test
  void firedCountsOnlyMatchingRequestsForTheRulesUser() {
    FaultRule rule = FaultRule.dropRandomly("/delta$", "u1", 1.0, 7);
    assertThat(rule.tryFire("GET /users/u1/contacts/abc", "u1")).isFalse();
    assertThat(rule.tryFire(DELTA, "u2")).isFalse();
    assertThat(rule.tryFire(DELTA, "u1")).isTrue();
    assertThat(rule.fired()).isEqualTo(1);
    assertThat(rule.dropConnection()).isTrue();
    assertThat(rule.error()).isNull();

    FaultRule slow = FaultRule.delayRandomly("/delta$", null, 1.0, 7, Duration.ofMillis(500));
    assertThat(slow.tryFire(DELTA, "u9")).isTrue();
    assertThat(slow.latency()).isEqualTo(Duration.ofMillis(500));
    assertThat(slow.dropConnection()).isFalse();
  }

  @Test
  void serviceUnavailableMayCarryRetryAfter() {
    assertThat(GraphError.serviceUnavailable(Duration.ofSeconds(5)).status()).isEqualTo(503);
    assertThat(GraphError.serviceUnavailable(Duration.ofSeconds(5)).retryAfter()).isEqualTo(Duration.ofSeconds(5));
    assertThat(GraphError.serviceUnavailable(null).retryAfter()).isNull();
  }
}

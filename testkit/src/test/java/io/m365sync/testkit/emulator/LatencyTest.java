package io.m365sync.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LatencyTest {
  private static List<Long> samplesMillis(Latency latency, int n) {
    return IntStream.range(0, n).mapToObj(i -> latency.next().toMillis()).sorted().toList();
  }

  @Test
  void noneAndFixed() {
    assertThat(Latency.NONE.next()).isZero();
    assertThat(Latency.fixed(Duration.ZERO)).isSameAs(Latency.NONE);
    assertThat(Latency.fixed(Duration.ofMillis(150)).next()).isEqualTo(Duration.ofMillis(150));
  }

  @Test
  void uniformStaysWithinItsBoundsAndRepeatsForASeed() {
    List<Long> a = samplesMillis(Latency.uniform(Duration.ofMillis(100), Duration.ofMillis(300), 7), 1000);
    assertThat(a).allMatch(m -> m >= 100 && m <= 300);
    assertThat(a.get(500)).isBetween(180L, 220L);
    assertThat(samplesMillis(Latency.uniform(Duration.ofMillis(100), Duration.ofMillis(300), 7), 1000)).isEqualTo(a);
  }

  @Test
  void longTailHasTheGivenMedianAndP99() {
    List<Long> s = samplesMillis(Latency.longTail(Duration.ofMillis(150), Duration.ofMillis(600), 42), 20_000);
    assertThat(s.get(10_000)).isBetween(145L, 155L);
    assertThat(s.get(19_800)).isBetween(560L, 640L);
    assertThat(s.get(19_999)).isGreaterThan(600L);
    assertThat(s.get(0)).isPositive();
  }

  @Test
  void refusesNonsenseQuotingTheValue() {
    assertThatThrownBy(() -> Latency.fixed(Duration.ofMillis(-1))).hasMessageContaining("'delay'").hasMessageContaining("PT-0.001S");
    assertThatThrownBy(() -> Latency.uniform(Duration.ofMillis(300), Duration.ofMillis(100)))
        .hasMessageContaining("'max' must not be below 'min'");
    assertThatThrownBy(() -> Latency.longTail(Duration.ofMillis(150), Duration.ofMillis(100)))
        .hasMessageContaining("'p99' must not be below 'median'");
    assertThatThrownBy(() -> Latency.longTail(Duration.ZERO, Duration.ofMillis(100))).hasMessageContaining("'median'");
  }
}

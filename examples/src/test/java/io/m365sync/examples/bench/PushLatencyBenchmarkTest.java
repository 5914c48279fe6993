package io.m365sync.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.testkit.emulator.Latency;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The runner works at a tiny size (figures: BENCHMARKS.md): every CRM contact is created once in its
 * mailbox, within Graph's limits.
 */
class PushLatencyBenchmarkTest {
  @Test
  void everyCrmContactIsCreatedOnceWithinGraphsLimits() throws Exception {
    PushLatencyBenchmark.Run r = PushLatencyBenchmark.run(2, 12, Latency.fixed(Duration.ofMillis(20)));

    assertThat(r.created()).isEqualTo(24);
    assertThat(r.throttling().throttled()).isZero();
    assertThat(r.throttling().maxInFlight()).isBetween(2, 4); // writes overlap, never beyond Outlook's 4
  }
}

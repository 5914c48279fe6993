package io.m365sync.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.testkit.emulator.Latency;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The runner works at a tiny size (figures: BENCHMARKS.md): the round after a mass deletion in Outlook
 * deletes the CRM records (the runner checks how many are left) with one question per deleted event,
 * several in flight at once and never beyond Outlook's 4.
 */
class EventDeletionsLatencyBenchmarkTest {
  @Test
  void theRoundAsksAboutEachDeletedEventSeveralAtOnce() throws Exception {
    EventDeletionsLatencyBenchmark.Run r =
        EventDeletionsLatencyBenchmark.run(20, 0.4, Latency.fixed(Duration.ofMillis(20)));

    assertThat(r.deleted()).isEqualTo(8);
    assertThat(r.throttling().graphRequests()).isEqualTo(1 + 8); // the delta page, a GET per deleted event
    assertThat(r.throttling().throttled()).isZero();
    assertThat(r.throttling().maxInFlight()).isBetween(2, 4);
  }
}

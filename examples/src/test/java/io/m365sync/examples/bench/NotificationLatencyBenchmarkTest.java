package io.m365sync.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The notification latency runner works end to end at a small size (figures come from the full run in BENCHMARKS.md). */
class NotificationLatencyBenchmarkTest {
  @Test
  void everyChangeArrivesOnceAndIdleMailboxesCostNothingWhilePollingPaysPerCycle() throws Exception {
    NotificationLatencyBenchmark.Result r = NotificationLatencyBenchmark.run(12, 4, Duration.ZERO);

    NotificationLatencyBenchmark.PathResult push = r.push();
    assertThat(push.latencies()).hasSize(4).allSatisfy(d -> assertThat(d).isPositive());
    assertThat(push.requestsPerChange()).as("one delta read per change").isBetween(1.0, 1.5);
    assertThat(push.idleMailboxes()).isEqualTo(8);
    assertThat(push.idleMailboxRequests()).isZero();
    assertThat(push.duplicates()).isZero();

    NotificationLatencyBenchmark.PathResult polling = r.polling();
    assertThat(polling.latencies()).hasSize(300);
    // the cycle probes all 24 mailbox-resources' delta links in 2 $batches of up to 20; each mailbox's round
    // takes its probe's page of the changed events (one page each) instead of reading it again: 2 requests
    // for the cycle's 300 changes
    assertThat(polling.requestsPerChange()).as("$batch probes, whose pages the rounds take").isEqualTo(2 / 300.0);
    assertThat(polling.percentile(0.5)).as("half a cycle of simulated wait").isGreaterThan(Duration.ofSeconds(149));
    assertThat(polling.duplicates()).isZero();
    assertThat(NotificationLatencyBenchmark.report(r)).contains("push: change notifications").contains("baseline: polling");
    assertThat(NotificationLatencyBenchmark.summary(List.of(r, r))).contains("summary over 2 runs");
  }
}

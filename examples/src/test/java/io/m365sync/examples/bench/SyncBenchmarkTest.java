package io.m365sync.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The benchmark runner works end to end at a tiny size (figures come from the full run in BENCHMARKS.md). */
class SyncBenchmarkTest {
  @Test
  void everyPathReadsEveryEventAndAnIdleCycleIsOneBatchStepPerMailboxResource() throws Exception {
    SyncBenchmark.Result r = SyncBenchmark.run(4, 120, 2);

    assertThat(r.fullStack().events()).isEqualTo(480);
    assertThat(r.naive().events()).isEqualTo(480);
    assertThat(r.floor().events()).isEqualTo(480);
    assertThat(r.graphRequestsPerMailboxResourceIdle()).as("each idle mailbox-resource is one $batch step").isEqualTo(1.0);
    assertThat(r.httpRoundTripsPerMailboxResourceIdle()).as("4 mailboxes' probes in one $batch").isEqualTo(0.25);
    assertThat(r.tokenRequestsIdleCycle()).isZero();
    assertThat(r.duplicates()).isZero();
    assertThat(r.rounds()).isEqualTo(2);
    assertThat(SyncBenchmark.report(r)).contains("baseline: naive loop");
  }
}

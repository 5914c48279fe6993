package io.m365sync.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The runner works at a tiny size (figures: BENCHMARKS.md), and a two-way first sync writes its state
 * once per batch of up to 500 CRM writes (five pages of 100).
 */
class TwoWayFirstSyncBenchmarkTest {
  @Test
  void everyContactIsSyncedWithOneStateWritePerBatchAndOneAtTheEnd() throws Exception {
    TwoWayFirstSyncBenchmark.Run r = TwoWayFirstSyncBenchmark.run(2, 750);

    assertThat(r.items()).isEqualTo(1500);
    assertThat(r.pages()).isEqualTo(16);
    // per mailbox, two batches (500 and 250): each batch's note (with the batch before's links and
    // bases), and the round's end
    assertThat(r.writes()).isEqualTo(2 * 3);
  }
}

package io.m365sync.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The runner works at a tiny size (figures: BENCHMARKS.md), and a round's deletions remove their links
 * with the batch's commit: one state write a round, not one per deletion.
 */
class DeletionRoundBenchmarkTest {
  @Test
  void aRoundDeletingManyRecordsWritesItsStateOnce() throws Exception {
    try (BenchStores stores = new BenchStores(BenchStores.Kind.H2, 1)) {
      DeletionRoundBenchmark.Run r = DeletionRoundBenchmark.run(stores, 2, 250, 0.4);

      assertThat(r.deleted()).isEqualTo(2 * 100); // the runner checks the CRM kept the other 300
      assertThat(r.writes()).isEqualTo(2); // per mailbox: the removals and the delta link, one commit
    }
  }
}

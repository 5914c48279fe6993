package io.m365sync.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The runner works at a tiny size (figures: BENCHMARKS.md), and a two-way first sync writes its state once a page. */
class TwoWayFirstSyncBenchmarkTest {
  @Test
  void everyContactIsSyncedWithOneStateWritePerPageAndOneAtTheEnd() throws Exception {
    TwoWayFirstSyncBenchmark.Run r = TwoWayFirstSyncBenchmark.run(2, 250);

    assertThat(r.items()).isEqualTo(500);
    assertThat(r.pages()).isEqualTo(6);
    // per mailbox: each page's note (with the page before's links and bases), and the round's end
    assertThat(r.writes()).isEqualTo(r.pages() + 2);
  }
}

package io.m365sync.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The monitor benchmark runner works end to end at a small size (figures come from the full run in BENCHMARKS.md). */
class MonitorBenchmarkTest {
  @Test
  void everyQuestionIsAnsweredAndStoreAndBaselineCountTheSameMailboxes() throws Exception {
    MonitorBenchmark.Result r = MonitorBenchmark.run(3_000, 3);

    assertThat(r.countedByStore()).isEqualTo(3_000).isEqualTo(r.countedByBaseline());
    assertThat(r.figures()).hasSize(19).allSatisfy(f -> assertThat(f.millis()).hasSizeGreaterThanOrEqualTo(3));
    assertThat(MonitorBenchmark.report(r)).contains("baseline: read every row").contains("OFFSET");
  }
}

package io.m365sync.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the runner counts a path's rate: three warm runs that agree, not a plateau the JIT holds it on. */
class SettlingTest {
  /** One run's rate and whether the JIT was done compiling through it. */
  private record Run(double rate, boolean warm) {}

  private static Settling.Settled<Run> settle(List<Run> runs) throws Exception {
    Iterator<Run> next = runs.iterator();
    return Settling.untilSettled(runs.size(), 0.05, Run::rate, r -> 1.0, Run::warm, next::next, r -> {});
  }

  @Test
  void threeRunsThatAgreeWhileTheJitIsStillCompilingAreNotTheRate() throws Exception {
    Settling.Settled<Run> s = settle(List.of(new Run(20, false), new Run(20, false), new Run(20.5, false),
        new Run(40, true), new Run(45, true), new Run(46, true), new Run(45.5, true)));

    assertThat(s.settled()).isTrue();
    assertThat(s.counted().rate()).isEqualTo(45.5);
    assertThat(s.warmUpRuns()).isEqualTo(4);
    assertThat(s.runs()).hasSize(7);
  }

  @Test
  void aPathThatNeverWarmsUpIsReportedAsNotSettled() throws Exception {
    Settling.Settled<Run> s = settle(List.of(new Run(20, false), new Run(20, false), new Run(20, false), new Run(20, false)));

    assertThat(s.settled()).isFalse();
    assertThat(s.describe()).startsWith("NOT settled");
    assertThat(s.runs()).hasSize(4);
  }
}

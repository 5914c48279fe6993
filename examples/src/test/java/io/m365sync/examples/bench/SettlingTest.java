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

  @Test
  void pathsRunInTurnsAreComparedPairByPairSoThatASlowMinuteSlowsBothSidesOfItsPair() throws Exception {
    // the machine slows down by half for the third and fourth pairs: the pairs' ratios do not move
    Iterator<Run> a = List.of(new Run(50, true), new Run(52, true), new Run(25, true), new Run(26, true),
        new Run(48, true)).iterator();
    Iterator<Run> b = List.of(new Run(100, true), new Run(100, true), new Run(50, true), new Run(50, true),
        new Run(100, true)).iterator();
    List<Run> seen = new java.util.ArrayList<>();

    Settling.InTurns t = Settling.inTurns(5, a::next, b::next, Run::rate, (x, y) -> {
      seen.add(x);
      seen.add(y);
    });

    assertThat(t.ratios()).containsExactly(0.5, 0.52, 0.5, 0.52, 0.48);
    assertThat(t.median()).isEqualTo(0.5);
    assertThat(t.min()).isEqualTo(0.48);
    assertThat(t.max()).isEqualTo(0.52);
    assertThat(seen).extracting(Run::rate).containsExactly(50.0, 100.0, 52.0, 100.0, 25.0, 50.0, 26.0, 50.0, 48.0,
        100.0); // a, b, a, b: each pair's two runs one after the other
    assertThat(t.describe()).isEqualTo("median of 5 pairs run in turns 0.50x (pairs 0.48x-0.52x)");
  }

  @Test
  void anEvenNumberOfPairsCountsTheLowerOfTheMiddleTwo() throws Exception {
    Iterator<Run> a = List.of(new Run(60, true), new Run(40, true), new Run(70, true), new Run(50, true)).iterator();
    Iterator<Run> b = List.of(new Run(100, true), new Run(100, true), new Run(100, true), new Run(100, true))
        .iterator();

    assertThat(Settling.inTurns(4, a::next, b::next, Run::rate, (x, y) -> {}).median()).isEqualTo(0.5);
  }
}

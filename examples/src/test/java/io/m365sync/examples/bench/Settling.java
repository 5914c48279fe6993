package io.m365sync.examples.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * Runs a path again and again until its rate settles: the last {@value #WINDOWS} runs warm and within
 * a tolerance of each other (max ÷ min − 1). The runs before them are the warm-up (mostly the JIT
 * compiling the path: on 2 cores C2 competes with the path for a core). A run is warm when the caller
 * says so (the JIT's share of its CPU): three runs can agree while the JIT still takes a core through
 * all of them, a plateau, not the path's rate. Gives up after a number of runs and counts the last
 * three, saying that it did not settle.
 */
final class Settling {
  static final int WINDOWS = 3;

  private Settling() {}

  /** One path's runs, the counted median of the last three, and the warm-up before them. */
  record Settled<T>(List<T> runs, T counted, boolean settled, double spread, int warmUpRuns, double warmUpSeconds) {
    String describe() {
      return String.format("%s after %d warm-up runs (%.1f s), spread of the last %d %.1f %%",
          settled ? "settled" : "NOT settled", warmUpRuns, warmUpSeconds, WINDOWS, spread * 100);
    }
  }

  @FunctionalInterface
  interface Run<T> {
    T run() throws Exception;
  }

  static <T> Settled<T> untilSettled(int maxRuns, double tolerance, ToDoubleFunction<T> rate, ToDoubleFunction<T> seconds,
                                     Predicate<T> warm, Run<T> path, Consumer<T> onRun) throws Exception {
    if (maxRuns < WINDOWS) {
      throw new IllegalArgumentException("'maxRuns' must be at least " + WINDOWS + " but was " + maxRuns);
    }
    List<T> runs = new ArrayList<>();
    double spread = Double.NaN;
    boolean settled = false;
    while (runs.size() < maxRuns && !settled) {
      T r = path.run();
      runs.add(r);
      onRun.accept(r);
      if (runs.size() >= WINDOWS) {
        List<T> window = runs.subList(runs.size() - WINDOWS, runs.size());
        spread = spread(window, rate);
        settled = spread <= tolerance && window.stream().allMatch(warm);
      }
    }
    List<T> last = new ArrayList<>(runs.subList(runs.size() - WINDOWS, runs.size()));
    last.sort(Comparator.comparingDouble(rate));
    List<T> warmUp = runs.subList(0, runs.size() - WINDOWS);
    return new Settled<>(List.copyOf(runs), last.get(1), settled, spread, warmUp.size(),
        warmUp.stream().mapToDouble(seconds).sum());
  }

  /** The ratios of two paths' rates run in turns, one pair at a time, and their median and range. */
  record InTurns(List<Double> ratios, double median, double min, double max) {
    String describe() {
      return String.format("median of %d pairs run in turns %.2fx (pairs %.2fx-%.2fx)", ratios.size(), median, min,
          max);
    }
  }

  /**
   * Runs {@code a} then {@code b}, {@code pairs} times, and gives each pair's rate of {@code a} ÷ rate of
   * {@code b}. On a shared machine a path's rate moves by a quarter from one minute to the next; a pair's
   * two runs see about the same minute, so their ratio moves far less than the ratio of two medians
   * taken one path after the other. Run it once both paths are warm.
   */
  static <T> InTurns inTurns(int pairs, Run<T> a, Run<T> b, ToDoubleFunction<T> rate, BiConsumer<T, T> onPair)
      throws Exception {
    if (pairs < 1) {
      throw new IllegalArgumentException("'pairs' must be at least 1 but was " + pairs);
    }
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      T x = a.run();
      T y = b.run();
      onPair.accept(x, y);
      ratios.add(rate.applyAsDouble(x) / rate.applyAsDouble(y));
    }
    List<Double> sorted = ratios.stream().sorted().toList();
    return new InTurns(List.copyOf(ratios), median(ratios, r -> r), sorted.get(0), sorted.get(sorted.size() - 1));
  }

  /** The middle of {@code runs} by {@code by}; of an even number, the lower of the middle two. */
  static <T> T median(List<T> runs, ToDoubleFunction<T> by) {
    List<T> sorted = new ArrayList<>(runs);
    sorted.sort(Comparator.comparingDouble(by));
    return sorted.get((sorted.size() - 1) / 2);
  }

  private static <T> double spread(List<T> window, ToDoubleFunction<T> rate) {
    double min = window.stream().mapToDouble(rate).min().orElseThrow();
    double max = window.stream().mapToDouble(rate).max().orElseThrow();
    return max / Math.max(1e-9, min) - 1;
  }
}

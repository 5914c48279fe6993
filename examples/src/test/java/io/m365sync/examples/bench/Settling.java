package io.m365sync.examples.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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

  private static <T> double spread(List<T> window, ToDoubleFunction<T> rate) {
    double min = window.stream().mapToDouble(rate).min().orElseThrow();
    double max = window.stream().mapToDouble(rate).max().orElseThrow();
    return max / Math.max(1e-9, min) - 1;
  }
}

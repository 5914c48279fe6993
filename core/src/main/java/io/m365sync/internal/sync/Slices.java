package io.m365sync.internal.sync;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The time slices a window's first full read of a large calendar is cut into ({@link DeltaReader}):
 * each is a delta chain of its own, so S slices read at once take about 1/S of the time one chain of
 * the whole window takes (a chain is its pages × Graph's latency, whatever else runs). Slice i covers
 * [b(i), b(i+1)); an event that overlaps a boundary is in both slices, which the reader merges by id.
 */
final class Slices {
  private Slices() {
  }

  /** Each slice of the unsampled part of a window is this share shorter than the one before it. */
  private static final double SHRINK = 7.0 / 8;

  /**
   * At most {@code count} slices of {@code window}. Lanes take them in order as they free up, so the
   * read ends when the slowest lane does: slices should hold about as many items, or at least the last
   * ones taken should be small. {@code starts} are the start times of the whole window's first pages,
   * in server order. Unordered, they are a sample of the calendar: cuts where each slice holds about as
   * many. In start order (a server that pages by start time), they say only what lies before the last
   * of them: that part is one slice, and the rest is cut into slices each {@link #SHRINK} as long as the
   * one before, so the ones read last are short whatever the rest holds. Inner boundaries are whole
   * seconds (Graph's calendar view takes seconds), so two neighbours meet exactly; slices too short to
   * cut are merged.
   */
  static List<Window> cut(Window window, List<Instant> starts, int count) {
    List<Instant> clamped = starts.stream().map(s -> s.isBefore(window.start()) ? window.start() : s).toList();
    List<Instant> sorted = clamped.stream().sorted().toList();
    List<Instant> inner = clamped.size() >= 2 * count && !sorted.equals(clamped) ? quantiles(sorted, count)
        : shrinking(window, sorted, count);
    List<Instant> bounds = new ArrayList<>(count + 1);
    bounds.add(window.start());
    for (Instant b : inner) {
      Instant cut = b.truncatedTo(ChronoUnit.SECONDS);
      if (cut.isAfter(bounds.get(bounds.size() - 1)) && cut.isBefore(window.end())) {
        bounds.add(cut);
      }
    }
    bounds.add(window.end());
    List<Window> slices = new ArrayList<>(bounds.size() - 1);
    for (int i = 0; i + 1 < bounds.size(); i++) {
      slices.add(new Window(bounds.get(i), bounds.get(i + 1)));
    }
    return slices;
  }

  /** The inner boundaries where each of {@code count} slices holds about as many of a sample. */
  private static List<Instant> quantiles(List<Instant> sorted, int count) {
    List<Instant> inner = new ArrayList<>(count);
    for (int k = 1; k < count; k++) {
      inner.add(sorted.get(k * sorted.size() / count));
    }
    return inner;
  }

  /**
   * The inner boundaries of one slice up to the last of a sample in start order (none without one),
   * then slices each {@link #SHRINK} as long as the one before to the window's end.
   */
  private static List<Instant> shrinking(Window window, List<Instant> sorted, int count) {
    Instant sampled = sorted.isEmpty() || !sorted.get(sorted.size() - 1).isBefore(window.end()) ? window.start()
        : sorted.get(sorted.size() - 1);
    List<Instant> inner = new ArrayList<>(count);
    if (!sampled.equals(window.start())) {
      inner.add(sampled);
    }
    int rest = count - inner.size();
    double total = Duration.between(sampled, window.end()).toMillis();
    double first = total * (1 - SHRINK) / (1 - Math.pow(SHRINK, rest));
    double at = 0;
    for (int k = 0; k + 1 < rest; k++) {
      at += first * Math.pow(SHRINK, k);
      inner.add(sampled.plusMillis(Math.round(at)));
    }
    return inner;
  }
}

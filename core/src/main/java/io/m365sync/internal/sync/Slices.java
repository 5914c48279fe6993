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

  /**
   * At most {@code count} slices of {@code window}, cut where each holds about as many of {@code starts}
   * (the start times of the whole window's first pages, in server order: a sample of the calendar).
   * A sample in start order is no sample of the rest (a server that pages by start time), and a small
   * one says little: then slices of equal length. Inner boundaries are whole seconds (Graph's
   * calendar view takes seconds), so two neighbours meet exactly; slices too short to cut are merged.
   */
  static List<Window> cut(Window window, List<Instant> starts, int count) {
    List<Instant> clamped = starts.stream().map(s -> s.isBefore(window.start()) ? window.start() : s).toList();
    List<Instant> sorted = clamped.stream().sorted().toList();
    boolean sample = clamped.size() >= 2 * count && !sorted.equals(clamped);
    Duration length = Duration.between(window.start(), window.end());
    List<Instant> bounds = new ArrayList<>(count + 1);
    bounds.add(window.start());
    for (int k = 1; k < count; k++) {
      Instant b = (sample ? sorted.get(k * sorted.size() / count)
          : window.start().plus(length.multipliedBy(k).dividedBy(count))).truncatedTo(ChronoUnit.SECONDS);
      if (b.isAfter(bounds.get(bounds.size() - 1)) && b.isBefore(window.end())) {
        bounds.add(b);
      }
    }
    bounds.add(window.end());
    List<Window> slices = new ArrayList<>(bounds.size() - 1);
    for (int i = 0; i + 1 < bounds.size(); i++) {
      slices.add(new Window(bounds.get(i), bounds.get(i + 1)));
    }
    return slices;
  }
}

package io.m365sync.internal.sync;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The time slices the first full read of a large calendar reads, as many at once as the mailbox may
 * have requests in flight: each slice is a delta chain of its own with its own link, so S slices read
 * at once take about 1/S of the time one next-link chain of the whole window takes (a chain is its
 * pages × Graph's latency, whatever else runs). Slice
 * i covers [b(i), b(i+1)); an event that overlaps a boundary is in both slices, which the reader
 * merges by id. Stored as the boundaries' epoch millis under {@link Markers#slices} until the next
 * round puts the window back on one link; slice i's link under the cursor key container {@link #key}.
 */
final class Slices {
  private Slices() {
  }

  /** The container of slice {@code i}'s cursor key. */
  static String key(int i) {
    return Markers.NS + "event-slice:" + i;
  }

  /**
   * At most {@code count} slices of {@code window}, cut where each holds about as many of {@code starts}
   * (the start times of the first page of the whole window, in server order: a sample of the calendar).
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

  static String encode(List<Window> slices) {
    StringBuilder sb = new StringBuilder().append(slices.get(0).start().toEpochMilli());
    slices.forEach(s -> sb.append('/').append(s.end().toEpochMilli()));
    return sb.toString();
  }

  /** The slices stored for {@code window}; null when they do not cover it exactly (read the window whole again). */
  static List<Window> decode(String stored, Window window) {
    String[] parts = stored.split("/");
    List<Window> slices = new ArrayList<>(parts.length);
    try {
      for (int i = 0; i + 1 < parts.length; i++) {
        Instant start = Instant.ofEpochMilli(Long.parseLong(parts[i]));
        Instant end = Instant.ofEpochMilli(Long.parseLong(parts[i + 1]));
        if (!end.isAfter(start)) {
          return null;
        }
        slices.add(new Window(start, end));
      }
    } catch (NumberFormatException e) {
      return null;
    }
    boolean covers = slices.size() >= 2 && slices.get(0).start().equals(window.start())
        && slices.get(slices.size() - 1).end().equals(window.end());
    return covers ? slices : null;
  }

  /** How many slices {@code stored} names, whatever window it was cut from (0 when unreadable). */
  static int count(String stored) {
    return stored.matches("\\d+(/\\d+)+") ? stored.split("/").length - 1 : 0;
  }
}

package io.m365sync.internal.sync;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

/**
 * The time slices of one sliced read of a large calendar's window ({@link DeltaReader}), handed to the
 * read's lanes as they free up: each slice is a delta chain of its own, so slices read at once take a
 * fraction of the time one chain of the whole window takes (a chain is its pages × Graph's latency).
 * Slice i covers [b(i), b(i+1)); an event that overlaps a boundary is in both, which the reader merges
 * by id. Thread-safe: lanes take and report slices concurrently.
 *
 * <p>Slices are cut as lanes free up ({@link #next}), each sized to hold its share of what the rest of
 * the window is expected to hold, at least a page, by what the slices read so far held ({@link #read}):
 * a calendar of a few hundred events costs a few slices, a large one many, and slices shrink as the
 * rest does, so lanes end together. Where the calendar lies comes from {@code starts}, the start times
 * of the window's first pages in server order. Unordered (Graph documents no order; the emulator pages
 * by id), they are a sample of the calendar without its size: a slice's expected share is its share of
 * the sample, and the first slices, read before any tells the calendar's size, hold a
 * {@code 1 / (}{@link #PER_LANE}{@code  × lanes)} share each. In start order they say what lies before
 * the last of them, read again as the first slice, and how dense the calendar is there; beyond it the
 * expected share is by time, at the density read so far or, where the last slice read was thinner (the
 * calendar may end early), at that one's, never below a tenth of the former (a gap is no end).
 */
final class Slices {
  /** Slices per lane when nothing tells the calendar's size yet (or nothing tells where it lies). */
  static final int PER_LANE = 4;
  /** The rest of the window is expected to spread over this many slices per lane. */
  private static final double SPREAD = 1.5;
  /** A slice that would hold more than this share of the rest takes it all. */
  private static final double TAKES_ALL = 0.75;
  /** An empty slice may be a gap (a holiday), not the calendar's end: the density never falls below this share. */
  private static final double FLOOR = 0.1;
  /** Without any sample, each slice of the window is this share shorter than the one before it. */
  private static final double SHRINK = 7.0 / 8;

  /** How much of the calendar a part of the window is expected to hold, in a unit of its own. */
  private interface Scale {
    double mass(Instant from, Instant to);

    /** Where the part from {@code from} holding {@code mass} ends (the window's end at most). */
    Instant after(Instant from, double mass);
  }

  private final Window window;
  private final int lanes;
  private final int pageSize;
  private final Scale scale;
  /** Slices cut before the read: the sampled part, or every slice when there is no scale. */
  private final Deque<Window> cut;
  /** Where the rest of the window, cut as lanes free up, starts. */
  private Instant rest;
  /** Items read and the mass they lie in: the calendar's density so far (none read yet: 0 and 0). */
  private double items;
  private double mass;
  /** The density of the slice read last. */
  private double lastDensity;
  private boolean stopped;

  private Slices(Window window, int lanes, int pageSize, Scale scale, List<Window> cut, Instant rest, double items,
                 double mass) {
    this.window = window;
    this.lanes = lanes;
    this.pageSize = pageSize;
    this.scale = scale;
    this.cut = new ArrayDeque<>(cut);
    this.rest = rest;
    this.items = items;
    this.mass = mass;
    this.lastDensity = mass > 0 ? items / mass : 0;
  }

  /**
   * The slices of {@code window} for {@code lanes} lanes reading pages of {@code pageSize}, from the
   * {@code starts} of its first pages in server order.
   */
  static Slices plan(Window window, List<Instant> starts, int lanes, int pageSize) {
    List<Instant> clamped = starts.stream().map(s -> s.isBefore(window.start()) ? window.start() : s).toList();
    List<Instant> sorted = clamped.stream().map(s -> s.truncatedTo(ChronoUnit.SECONDS)).sorted().toList();
    if (sorted.size() >= 2 && !clamped.equals(clamped.stream().sorted().toList())) {
      return new Slices(window, lanes, pageSize, new SampleShare(sorted, window.end()), List.of(), window.start(), 0, 0);
    }
    Instant sampled = sorted.isEmpty() ? window.start() : sorted.get(sorted.size() - 1);
    if (!sampled.isAfter(window.start()) || !sampled.isBefore(window.end())) {
      // nothing tells where the calendar lies: the whole window cut at once, shrinking
      return new Slices(window, lanes, pageSize, null, shrinking(window, PER_LANE * lanes), window.end(), 0, 0);
    }
    return new Slices(window, lanes, pageSize, new Time(window.end()), List.of(new Window(window.start(), sampled)),
        sampled, clamped.size(), Duration.between(window.start(), sampled).toMillis());
  }

  /** The next slice to read, or null when every slice is taken (or the read stopped). */
  synchronized Window next() {
    if (stopped) {
      return null;
    }
    if (!cut.isEmpty()) {
      return cut.poll();
    }
    if (scale == null || !rest.isBefore(window.end())) {
      return null;
    }
    Instant end;
    if (mass == 0) {
      end = scale.after(rest, scale.mass(window.start(), window.end()) / (PER_LANE * lanes)); // size unknown yet
    } else {
      double overall = items / mass;
      double density = Math.max(Math.min(overall, lastDensity), FLOOR * overall);
      double restMass = scale.mass(rest, window.end());
      double share = density > 0 ? Math.max(pageSize, density * restMass / (SPREAD * lanes)) / density : restMass;
      end = share >= TAKES_ALL * restMass ? window.end() : scale.after(rest, share);
    }
    if (!end.isAfter(rest)) {
      end = rest.plusSeconds(1); // a share shorter than a second: boundaries are whole seconds
    }
    Window slice = new Window(rest, end.isBefore(window.end()) ? end : window.end());
    rest = slice.end();
    return slice;
  }

  /** {@code slice} was read and held {@code held} items: what the next slices are sized by. */
  synchronized void read(Window slice, int held) {
    double m = scale == null ? 0 : scale.mass(slice.start(), slice.end());
    if (m <= 0 || slice.start().equals(window.start()) && scale instanceof Time) {
      return; // nothing to learn, or the sampled part (its items are the sample)
    }
    items += held;
    mass += m;
    lastDensity = held / m;
  }

  /** Whether the read stopped: a slice failed, or what takes the slices read did. */
  synchronized boolean stopped() {
    return stopped;
  }

  /** A slice failed: the read fails, so no further slice is handed out. */
  synchronized void stop() {
    stopped = true;
  }

  /** Milliseconds of window: a sample in start order says how many items a millisecond holds there. */
  private record Time(Instant end) implements Scale {
    @Override
    public double mass(Instant from, Instant to) {
      return Math.max(0, Duration.between(from, to).toMillis());
    }

    @Override
    public Instant after(Instant from, double mass) {
      Instant to = from.plusMillis(Math.round(mass)).truncatedTo(ChronoUnit.SECONDS);
      return to.isBefore(end) ? to : end;
    }
  }

  /** The share of an unordered sample (its starts sorted, on whole seconds) in a part of the window. */
  private record SampleShare(List<Instant> sorted, Instant end) implements Scale {
    @Override
    public double mass(Instant from, Instant to) {
      return (double) (at(to) - at(from)) / sorted.size();
    }

    @Override
    public Instant after(Instant from, double mass) {
      for (int i = at(from) + Math.max(1, (int) Math.round(mass * sorted.size())); i < sorted.size(); i++) {
        if (sorted.get(i).isAfter(from)) {
          return sorted.get(i);
        }
      }
      return end;
    }

    /** How many sampled starts lie before {@code t}. */
    private int at(Instant t) {
      int i = Collections.binarySearch(sorted, t);
      if (i < 0) {
        return -i - 1;
      }
      while (i > 0 && sorted.get(i - 1).equals(t)) {
        i--;
      }
      return i;
    }
  }

  /** Slices of the window cut at once, {@code count} at most, each {@link #SHRINK} as long as the one before. */
  private static List<Window> shrinking(Window window, int count) {
    double total = Duration.between(window.start(), window.end()).toMillis();
    double first = total * (1 - SHRINK) / (1 - Math.pow(SHRINK, count));
    List<Window> slices = new ArrayList<>(count);
    Instant from = window.start();
    double at = 0;
    for (int k = 0; k + 1 < count; k++) {
      at += first * Math.pow(SHRINK, k);
      Instant to = window.start().plusMillis(Math.round(at)).truncatedTo(ChronoUnit.SECONDS);
      if (to.isAfter(from) && to.isBefore(window.end())) {
        slices.add(new Window(from, to));
        from = to;
      }
    }
    slices.add(new Window(from, window.end()));
    return slices;
  }
}

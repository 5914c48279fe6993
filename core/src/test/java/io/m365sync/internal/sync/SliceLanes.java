package io.m365sync.internal.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/** Reads a slice plan as the reader's lanes would, against a calendar given by its events' starts. */
final class SliceLanes {
  /** A plan that hands out more slices than this never ends. */
  private static final int MOST = 100_000;

  private SliceLanes() {
  }

  /**
   * Every slice of {@code plan}, in window order: {@code lanes} slices read at once, each lane taking the
   * next as its slice ends and telling the plan what it held; {@code ending} picks which of the slices
   * being read (by index, of as many) ends next.
   */
  static List<Window> read(Slices plan, int lanes, List<Instant> calendar, IntUnaryOperator ending) {
    List<Window> slices = new ArrayList<>();
    List<Window> reading = new ArrayList<>();
    while (true) {
      while (reading.size() < lanes) {
        Window w = plan.next();
        if (w == null) {
          break;
        }
        slices.add(w);
        reading.add(w);
        if (slices.size() > MOST) {
          throw new AssertionError("the plan handed out more than " + MOST + " slices");
        }
      }
      if (reading.isEmpty()) {
        slices.sort((a, b) -> a.start().compareTo(b.start()));
        return slices;
      }
      Window done = reading.remove(ending.applyAsInt(reading.size()));
      plan.read(done, inside(calendar, done));
    }
  }

  /** The events of {@code calendar} that start in {@code w}. */
  static int inside(List<Instant> calendar, Window w) {
    return (int) calendar.stream().filter(t -> !t.isBefore(w.start()) && t.isBefore(w.end())).count();
  }
}

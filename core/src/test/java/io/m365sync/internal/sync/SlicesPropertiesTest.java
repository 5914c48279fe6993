package io.m365sync.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever the calendar, the order its first page came in, the lanes and the page size, and whichever
 * slice ends first: the slices cover the window exactly once, on whole seconds, and there are a bounded
 * number of them. Seeds pinned so CI replays the same cases.
 */
class SlicesPropertiesTest {
  private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
  private static final Window WINDOW = new Window(START.plusMillis(250), START.plus(Duration.ofDays(395)));

  @Property(tries = 500, seed = "4411093825502719")
  void slicesCoverTheWindowExactlyAndEnd(@ForAll @Size(max = 40) List<@IntRange(min = 0, max = 420) Integer> busyDays,
                                          @ForAll @IntRange(min = 0, max = 3_000) int events,
                                          @ForAll boolean inStartOrder, @ForAll @IntRange(min = 1, max = 4) int lanes,
                                          @ForAll @IntRange(min = 10, max = 200) int pageSize, @ForAll long seed) {
    Random random = new Random(seed);
    List<Instant> calendar = calendar(busyDays, events, random);
    List<Instant> served = new ArrayList<>(calendar);
    if (!inStartOrder) {
      Collections.shuffle(served, random);
    }
    Slices plan = Slices.plan(WINDOW, served.subList(0, Math.min(served.size(), 2 * pageSize)), lanes, pageSize);

    List<Window> slices = SliceLanes.read(plan, lanes, calendar, random::nextInt); // lanes end in any order

    // the first slices, at most one per page's worth, and a few more (past the calendar's end, gaps, its tail)
    assertThat(slices.size()).as("slices for %s events in pages of %s", calendar.size(), pageSize)
        .isLessThanOrEqualTo(Slices.PER_LANE * lanes + calendar.size() / pageSize + 8);
    assertThat(slices.get(0).start()).isEqualTo(WINDOW.start());
    assertThat(slices.get(slices.size() - 1).end()).isEqualTo(WINDOW.end());
    for (int i = 1; i < slices.size(); i++) {
      assertThat(slices.get(i).start()).isEqualTo(slices.get(i - 1).end());
      assertThat(slices.get(i).start()).isAfter(slices.get(i - 1).start());
      assertThat(slices.get(i).start().getNano()).isZero();
    }
  }

  /** {@code events} starts spread over the busy days (none: the whole window), some before or after the window. */
  private static List<Instant> calendar(List<Integer> busyDays, int events, Random random) {
    List<Instant> starts = new ArrayList<>(events);
    for (int i = 0; i < events; i++) {
      int day = busyDays.isEmpty() ? random.nextInt(420) : busyDays.get(random.nextInt(busyDays.size()));
      starts.add(START.minus(Duration.ofDays(10)).plus(Duration.ofDays(day)).plusSeconds(random.nextInt(86_400 / 900) * 900L));
    }
    starts.sort(null);
    return starts;
  }
}

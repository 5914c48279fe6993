package io.m365sync.internal.sync;

import static io.m365sync.internal.sync.SliceLanes.inside;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * How a large calendar's window is cut for its first read: slices that cover it exactly, each worth a
 * request or more, balanced for the lanes, whether the server pages by start time or not.
 */
class SlicesTest {
  private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
  private static final Window WINDOW = new Window(START, START.plus(Duration.ofDays(395)));
  private static final int LANES = 4;
  private static final int PAGE = 100;

  @ParameterizedTest(name = "in start order: {0}")
  @ValueSource(booleans = {true, false})
  void aLargeCalendarThatEndsEarlyCostsAboutItsPagesAndFewEmptySlices(boolean ordered) {
    List<Instant> calendar = every(Duration.ofMinutes(40), START.plus(Duration.ofDays(30)), 10_000); // 277 days of 395

    List<Window> slices = read(calendar, ordered);

    assertThat(requests(calendar, slices)).as("requests for 100 pages' worth").isLessThanOrEqualTo(115);
    // 16 slices cut at once cost 7 empty ones in start order: lanes in flight learn the end late, a few remain
    assertThat(slices.stream().filter(w -> inside(calendar, w) == 0).count()).as("empty slices").isLessThanOrEqualTo(5);
    assertThat(slices.stream().mapToInt(w -> inside(calendar, w)).max().orElseThrow())
        .as("items in the fullest slice: no lane reads a quarter of the calendar alone").isLessThan(2_500);
  }

  @ParameterizedTest(name = "in start order: {0}")
  @ValueSource(booleans = {true, false})
  void aCalendarOfAFewPagesCostsAFewSlices(boolean ordered) {
    List<Instant> calendar = every(Duration.ofMinutes(40), START.plus(Duration.ofDays(30)), 500); // 14 days

    List<Window> slices = read(calendar, ordered);

    assertThat(requests(calendar, slices)).as("requests for 5 pages (16 slices cut at once: 21)").isLessThanOrEqualTo(12);
  }

  @ParameterizedTest(name = "in start order: {0}")
  @ValueSource(booleans = {true, false})
  void aGapInTheCalendarIsNotTakenForItsEnd(boolean ordered) {
    List<Instant> calendar = new ArrayList<>(every(Duration.ofHours(1), START, 24 * 60)); // 60 busy days
    calendar.addAll(every(Duration.ofHours(1), START.plus(Duration.ofDays(90)), 24 * 300)); // a month off, then busy

    List<Window> slices = read(calendar, ordered);

    assertThat(slices.stream().mapToInt(w -> inside(calendar, w)).max().orElseThrow())
        .as("items in the fullest slice of %s", calendar.size()).isLessThan(calendar.size() / 4);
  }

  @Test
  void aSampleInStartOrderIsReadAgainAsTheFirstSlice() {
    List<Instant> calendar = every(Duration.ofMinutes(40), START.plus(Duration.ofDays(30)), 1_000);

    Window first = Slices.plan(WINDOW, calendar.subList(0, 200), LANES, PAGE).next();

    assertThat(first).isEqualTo(new Window(START, calendar.get(199)));
  }

  @Test
  void withoutASampleTheWholeWindowShrinks() {
    List<Window> slices = drain(Slices.plan(WINDOW, List.of(), 1, PAGE), List.of());

    assertCovers(slices);
    assertThat(slices).hasSize(Slices.PER_LANE);
    assertThat(slices).isSortedAccordingTo((a, b) -> length(b).compareTo(length(a)));
  }

  @Test
  void aSampleThatSaysNothingUsefulStillCoversTheWindow() {
    List<Instant> before = Collections.nCopies(40, START.minus(Duration.ofDays(3))); // events begun before the window
    assertCovers(drain(Slices.plan(WINDOW, before, 2, PAGE), List.of()));
    Window tiny = new Window(START, START.plusSeconds(3));
    List<Window> slices = drain(Slices.plan(tiny, List.of(), LANES, PAGE), List.of());
    assertThat(slices.get(0).start()).isEqualTo(START);
    assertThat(slices.get(slices.size() - 1).end()).isEqualTo(tiny.end());
    assertThat(slices.size()).isLessThanOrEqualTo(3);
  }

  @Test
  void aStoppedReadHandsOutNoFurtherSlice() {
    List<Instant> calendar = every(Duration.ofMinutes(40), START, 10_000);
    Slices plan = Slices.plan(WINDOW, calendar.subList(0, 200), LANES, PAGE);
    assertThat(plan.next()).isNotNull();

    plan.stop();

    assertThat(plan.next()).isNull();
  }

  /**
   * The slices of a first read of {@code calendar}: its first 200 items, by start or in a random order,
   * are the sample; the slices cover the window.
   */
  private static List<Window> read(List<Instant> calendar, boolean ordered) {
    List<Instant> served = new ArrayList<>(calendar);
    if (!ordered) {
      Collections.shuffle(served, new Random(11));
    }
    List<Window> slices = drain(Slices.plan(WINDOW, served.subList(0, 200), LANES, PAGE), calendar);
    assertCovers(slices);
    return slices;
  }

  /** Takes every slice as {@link #LANES} lanes would, the oldest slice being read ending first. */
  private static List<Window> drain(Slices plan, List<Instant> calendar) {
    return SliceLanes.read(plan, LANES, calendar, reading -> 0);
  }

  /** The requests a slice's chain costs: its full pages and the one that ends it. */
  private static int requests(List<Instant> calendar, List<Window> slices) {
    return slices.stream().mapToInt(w -> inside(calendar, w) / PAGE + 1).sum();
  }

  private static List<Instant> every(Duration apart, Instant from, int n) {
    List<Instant> starts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      starts.add(from.plus(apart.multipliedBy(i)).truncatedTo(ChronoUnit.SECONDS));
    }
    return starts;
  }

  private static Duration length(Window w) {
    return Duration.between(w.start(), w.end());
  }

  /** Contiguous, non-empty, from the window's start to its end; inner boundaries on whole seconds. */
  private static void assertCovers(List<Window> slices) {
    assertThat(slices.get(0).start()).isEqualTo(WINDOW.start());
    assertThat(slices.get(slices.size() - 1).end()).isEqualTo(WINDOW.end());
    for (int i = 0; i < slices.size(); i++) {
      assertThat(slices.get(i).end()).isAfter(slices.get(i).start());
      if (i > 0) {
        assertThat(slices.get(i).start()).isEqualTo(slices.get(i - 1).end());
        assertThat(slices.get(i).start().getNano()).isZero();
      }
    }
  }
}

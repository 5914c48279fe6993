package io.m365sync.internal.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How a large calendar's window is cut for its first read: slices that cover it exactly, balanced for the lanes. */
class SlicesTest {
  private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
  private static final Window WINDOW = new Window(START, START.plus(Duration.ofDays(395)));

  @Test
  void anUnorderedSampleIsCutWhereEachSliceHoldsAboutAsManyOfIt() {
    List<Instant> sample = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) { // dense in the first month, sparse after
      long days = i < 150 ? random.nextInt(30) : 30 + random.nextInt(365);
      sample.add(START.plus(Duration.ofDays(days)).plusSeconds(random.nextInt(86_400)));
    }

    List<Window> slices = Slices.cut(WINDOW, sample, 16);

    assertCovers(slices);
    assertThat(slices).hasSize(16);
    for (Window w : slices) {
      long held = sample.stream().filter(t -> !t.isBefore(w.start()) && t.isBefore(w.end())).count();
      assertThat(held).as("sampled starts in %s", w).isBetween(10L, 16L);
    }
  }

  @Test
  void aSampleInStartOrderIsOneSliceAndTheRestShrinksSoTheSlicesReadLastAreShort() {
    List<Instant> sample = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      sample.add(START.plus(Duration.ofDays(30)).plus(Duration.ofMinutes(40L * i)));
    }
    Instant last = sample.get(199);

    List<Window> slices = Slices.cut(WINDOW, sample, 16);

    assertCovers(slices);
    assertThat(slices).hasSize(16);
    assertThat(slices.get(0).end()).isEqualTo(last.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    for (int i = 2; i < slices.size(); i++) {
      assertThat(length(slices.get(i))).as("slice %d", i).isLessThan(length(slices.get(i - 1)));
    }
    assertThat(length(slices.get(15)).toHours()).isLessThan(length(slices.get(1)).toHours() / 5);
  }

  @Test
  void withoutASampleTheWholeWindowShrinks() {
    List<Window> slices = Slices.cut(WINDOW, List.of(), 4);

    assertCovers(slices);
    assertThat(slices).hasSize(4);
    assertThat(slices).isSortedAccordingTo((a, b) -> length(b).compareTo(length(a)));
  }

  @Test
  void aSampleThatSaysNothingUsefulStillCoversTheWindow() {
    List<Instant> before = Collections.nCopies(40, START.minus(Duration.ofDays(3))); // events begun before the window
    assertCovers(Slices.cut(WINDOW, before, 8));
    Window tiny = new Window(START, START.plusSeconds(3));
    List<Window> slices = Slices.cut(tiny, List.of(), 16);
    assertThat(slices.get(0).start()).isEqualTo(START);
    assertThat(slices.get(slices.size() - 1).end()).isEqualTo(tiny.end());
    assertThat(slices.size()).isLessThanOrEqualTo(3);
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

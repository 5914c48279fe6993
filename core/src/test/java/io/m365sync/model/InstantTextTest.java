package io.m365sync.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** An event's match key is stored in write-ahead notes: its instants must read as they always did. */
class InstantTextTest {

  @Property(tries = 5000, seed = "7310556214093")
  void writesWhatInstantToStringWrites(@ForAll("instants") Instant t) {
    assertThat(InstantText.of(t)).isEqualTo(t.toString());
  }

  @Property(tries = 200, seed = "7310556214094")
  void theEdgesOfItsRangeAndBeyond(@ForAll("edges") Instant t) {
    assertThat(InstantText.of(t)).isEqualTo(t.toString());
  }

  @Property(tries = 50, seed = "7310556214095")
  void anEventsMatchKeyHoldsItsInstantsAsBefore(@ForAll("instants") Instant start) {
    CalendarEvent e = CalendarEvent.builder().subject("Review").start(start).end(start.plusMillis(1_500)).build();
    assertThat(e.matchKey()).isEqualTo("evt:Review@" + start + "/" + start.plusMillis(1_500));
    assertThat(CalendarEvent.builder().subject("Review").start(start).end(start).iCalUid("u-1").build().matchKey())
        .isEqualTo("ical:u-1@" + start);
  }

  @Provide
  Arbitrary<Instant> instants() {
    Arbitrary<Long> seconds = Arbitraries.longs().between(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
        Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
    // whole seconds, millis, micros and nanos alike: each writes a different fraction
    Arbitrary<Integer> nanos = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 999).map(n -> n * 1_000_000),
        Arbitraries.integers().between(0, 999_999).map(n -> n * 1_000), Arbitraries.integers().between(0, 999_999_999));
    return seconds.flatMap(s -> nanos.map(n -> Instant.ofEpochSecond(s, n)));
  }

  @Provide
  Arbitrary<Instant> edges() {
    return Arbitraries.of(Instant.MIN, Instant.MAX, Instant.EPOCH, Instant.parse("0000-01-01T00:00:00Z"),
        Instant.parse("0000-01-01T00:00:00Z").minusNanos(1), Instant.parse("9999-12-31T23:59:59.999999999Z"),
        Instant.parse("9999-12-31T23:59:59.999999999Z").plusNanos(1), Instant.parse("-0001-06-15T12:00:00Z"),
        Instant.parse("+10000-01-01T00:00:00.100Z"), Instant.ofEpochSecond(-1, 999_999_999),
        Instant.parse("2026-12-04T13:00:00Z"), Instant.parse("2026-12-04T13:00:00.000001Z"),
        Instant.parse("2024-02-29T23:59:59.120Z"), Instant.parse("1969-12-31T23:59:59.000000001Z"));
  }
}

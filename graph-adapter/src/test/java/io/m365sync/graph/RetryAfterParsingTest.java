package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** {@code Retry-After} as Graph sends it: seconds (possibly fractional) or an HTTP date, on the engine's clock. */
class RetryAfterParsingTest {
  private static final Clock ENGINE = Clock.fixed(Instant.parse("2030-01-01T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void anHttpDateIsMeasuredOnTheEnginesClockNotTheSystemClock() {
    assertThat(GraphErrorMapping.parseRetryAfter("Tue, 01 Jan 2030 12:00:30 GMT", ENGINE)).isEqualTo(Duration.ofSeconds(30));
    assertThat(GraphErrorMapping.parseRetryAfter("Tue, 01 Jan 2030 11:59:00 GMT", ENGINE)).isEqualTo(Duration.ZERO);
  }

  @Test
  void secondsMayBeFractionalAndAbsurdValuesDoNotOverflow() {
    assertThat(GraphErrorMapping.parseRetryAfter("2.128", ENGINE)).isEqualTo(Duration.ofMillis(2128));
    assertThat(GraphErrorMapping.parseRetryAfter("1e300", ENGINE)).isPositive();
    assertThat(GraphErrorMapping.parseRetryAfter("-5", ENGINE)).isNull();
    assertThat(GraphErrorMapping.parseRetryAfter("soon", ENGINE)).isNull();
  }
}

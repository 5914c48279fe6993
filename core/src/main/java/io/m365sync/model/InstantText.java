package io.m365sync.model;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * {@link Instant#toString()}'s text, written without the formatter: an event's match key holds its
 * start and end and is built two or three times per event read, and the JDK's ISO formatter was ~3 % of
 * a first sync's CPU. Years 0000-9999 here; other instants (a sign, five or more digits) take the JDK's.
 */
final class InstantText {
  private static final long FIRST = LocalDateTime.of(0, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
  private static final long LAST = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC);

  private InstantText() {}

  /** Exactly {@code t.toString()}: seconds always, the fraction in groups of three digits as needed. */
  static String of(Instant t) {
    long seconds = t.getEpochSecond();
    if (seconds < FIRST || seconds > LAST) {
      return t.toString();
    }
    LocalDateTime d = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    int nano = t.getNano();
    int fraction = nano == 0 ? 0 : nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
    char[] c = new char[20 + (fraction == 0 ? 0 : fraction + 1)];
    digits(c, 0, d.getYear(), 4);
    c[4] = '-';
    digits(c, 5, d.getMonthValue(), 2);
    c[7] = '-';
    digits(c, 8, d.getDayOfMonth(), 2);
    c[10] = 'T';
    digits(c, 11, d.getHour(), 2);
    c[13] = ':';
    digits(c, 14, d.getMinute(), 2);
    c[16] = ':';
    digits(c, 17, d.getSecond(), 2);
    int end = 19;
    if (fraction > 0) {
      c[end++] = '.';
      digits(c, end, nano / pow10(9 - fraction), fraction);
      end += fraction;
    }
    c[end] = 'Z';
    return new String(c);
  }

  /** {@code value} as {@code width} decimal digits, zero-padded, at {@code from}. */
  private static void digits(char[] c, int from, int value, int width) {
    for (int i = from + width - 1; i >= from; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  private static int pow10(int n) {
    return n == 0 ? 1 : n == 3 ? 1_000 : 1_000_000;
  }
}

package io.m365sync.graph;

import io.m365sync.model.WindowsTimeZones;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Graph's {@code dateTimeTimeZone} both ways, with every Windows zone name CLDR maps ({@link WindowsTimeZones}). */
final class GraphTime {
  static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS");

  private GraphTime() {}

  /** The zone for a Windows or IANA name; null when unknown (e.g. {@code tzone://Microsoft/Custom}). */
  static ZoneId zone(String name) {
    return WindowsTimeZones.zone(name);
  }

  /** A {@code dateTimeTimeZone} as an instant; UTC when the zone is absent or unknown. */
  static Instant parse(String dateTime, String timeZone) {
    if (dateTime == null || dateTime.isEmpty()) {
      return null;
    }
    ZoneId zone = timeZone == null || timeZone.equalsIgnoreCase("UTC") ? ZoneOffset.UTC : cachedZone(timeZone);
    LocalDateTime local = fastLocal(dateTime);
    if (local != null) {
      return zone == null || zone == ZoneOffset.UTC ? local.toInstant(ZoneOffset.UTC) : local.atZone(zone).toInstant();
    }
    try {
      return LocalDateTime.parse(dateTime).atZone(zone == null ? ZoneOffset.UTC : zone).toInstant();
    } catch (DateTimeParseException e) {
      return OffsetDateTime.parse(dateTime).toInstant();
    }
  }

  private static final java.util.concurrent.ConcurrentHashMap<String, java.util.Optional<ZoneId>> ZONES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** {@link #zone} memoised: zone names are few, and resolving them is not free on the hot path. */
  private static ZoneId cachedZone(String name) {
    java.util.Optional<ZoneId> z = ZONES.get(name);
    if (z == null) {
      z = java.util.Optional.ofNullable(zone(name));
      if (ZONES.size() < 1_000) {
        ZONES.put(name, z);
      }
    }
    return z.orElse(null);
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ss} with an optional fraction of 1–9 digits, as Graph writes it; null for
   * anything else (offsets, other shapes), which the caller parses the slow way. DateTimeFormatter
   * was the client's largest per-event cost.
   */
  static LocalDateTime fastLocal(String s) {
    int n = s.length();
    if (n < 19 || n == 20 || n > 29 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
        || s.charAt(13) != ':' || s.charAt(16) != ':' || (n > 19 && s.charAt(19) != '.')) {
      return null;
    }
    int year = num(s, 0, 4);
    int month = num(s, 5, 7);
    int day = num(s, 8, 10);
    int hour = num(s, 11, 13);
    int minute = num(s, 14, 16);
    int second = num(s, 17, 19);
    int nano = 0;
    if (n > 19) {
      nano = num(s, 20, n);
      for (int i = n - 20; i < 9; i++) {
        nano *= 10;
      }
    }
    if ((year | month | day | hour | minute | second | nano) < 0) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, nano);
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** The decimal number in {@code s[from, to)}; -1 if any character is not a digit. */
  private static int num(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** An ISO offset date-time ({@code receivedDateTime}); null for null. */
  static Instant offset(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
    }
  }

  /** The local date-time of {@code t} in {@code zone}, Graph style. */
  static String local(Instant t, ZoneId zone) {
    return LOCAL.format(LocalDateTime.ofInstant(t, zone));
  }
}

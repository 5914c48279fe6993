package io.m365sync.testkit.emulator;

import io.m365sync.model.WindowsTimeZones;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Windows and IANA time zone names as Outlook accepts them, and Graph's {@code dateTimeTimeZone} format. */
final class TimeZones {
  /** {@code 2026-01-05T09:00:00.0000000}: seven fractional digits, no offset. */
  static final DateTimeFormatter GRAPH_LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS");

  private TimeZones() {}

  /** The zone for a Windows or IANA name; null when unknown. */
  static ZoneId zone(String name) {
    return WindowsTimeZones.zone(name);
  }

  static String format(Instant t, ZoneId zone) {
    LocalDateTime l = LocalDateTime.ofInstant(t, zone);
    if (l.getYear() < 1 || l.getYear() > 9999) {
      return GRAPH_LOCAL.format(l);
    }
    return Json.appendLocal(new StringBuilder(27), l, true).toString();
  }

  /**
   * Parses a {@code dateTimeTimeZone}: the local date-time (any fraction, optional offset) in the named
   * zone (UTC if absent).
   *
   * @throws HttpError 400 for an unparsable date-time or unknown zone
   */
  static Instant parse(String dateTime, String timeZone) {
    if (dateTime == null || dateTime.isBlank()) {
      throw new HttpError(400, "ErrorInvalidRequest", "The dateTime value is required.");
    }
    ZoneId zone = timeZone == null || timeZone.isBlank() ? ZoneOffset.UTC : zone(timeZone);
    if (zone == null) {
      throw new HttpError(400, "ErrorTimeZoneNotSupported", "A valid TimeZone value must be specified.");
    }
    return parseDateTime(dateTime, zone);
  }

  /** An ISO date-time with or without offset; without one it is read in {@code zone}. */
  static Instant parseDateTime(String s, ZoneId zone) {
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(s).atZone(zone).toInstant();
      } catch (DateTimeParseException e2) {
        throw new HttpError(400, "ErrorInvalidRequest", "Cannot convert the literal '" + s + "' to a date-time.");
      }
    }
  }
}

package io.m365sync.testkit.emulator;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;

/** Windows and IANA time zone names as Outlook accepts them, and Graph's {@code dateTimeTimeZone} format. */
final class TimeZones {
  /** {@code 2026-01-05T09:00:00.0000000}: seven fractional digits, no offset. */
  static final DateTimeFormatter GRAPH_LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS");

  private static final Map<String, String> WINDOWS = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

  static {
    WINDOWS.put("UTC", "UTC");
    WINDOWS.put("Coordinated Universal Time", "UTC");
    WINDOWS.put("GMT Standard Time", "Europe/London");
    WINDOWS.put("Greenwich Standard Time", "Atlantic/Reykjavik");
    WINDOWS.put("W. Europe Standard Time", "Europe/Berlin");
    WINDOWS.put("Central Europe Standard Time", "Europe/Budapest");
    WINDOWS.put("Romance Standard Time", "Europe/Paris");
    WINDOWS.put("Central European Standard Time", "Europe/Warsaw");
    WINDOWS.put("E. Europe Standard Time", "Europe/Chisinau");
    WINDOWS.put("FLE Standard Time", "Europe/Kiev");
    WINDOWS.put("GTB Standard Time", "Europe/Bucharest");
    WINDOWS.put("Russian Standard Time", "Europe/Moscow");
    WINDOWS.put("Eastern Standard Time", "America/New_York");
    WINDOWS.put("Central Standard Time", "America/Chicago");
    WINDOWS.put("Mountain Standard Time", "America/Denver");
    WINDOWS.put("US Mountain Standard Time", "America/Phoenix");
    WINDOWS.put("Pacific Standard Time", "America/Los_Angeles");
    WINDOWS.put("Alaskan Standard Time", "America/Anchorage");
    WINDOWS.put("Hawaiian Standard Time", "Pacific/Honolulu");
    WINDOWS.put("Atlantic Standard Time", "America/Halifax");
    WINDOWS.put("E. South America Standard Time", "America/Sao_Paulo");
    WINDOWS.put("India Standard Time", "Asia/Kolkata");
    WINDOWS.put("China Standard Time", "Asia/Shanghai");
    WINDOWS.put("Tokyo Standard Time", "Asia/Tokyo");
    WINDOWS.put("Singapore Standard Time", "Asia/Singapore");
    WINDOWS.put("AUS Eastern Standard Time", "Australia/Sydney");
    WINDOWS.put("New Zealand Standard Time", "Pacific/Auckland");
    WINDOWS.put("Arabian Standard Time", "Asia/Dubai");
    WINDOWS.put("South Africa Standard Time", "Africa/Johannesburg");
  }

  private TimeZones() {}

  /** The zone for a Windows or IANA name; null when unknown. */
  static ZoneId zone(String name) {
    if (name == null || name.isBlank()) {
      return null;
    }
    String iana = WINDOWS.get(name.trim());
    try {
      return ZoneId.of(iana != null ? iana : name.trim());
    } catch (DateTimeException e) {
      return null;
    }
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

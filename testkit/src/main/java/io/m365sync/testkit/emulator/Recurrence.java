package io.m365sync.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365sync.model.CalendarEvent;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Basic {@code patternedRecurrence} expansion: daily, weekly (days of week) and absoluteMonthly
 * patterns with an interval; endDate, numbered and noEnd ranges. A series is capped at 500
 * occurrences and, without an end, two years.
 */
final class Recurrence {
  static final int MAX_OCCURRENCES = 500;

  private Recurrence() {}

  static void validate(ObjectNode r) {
    JsonNode p = r.get("pattern");
    JsonNode range = r.get("range");
    if (p == null || !p.isObject() || range == null || !range.isObject()) {
      throw new HttpError(400, "ErrorInvalidRequest", "The recurrence needs a pattern and a range.");
    }
    String type = Json.text(p, "type");
    if (!List.of("daily", "weekly", "absoluteMonthly").contains(type)) {
      throw new HttpError(400, "ErrorInvalidRecurrence", "The emulator supports daily, weekly and absoluteMonthly patterns, not '" + type + "'.");
    }
    String rangeType = Json.text(range, "type");
    if (!List.of("endDate", "numbered", "noEnd").contains(rangeType)) {
      throw new HttpError(400, "ErrorInvalidRecurrence", "Invalid recurrence range type '" + rangeType + "'.");
    }
  }

  /** Occurrence start instants of a series master, in order. */
  static List<Instant> starts(CalendarEvent master) {
    ObjectNode r = Json.object(master.recurrence().getBytes(StandardCharsets.UTF_8));
    JsonNode p = r.get("pattern");
    JsonNode range = r.get("range");
    ZoneId zone = TimeZones.zone(Json.text(range, "recurrenceTimeZone"));
    if (zone == null) {
      zone = TimeZones.zone(master.originalTimeZone());
    }
    if (zone == null) {
      zone = ZoneOffset.UTC;
    }
    LocalTime at = master.start().atZone(zone).toLocalTime();
    LocalDate first = date(Json.text(range, "startDate"), master.start().atZone(zone).toLocalDate());
    String rangeType = Json.text(range, "type");
    LocalDate last = "endDate".equals(rangeType) ? date(Json.text(range, "endDate"), first) : first.plusYears(2);
    int count = "numbered".equals(rangeType) ? Math.max(1, range.path("numberOfOccurrences").asInt(1)) : MAX_OCCURRENCES;
    count = Math.min(count, MAX_OCCURRENCES);
    int interval = Math.max(1, p.path("interval").asInt(1));
    String type = Json.text(p, "type");
    Set<DayOfWeek> days = new HashSet<>();
    p.path("daysOfWeek").forEach(d -> days.add(DayOfWeek.valueOf(d.asText().toUpperCase(Locale.ROOT))));
    if (days.isEmpty()) {
      days.add(first.getDayOfWeek());
    }
    int dayOfMonth = p.path("dayOfMonth").asInt(first.getDayOfMonth());
    List<Instant> out = new ArrayList<>();
    LocalDate d = first;
    while (!d.isAfter(last) && out.size() < count) {
      boolean hit = switch (type) {
        case "daily" -> java.time.temporal.ChronoUnit.DAYS.between(first, d) % interval == 0;
        case "weekly" -> days.contains(d.getDayOfWeek())
            && java.time.temporal.ChronoUnit.WEEKS.between(first.with(DayOfWeek.MONDAY), d.with(DayOfWeek.MONDAY)) % interval == 0;
        default -> d.getDayOfMonth() == dayOfMonth
            && java.time.temporal.ChronoUnit.MONTHS.between(first.withDayOfMonth(1), d.withDayOfMonth(1)) % interval == 0;
      };
      if (hit) {
        out.add(d.atTime(at).atZone(zone).toInstant());
      }
      d = d.plusDays(1);
    }
    return out;
  }

  private static LocalDate date(String s, LocalDate fallback) {
    if (s == null || s.isBlank() || s.startsWith("0001")) {
      return fallback;
    }
    try {
      return LocalDate.parse(s);
    } catch (DateTimeParseException e) {
      throw new HttpError(400, "ErrorInvalidRecurrence", "Invalid recurrence date '" + s + "'.");
    }
  }
}

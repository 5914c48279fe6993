package io.m365sync.testkit.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.WindowsTimeZones;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Series expansion as Microsoft 365 does it for a calendar: a series master whose {@code recurrence}
 * holds Graph's {@code patternedRecurrence} JSON stands for its occurrences, stored beside it with ids
 * derived from the master's id and the occurrence's start, so re-expanding an edited master keeps the
 * ids of the occurrences it keeps. Basic patterns: daily, weekly (days of week) and absoluteMonthly
 * with an interval; endDate, numbered and noEnd ranges. A series is capped at 500 occurrences and,
 * without an end, two years. A master with any other recurrence string (opaque to the model) is an
 * item of its own.
 */
public final class Recurrence {
  static final int MAX_OCCURRENCES = 500;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DateTimeFormatter ID_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** The calendar's expansion: series masters stand for their occurrences. */
  static final ItemCollection.Expansion<CalendarEvent> SERIES = new ItemCollection.Expansion<>() {
    @Override
    public boolean expands(CalendarEvent e) {
      return isExpandable(e);
    }

    @Override
    public Map<String, CalendarEvent> expand(String id, CalendarEvent master) {
      return occurrences(id, master);
    }

    @Override
    public String expandedFrom(CalendarEvent e) {
      return e.seriesMasterId();
    }
  };

  private Recurrence() {}

  /** Whether {@code e} is a series master the model expands (its recurrence is a JSON object). */
  public static boolean isExpandable(CalendarEvent e) {
    return e != null && e.type() == CalendarEvent.EventType.SERIES_MASTER && e.recurrence() != null
        && e.recurrence().stripLeading().startsWith("{");
  }

  /** The id of the occurrence of series {@code masterId} that starts at {@code start}. */
  public static String occurrenceId(String masterId, Instant start) {
    return masterId + "_" + ID_STAMP.format(start);
  }

  /** The occurrences of a series master stored under {@code masterId}, by id, in order. */
  public static Map<String, CalendarEvent> occurrences(String masterId, CalendarEvent master) {
    Duration length = Duration.between(master.start(), master.end());
    Map<String, CalendarEvent> out = new LinkedHashMap<>();
    for (Instant start : starts(master)) {
      String uid = master.iCalUid() == null ? null : master.iCalUid() + "_" + ID_STAMP.format(start);
      out.put(occurrenceId(masterId, start), master.toBuilder().start(start).end(start.plus(length))
          .type(CalendarEvent.EventType.OCCURRENCE).seriesMasterId(masterId).recurrence(null).iCalUid(uid).build());
    }
    return out;
  }

  /**
   * Occurrence start instants of a series master, in order.
   *
   * @throws IllegalArgumentException for a recurrence that is not a readable {@code patternedRecurrence}
   */
  public static List<Instant> starts(CalendarEvent master) {
    JsonNode r;
    try {
      r = MAPPER.readTree(master.recurrence());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("unreadable recurrence", e);
    }
    JsonNode p = r.path("pattern");
    JsonNode range = r.path("range");
    ZoneId zone = WindowsTimeZones.zone(text(range, "recurrenceTimeZone"));
    if (zone == null) {
      zone = WindowsTimeZones.zone(master.originalTimeZone());
    }
    if (zone == null) {
      zone = ZoneOffset.UTC;
    }
    LocalTime at = master.start().atZone(zone).toLocalTime();
    LocalDate first = date(text(range, "startDate"), master.start().atZone(zone).toLocalDate());
    String rangeType = text(range, "type");
    LocalDate last = "endDate".equals(rangeType) ? date(text(range, "endDate"), first) : first.plusYears(2);
    int count = "numbered".equals(rangeType) ? Math.max(1, range.path("numberOfOccurrences").asInt(1)) : MAX_OCCURRENCES;
    count = Math.min(count, MAX_OCCURRENCES);
    int interval = Math.max(1, p.path("interval").asInt(1));
    String type = String.valueOf(text(p, "type"));
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
        case "daily" -> ChronoUnit.DAYS.between(first, d) % interval == 0;
        case "weekly" -> days.contains(d.getDayOfWeek())
            && ChronoUnit.WEEKS.between(first.with(DayOfWeek.MONDAY), d.with(DayOfWeek.MONDAY)) % interval == 0;
        default -> d.getDayOfMonth() == dayOfMonth
            && ChronoUnit.MONTHS.between(first.withDayOfMonth(1), d.withDayOfMonth(1)) % interval == 0;
      };
      if (hit) {
        out.add(d.atTime(at).atZone(zone).toInstant());
      }
      d = d.plusDays(1);
    }
    return out;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static LocalDate date(String s, LocalDate fallback) {
    if (s == null || s.isBlank() || s.startsWith("0001")) {
      return fallback;
    }
    try {
      return LocalDate.parse(s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("invalid recurrence date '" + s + "'", e);
    }
  }
}

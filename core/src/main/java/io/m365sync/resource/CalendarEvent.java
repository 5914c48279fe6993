package io.m365sync.resource;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A calendar event. Times are instants (UTC); {@code originalTimeZone} keeps the zone the event was
 * created in, so a series created in Pacific time still reads as Pacific time in the CRM.
 *
 * @param subject title; may be empty, never null
 * @param body plain-text body; may be null
 * @param start start instant; never null
 * @param end end instant; not before start
 * @param originalTimeZone the creation zone (Windows or IANA name); may be null
 * @param allDay whether an all-day event
 * @param location display name of the location; may be null
 * @param organizer who organises it; may be null
 * @param attendees attendees; never null
 * @param type single instance, occurrence, exception or series master
 * @param seriesMasterId the series master's id for occurrences and exceptions; else null
 * @param recurrence an opaque recurrence description on series masters; else null
 * @param iCalUid the iCalendar UID; may be null
 * @param extensions host fields
 */
public record CalendarEvent(String subject, String body, Instant start, Instant end, String originalTimeZone,
                            boolean allDay, String location, EmailAddress organizer, List<Attendee> attendees,
                            EventType type, String seriesMasterId, String recurrence, String iCalUid,
                            Map<String, String> extensions) implements SyncItem {

  /** Graph's {@code event.type}. */
  public enum EventType { SINGLE_INSTANCE, OCCURRENCE, EXCEPTION, SERIES_MASTER }

  public CalendarEvent {
    subject = subject == null ? "" : subject;
    io.m365sync.Checks.requireNonNull(start, "start");
    io.m365sync.Checks.requireNonNull(end, "end");
    if (end.isBefore(start)) {
      throw new IllegalArgumentException("'end' must not be before 'start' but was " + end + " < " + start);
    }
    attendees = Items.list(attendees);
    type = type == null ? EventType.SINGLE_INSTANCE : type;
    extensions = Items.map(extensions);
  }

  /** A single-instance event with just a subject and times. */
  public static CalendarEvent simple(String subject, Instant start, Instant end) {
    return new CalendarEvent(subject, null, start, end, "UTC", false, null, null, List.of(),
        EventType.SINGLE_INSTANCE, null, null, null, Map.of());
  }

  public CalendarEvent withSubject(String newSubject) {
    return new CalendarEvent(newSubject, body, start, end, originalTimeZone, allDay, location, organizer,
        attendees, type, seriesMasterId, recurrence, iCalUid, extensions);
  }

  @Override
  public String matchKey() {
    return iCalUid != null ? "ical:" + iCalUid + "@" + start : "evt:" + subject + "@" + start + "/" + end;
  }
}

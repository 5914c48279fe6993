package io.m365sync.model;

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

  /** A builder for a new event; {@code start} and {@code end} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this event's values, to change some of them. */
  public Builder toBuilder() {
    return new Builder().subject(subject).body(body).start(start).end(end).originalTimeZone(originalTimeZone)
        .allDay(allDay).location(location).organizer(organizer).attendees(attendees).type(type)
        .seriesMasterId(seriesMasterId).recurrence(recurrence).iCalUid(iCalUid).extensions(extensions);
  }

  public CalendarEvent withSubject(String newSubject) {
    return toBuilder().subject(newSubject).build();
  }

  public CalendarEvent withTimes(Instant newStart, Instant newEnd) {
    return toBuilder().start(newStart).end(newEnd).build();
  }

  public CalendarEvent withBody(String newBody) {
    return toBuilder().body(newBody).build();
  }

  public CalendarEvent withLocation(String newLocation) {
    return toBuilder().location(newLocation).build();
  }

  public CalendarEvent withAttendees(List<Attendee> newAttendees) {
    return toBuilder().attendees(newAttendees).build();
  }

  @Override
  public CalendarEvent withExtensions(Map<String, String> newExtensions) {
    return toBuilder().extensions(newExtensions).build();
  }

  /**
   * Builds a {@link CalendarEvent} by name, so callers do not write fourteen positional arguments and
   * a new field does not break them. Not thread-safe; {@link #build()} validates as the record does.
   */
  public static final class Builder {
    private String subject;
    private String body;
    private Instant start;
    private Instant end;
    private String originalTimeZone;
    private boolean allDay;
    private String location;
    private EmailAddress organizer;
    private List<Attendee> attendees = List.of();
    private EventType type = EventType.SINGLE_INSTANCE;
    private String seriesMasterId;
    private String recurrence;
    private String iCalUid;
    private Map<String, String> extensions = Map.of();

    private Builder() {}

    public Builder subject(String v) { subject = v; return this; }
    public Builder body(String v) { body = v; return this; }
    public Builder start(Instant v) { start = v; return this; }
    public Builder end(Instant v) { end = v; return this; }
    public Builder originalTimeZone(String v) { originalTimeZone = v; return this; }
    public Builder allDay(boolean v) { allDay = v; return this; }
    public Builder location(String v) { location = v; return this; }
    public Builder organizer(EmailAddress v) { organizer = v; return this; }
    public Builder attendees(List<Attendee> v) { attendees = v; return this; }
    public Builder type(EventType v) { type = v; return this; }
    public Builder seriesMasterId(String v) { seriesMasterId = v; return this; }
    public Builder recurrence(String v) { recurrence = v; return this; }
    public Builder iCalUid(String v) { iCalUid = v; return this; }
    public Builder extensions(Map<String, String> v) { extensions = v; return this; }

    /** @throws IllegalArgumentException naming the missing or bad value */
    public CalendarEvent build() {
      return new CalendarEvent(subject, body, start, end, originalTimeZone, allDay, location, organizer, attendees,
          type, seriesMasterId, recurrence, iCalUid, extensions);
    }
  }

  @Override
  public String matchKey() {
    String from = InstantText.of(start);
    return iCalUid != null ? "ical:" + iCalUid + "@" + from : "evt:" + subject + "@" + from + "/" + InstantText.of(end);
  }
}

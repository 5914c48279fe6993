package io.m365sync.graph;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.model.Attendee;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.EmailAddress;
import io.m365sync.model.MailMessage;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.SyncItem;
import io.m365sync.model.TodoTask;
import io.m365sync.sync.TwoWayOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Core records as Graph request bodies. Event times go out in the event's original zone when known.
 *
 * <p>Item extensions (the host's fields and the syncers' reserved {@code m365sync.*} keys) travel as
 * single-value extended properties in the public-strings property set
 * ({@value #EXTENDED_PROPERTY_PREFIX}{@code <key>}) on events, contacts and messages — the Outlook
 * items that have them. To Do tasks have no extended properties in Graph v1.0 (open extensions on
 * tasks need a request of their own and cannot be expanded on task delta), so task extensions are
 * not written. {@link TwoWayOptions#NOTIFY_ATTENDEES} is a write flag for the gateway, never stored.
 */
final class GraphJsonWriter {
  /** The id prefix of our extended properties: type String, PS_PUBLIC_STRINGS, by name. */
  static final String EXTENDED_PROPERTY_PREFIX = "String {00020329-0000-0000-C000-000000000046} Name ";

  private GraphJsonWriter() {}

  static byte[] write(SyncItem item) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = GraphJsonReader.JSON.createGenerator(out)) {
      if (item instanceof CalendarEvent e) {
        event(g, e);
      } else if (item instanceof Contact c) {
        contact(g, c);
      } else if (item instanceof MailMessage m) {
        message(g, m);
      } else if (item instanceof TodoTask t) {
        task(g, t);
      } else if (item instanceof MailboxSettings s) {
        settings(g, s);
      } else {
        throw new IllegalArgumentException("no Graph shape for " + item.getClass().getSimpleName());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Graph properties per item field, for patches; a field Graph does not let clients write maps to none. */
  private static final Map<Class<?>, Map<String, List<String>>> PROPERTIES = Map.of(
      Contact.class, Map.of("givenName", List.of("givenName"), "surname", List.of("surname"),
          "displayName", List.of("displayName"), "emailAddresses", List.of("emailAddresses"),
          "phones", List.of("businessPhones"), "companyName", List.of("companyName"), "jobTitle", List.of("jobTitle")),
      CalendarEvent.class, Map.of("subject", List.of("subject"), "body", List.of("body"),
          "start", List.of("start", "end"), "end", List.of("start", "end"), "originalTimeZone", List.of("start", "end"),
          "allDay", List.of("isAllDay", "start", "end"), "location", List.of("location"),
          "attendees", List.of("attendees"), "recurrence", List.of("recurrence")),
      TodoTask.class, Map.of("title", List.of("title"), "body", List.of("body"), "status", List.of("status"),
          "due", List.of("dueDateTime"), "importance", List.of("importance"),
          "completedAt", List.of("completedDateTime")),
      MailMessage.class, Map.of("subject", List.of("subject"), "from", List.of("from"), "to", List.of("toRecipients"),
          "cc", List.of("ccRecipients"), "bodyPreview", List.of("body")),
      MailboxSettings.class, Map.of("timeZone", List.of("timeZone"), "workingHours", List.of("workingHours"),
          "automaticReplies", List.of("automaticRepliesSetting")));

  /**
   * A PATCH body with only what {@code patch} names, in Graph's shape (a contact's {@code phones} as
   * {@code businessPhones}, an event's times as {@code start} and {@code end} with their zone, ...)
   * and only the named extended properties: Graph leaves every property the body does not carry as it
   * is. A field cleared to null goes out as null (a body as empty text). A whole-item patch is
   * {@link #write}.
   */
  static byte[] patch(ItemPatch<?> patch) {
    SyncItem item = patch.item();
    boolean whole = patch.fields().containsAll(ItemPatch.fieldNames(item.getClass()))
        && patch.extensions().containsAll(item.extensions().keySet());
    if (whole) {
      return write(item);
    }
    try {
      ObjectNode all = (ObjectNode) GraphJsonReader.MAPPER.readTree(write(item));
      ObjectNode out = GraphJsonReader.MAPPER.createObjectNode();
      Map<String, List<String>> properties = PROPERTIES.getOrDefault(item.getClass(), Map.of());
      for (String field : patch.fields()) {
        for (String property : properties.getOrDefault(field, List.of())) {
          if (all.has(property)) {
            out.set(property, all.get(property));
          } else if (property.equals("body")) {
            out.set(property, GraphJsonReader.MAPPER.createObjectNode().put("contentType", "text").put("content", ""));
          } else if (!property.equals("recurrence") && !(item instanceof MailboxSettings)) {
            out.putNull(property);
          }
        }
      }
      Map<String, String> ext = new TreeMap<>();
      patch.extensions().forEach(k -> ext.put(k, item.extensions().get(k)));
      ByteArrayOutputStream props = new ByteArrayOutputStream(128);
      try (JsonGenerator g = GraphJsonReader.JSON.createGenerator(props)) {
        g.writeStartObject();
        extendedProperties(g, ext);
        g.writeEndObject();
      }
      out.setAll((ObjectNode) GraphJsonReader.MAPPER.readTree(props.toByteArray()));
      return GraphJsonReader.MAPPER.writeValueAsBytes(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void event(JsonGenerator g, CalendarEvent e) throws IOException {
    g.writeStartObject();
    g.writeStringField("subject", e.subject());
    if (e.body() != null) {
      body(g, e.body());
    }
    times(g, e);
    g.writeBooleanField("isAllDay", e.allDay());
    g.writeObjectFieldStart("location");
    g.writeStringField("displayName", e.location() == null ? "" : e.location());
    g.writeEndObject();
    attendees(g, e);
    if (e.type() == CalendarEvent.EventType.SERIES_MASTER && e.recurrence() != null) {
      g.writeFieldName("recurrence");
      g.writeRawValue(e.recurrence());
    }
    extendedProperties(g, e.extensions());
    g.writeEndObject();
  }

  /**
   * A PATCH body for an organizer's event that carries only what {@code patch} names and differs from
   * {@code current}, so Exchange sends attendees a meeting update only when a field they see changed,
   * and never re-sends invitations: the attendees collection goes out only when it changed (by
   * address and type). The named extended properties always go out; they never notify anyone.
   */
  static byte[] eventPatch(CalendarEvent current, ItemPatch<CalendarEvent> patch) {
    CalendarEvent e = patch.item();
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = GraphJsonReader.JSON.createGenerator(out)) {
      g.writeStartObject();
      if (patch.writes("subject") && !Objects.equals(current.subject(), e.subject())) {
        g.writeStringField("subject", e.subject());
      }
      if (patch.writes("body") && !Objects.equals(blankToNull(current.body()), blankToNull(e.body()))) {
        body(g, e.body() == null ? "" : e.body());
      }
      ZoneId zone = GraphTime.zone(e.originalTimeZone());
      boolean zoneChanged = zone != null && !Objects.equals(GraphTime.zone(current.originalTimeZone()), zone);
      if (writesTimes(patch) && (!current.start().equals(e.start()) || !current.end().equals(e.end()) || zoneChanged)) {
        times(g, e);
      }
      if (patch.writes("allDay") && current.allDay() != e.allDay()) {
        g.writeBooleanField("isAllDay", e.allDay());
      }
      if (patch.writes("location") && !Objects.equals(blankToNull(current.location()), blankToNull(e.location()))) {
        g.writeObjectFieldStart("location");
        g.writeStringField("displayName", e.location() == null ? "" : e.location());
        g.writeEndObject();
      }
      if (patch.writes("attendees") && !attendeeKeys(current).equals(attendeeKeys(e))) {
        attendees(g, e);
      }
      if (patch.writes("recurrence") && e.type() == CalendarEvent.EventType.SERIES_MASTER && e.recurrence() != null
          && !sameJson(current.recurrence(), e.recurrence())) {
        g.writeFieldName("recurrence");
        g.writeRawValue(e.recurrence());
      }
      Map<String, String> ext = new TreeMap<>();
      patch.extensions().forEach(k -> ext.put(k, e.extensions().get(k)));
      extendedProperties(g, ext);
      g.writeEndObject();
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
    return out.toByteArray();
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static Map<String, String> attendeeKeys(CalendarEvent e) {
    Map<String, String> m = new TreeMap<>();
    for (Attendee a : e.attendees()) {
      m.put(a.email().address().toLowerCase(java.util.Locale.ROOT), a.type() == null ? "required" : a.type());
    }
    return m;
  }

  private static boolean sameJson(String a, String b) {
    if (a == null || b == null) {
      return Objects.equals(a, b);
    }
    try {
      return GraphJsonReader.MAPPER.readTree(a).equals(GraphJsonReader.MAPPER.readTree(b));
    } catch (IOException x) {
      return a.equals(b);
    }
  }

  private static void attendees(JsonGenerator g, CalendarEvent e) throws IOException {
    g.writeArrayFieldStart("attendees");
    for (Attendee a : e.attendees()) {
      g.writeStartObject();
      g.writeStringField("type", a.type());
      emailAddress(g, a.email());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** {@code singleValueExtendedProperties}: every extension but the write flag; nothing when there is none. */
  private static void extendedProperties(JsonGenerator g, Map<String, String> extensions) throws IOException {
    Map<String, String> props = new TreeMap<>(extensions);
    props.remove(TwoWayOptions.NOTIFY_ATTENDEES);
    props.values().removeIf(Objects::isNull);
    if (props.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart("singleValueExtendedProperties");
    for (Map.Entry<String, String> p : props.entrySet()) {
      g.writeStartObject();
      g.writeStringField("id", EXTENDED_PROPERTY_PREFIX + p.getKey());
      g.writeStringField("value", p.getValue());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** Whether an event patch names a field that goes out as {@code start} and {@code end}. */
  static boolean writesTimes(ItemPatch<?> patch) {
    return patch.writes("start") || patch.writes("end") || patch.writes("originalTimeZone") || patch.writes("allDay");
  }

  /**
   * {@code start} and {@code end} in the event's own zone under its own name. A name no table resolves
   * (a custom zone, a Windows zone newer than CLDR's table) leaves nothing to compute local times in:
   * those times go out in UTC. The gateway sends them only when they moved ({@link #eventPatch}), so
   * an edit that leaves the times alone keeps the meeting's zone whatever its name.
   */
  private static void times(JsonGenerator g, CalendarEvent e) throws IOException {
    ZoneId zone = GraphTime.zone(e.originalTimeZone());
    String zoneName = zone == null ? "UTC" : e.originalTimeZone();
    dateTime(g, "start", e.start(), zone == null ? ZoneOffset.UTC : zone, zoneName);
    dateTime(g, "end", e.end(), zone == null ? ZoneOffset.UTC : zone, zoneName);
  }

  private static void dateTime(JsonGenerator g, String field, Instant t, ZoneId zone, String zoneName) throws IOException {
    g.writeObjectFieldStart(field);
    g.writeStringField("dateTime", GraphTime.local(t, zone));
    g.writeStringField("timeZone", zoneName);
    g.writeEndObject();
  }

  private static void body(JsonGenerator g, String text) throws IOException {
    g.writeObjectFieldStart("body");
    g.writeStringField("contentType", "text");
    g.writeStringField("content", text);
    g.writeEndObject();
  }

  private static void emailAddress(JsonGenerator g, EmailAddress a) throws IOException {
    g.writeObjectFieldStart("emailAddress");
    g.writeStringField("address", a.address());
    if (a.name() != null) {
      g.writeStringField("name", a.name());
    }
    g.writeEndObject();
  }

  private static void recipients(JsonGenerator g, String field, List<EmailAddress> list) throws IOException {
    g.writeArrayFieldStart(field);
    for (EmailAddress a : list) {
      g.writeStartObject();
      emailAddress(g, a);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void contact(JsonGenerator g, Contact c) throws IOException {
    g.writeStartObject();
    nullable(g, "givenName", c.givenName());
    nullable(g, "surname", c.surname());
    nullable(g, "displayName", c.displayName());
    g.writeArrayFieldStart("emailAddresses");
    for (String e : c.emailAddresses()) {
      g.writeStartObject();
      g.writeStringField("address", e);
      g.writeStringField("name", e);
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("businessPhones");
    for (String p : c.phones()) {
      g.writeString(p);
    }
    g.writeEndArray();
    nullable(g, "companyName", c.companyName());
    nullable(g, "jobTitle", c.jobTitle());
    extendedProperties(g, c.extensions());
    g.writeEndObject();
  }

  private static void message(JsonGenerator g, MailMessage m) throws IOException {
    g.writeStartObject();
    g.writeStringField("subject", m.subject());
    if (m.from() != null) {
      g.writeObjectFieldStart("from");
      emailAddress(g, m.from());
      g.writeEndObject();
    }
    recipients(g, "toRecipients", m.to());
    recipients(g, "ccRecipients", m.cc());
    if (m.bodyPreview() != null) {
      body(g, m.bodyPreview());
    }
    extendedProperties(g, m.extensions());
    g.writeEndObject();
  }

  private static void task(JsonGenerator g, TodoTask t) throws IOException {
    g.writeStartObject();
    g.writeStringField("title", t.title());
    if (t.body() != null) {
      body(g, t.body());
    }
    g.writeStringField("status", switch (t.status()) {
      case NOT_STARTED -> "notStarted";
      case IN_PROGRESS -> "inProgress";
      case COMPLETED -> "completed";
      case WAITING_ON_OTHERS -> "waitingOnOthers";
      case DEFERRED -> "deferred";
    });
    g.writeStringField("importance", t.importance());
    if (t.due() != null) {
      dateTime(g, "dueDateTime", t.due(), ZoneOffset.UTC, "UTC");
    } else {
      g.writeNullField("dueDateTime");
    }
    if (t.completedAt() != null) {
      dateTime(g, "completedDateTime", t.completedAt(), ZoneOffset.UTC, "UTC");
    }
    g.writeEndObject();
  }

  private static void settings(JsonGenerator g, MailboxSettings s) throws IOException {
    g.writeStartObject();
    if (s.timeZone() != null) {
      g.writeStringField("timeZone", s.timeZone());
    }
    if (s.workingHours() != null) {
      MailboxSettings.WorkingHours h = s.workingHours();
      g.writeObjectFieldStart("workingHours");
      g.writeArrayFieldStart("daysOfWeek");
      for (String d : h.daysOfWeek()) {
        g.writeString(d);
      }
      g.writeEndArray();
      if (h.start() != null) {
        g.writeStringField("startTime", h.start().toString() + (h.start().getSecond() == 0 && h.start().toString().length() == 5 ? ":00.0000000" : ""));
      }
      if (h.end() != null) {
        g.writeStringField("endTime", h.end().toString() + (h.end().getSecond() == 0 && h.end().toString().length() == 5 ? ":00.0000000" : ""));
      }
      if (h.customTimeZone() != null) {
        g.writeFieldName("timeZone");
        g.writeRawValue(h.customTimeZone()); // a custom zone goes back whole, as Graph gave it
      } else if (h.timeZone() != null) {
        g.writeObjectFieldStart("timeZone");
        g.writeStringField("name", h.timeZone());
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    if (s.automaticReplies() != null) {
      MailboxSettings.AutomaticReplies r = s.automaticReplies();
      g.writeObjectFieldStart("automaticRepliesSetting");
      nullable(g, "status", r.status());
      nullable(g, "internalReplyMessage", r.internalReplyMessage());
      nullable(g, "externalReplyMessage", r.externalReplyMessage());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void nullable(JsonGenerator g, String field, String value) throws IOException {
    if (value == null) {
      g.writeNullField(field);
    } else {
      g.writeStringField(field, value);
    }
  }
}

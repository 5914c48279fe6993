package io.m365sync.testkit.emulator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365sync.model.Attendee;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.EmailAddress;
import io.m365sync.model.MailMessage;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.TodoTask;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.StoredItem;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Graph's JSON for the core records, both ways. Writes stream with Jackson (the delta hot path);
 * reads merge a request body into an existing record (PATCH) or defaults (POST).
 */
final class GraphJson {
  private static final String NEVER = "0001-01-01T00:00:00Z";
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSSS");

  /** Output time zone for event times ({@code Prefer: outlook.timezone}); UTC by default. */
  record Zone(ZoneId id, String name) {
    static final Zone UTC = new Zone(ZoneOffset.UTC, "UTC");
  }

  /** Created / last-modified stamps: the model keeps none, so the emulator notes when it first sees an id or change key. */
  static final class Stamps {
    /**
     * Rendered events are kept up to this many bytes in all; past it, events are rendered each time.
     * Room for the sync benchmark's 100,000 events (about 230 MB): with less, every path spent
     * part of its time waiting for the emulator to render what it had rendered before.
     */
    static final long RENDERED_BUDGET = 512L << 20;

    private final Map<String, Instant> created = new ConcurrentHashMap<>();
    private final Map<String, Instant> modified = new ConcurrentHashMap<>();
    private final Map<RenderKey, Rendered> rendered = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong renderedBytes = new java.util.concurrent.atomic.AtomicLong();

    Instant created(String id, Instant now) {
      Instant t = created.get(id);
      return t != null ? t : created.computeIfAbsent(id, k -> now);
    }

    Instant modified(String changeKey, Instant now) {
      Instant t = modified.get(changeKey);
      return t != null ? t : modified.computeIfAbsent(changeKey, k -> now);
    }
  }

  /** Everything an event's JSON depends on besides the (immutable) record and the fixed stamps. */
  private record RenderKey(String id, String changeKey, ZoneId zone, String zoneName, String ownerUpn, String ownerName) {}

  private record Rendered(Object item, RawJson json) {}

  private GraphJson() {}

  // ------------------------------------------------------------------ shared pieces

  static void removed(JsonGenerator g, String odataType, String id) throws IOException {
    g.writeStartObject();
    g.writeStringField("@odata.type", odataType);
    g.writeStringField("id", id);
    g.writeObjectFieldStart("@removed");
    g.writeStringField("reason", "deleted");
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void header(JsonGenerator g, StoredItem<?> s, Stamps stamps, Instant now, boolean changeKey) throws IOException {
    g.writeStringField("@odata.etag", s.etag());
    g.writeStringField("id", s.id());
    Instant created = stamps.created(s.id(), now);
    Instant modified = stamps.modified(s.changeKey(), now);
    g.writeStringField("createdDateTime", Json.offset(created));
    g.writeStringField("lastModifiedDateTime", Json.offset(modified.isBefore(created) ? created : modified));
    if (changeKey) {
      g.writeStringField("changeKey", s.changeKey());
    }
    g.writeArrayFieldStart("categories");
    g.writeEndArray();
  }

  private static void emailAddress(JsonGenerator g, String field, EmailAddress a) throws IOException {
    g.writeObjectFieldStart(field);
    g.writeObjectFieldStart("emailAddress");
    Json.field(g, "name", a.name() == null ? a.address() : a.name());
    g.writeStringField("address", a.address());
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void recipients(JsonGenerator g, String field, List<EmailAddress> list) throws IOException {
    g.writeArrayFieldStart(field);
    for (EmailAddress a : list) {
      g.writeStartObject();
      g.writeObjectFieldStart("emailAddress");
      Json.field(g, "name", a.name() == null ? a.address() : a.name());
      g.writeStringField("address", a.address());
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void dateTimeTimeZone(JsonGenerator g, String field, Instant t, Zone zone) throws IOException {
    if (t == null) {
      g.writeNullField(field);
      return;
    }
    g.writeObjectFieldStart(field);
    g.writeStringField("dateTime", TimeZones.format(t, zone.id()));
    g.writeStringField("timeZone", zone.name());
    g.writeEndObject();
  }

  private static void body(JsonGenerator g, String content, String contentType) throws IOException {
    g.writeObjectFieldStart("body");
    g.writeStringField("contentType", contentType);
    g.writeStringField("content", content == null ? "" : content);
    g.writeEndObject();
  }

  private static String preview(String body) {
    if (body == null) {
      return "";
    }
    // same as body.replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").trim(), without regexes (a hot spot)
    StringBuilder sb = new StringBuilder(Math.min(body.length(), 512));
    int n = body.length();
    boolean space = false;
    int noCloseFrom = n; // no '>' at or after this index: a '<' there is literal text
    for (int i = 0; i < n; i++) {
      char ch = body.charAt(i);
      if (ch == '<' && i < noCloseFrom) {
        int close = body.indexOf('>', i + 1);
        if (close >= 0) {
          i = close;
          ch = ' ';
        } else {
          noCloseFrom = i;
        }
      }
      if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\u000B' || ch == '\f' || ch == '\r') {
        space = true;
        continue;
      }
      if (space) {
        sb.append(' ');
        space = false;
      }
      sb.append(ch);
    }
    if (space) {
      sb.append(' ');
    }
    String text = sb.toString().trim();
    return text.length() > 255 ? text.substring(0, 255) : text;
  }

  // ------------------------------------------------------------------ events

  /**
   * An event's JSON. Rendering is the emulator's largest cost in delta benchmarks, and an event's JSON
   * only changes with its change key (stamps are fixed at first sight), so rendered events are kept
   * per (id, change key, output zone, owner) and checked against the record's identity.
   */
  static void event(JsonGenerator g, StoredItem<CalendarEvent> s, Zone zone, ModelUser owner, Stamps stamps, Instant now)
      throws IOException {
    stamps.created(s.id(), now);
    stamps.modified(s.changeKey(), now);
    RenderKey key = new RenderKey(s.id(), s.changeKey(), zone.id(), zone.name(),
        owner == null ? null : owner.userPrincipalName(), owner == null ? null : owner.displayName());
    Rendered r = stamps.rendered.get(key);
    if (r == null || r.item() != s.item()) {
      RawJson json = new RawJson(Json.write(x -> renderEvent(x, s, zone, owner, stamps, now, null)));
      r = new Rendered(s.item(), json);
      if (stamps.renderedBytes.addAndGet(json.size()) <= Stamps.RENDERED_BUDGET) {
        stamps.rendered.put(key, r);
      } else {
        stamps.renderedBytes.addAndGet(-json.size());
      }
    }
    g.writeRawValue(r.json());
  }

  /** An event with its extended properties, as {@code $expand=singleValueExtendedProperties(...)} asks (never cached). */
  static void event(JsonGenerator g, StoredItem<CalendarEvent> s, Zone zone, ModelUser owner, Stamps stamps, Instant now,
                    String expand) throws IOException {
    if (!expandsProperties(expand)) {
      event(g, s, zone, owner, stamps, now);
      return;
    }
    renderEvent(g, s, zone, owner, stamps, now, expand);
  }

  private static void renderEvent(JsonGenerator g, StoredItem<CalendarEvent> s, Zone zone, ModelUser owner, Stamps stamps,
                                  Instant now, String expand) throws IOException {
    CalendarEvent e = s.item();
    g.writeStartObject();
    header(g, s, stamps, now, true);
    g.writeNullField("transactionId");
    String tz = e.originalTimeZone() == null ? "UTC" : e.originalTimeZone();
    g.writeStringField("originalStartTimeZone", tz);
    g.writeStringField("originalEndTimeZone", tz);
    Json.field(g, "iCalUId", e.iCalUid());
    g.writeNumberField("reminderMinutesBeforeStart", 15);
    g.writeBooleanField("isReminderOn", true);
    g.writeBooleanField("hasAttachments", false);
    g.writeStringField("subject", e.subject());
    g.writeStringField("bodyPreview", preview(e.body()));
    g.writeStringField("importance", "normal");
    g.writeStringField("sensitivity", "normal");
    g.writeBooleanField("isAllDay", e.allDay());
    g.writeBooleanField("isCancelled", false);
    g.writeBooleanField("isOrganizer", e.organizer() == null || e.organizer().address().equalsIgnoreCase(owner.userPrincipalName()));
    g.writeBooleanField("responseRequested", true);
    Json.field(g, "seriesMasterId", e.seriesMasterId());
    g.writeStringField("showAs", "busy");
    g.writeStringField("type", eventType(e.type()));
    g.writeStringField("webLink", "https://outlook.office365.com/owa/?itemid="
        + URLEncoder.encode(s.id(), StandardCharsets.UTF_8) + "&exvsurl=1&path=/calendar/item");
    g.writeNullField("onlineMeetingUrl");
    g.writeBooleanField("isOnlineMeeting", false);
    g.writeStringField("onlineMeetingProvider", "unknown");
    g.writeBooleanField("allowNewTimeProposals", true);
    g.writeBooleanField("isDraft", false);
    g.writeBooleanField("hideAttendees", false);
    g.writeObjectFieldStart("responseStatus");
    g.writeStringField("response", "organizer");
    g.writeStringField("time", NEVER);
    g.writeEndObject();
    body(g, e.body(), e.body() != null && e.body().trim().startsWith("<") ? "html" : "text");
    dateTimeTimeZone(g, "start", e.start(), zone);
    dateTimeTimeZone(g, "end", e.end(), zone);
    g.writeObjectFieldStart("location");
    g.writeStringField("displayName", e.location() == null ? "" : e.location());
    g.writeStringField("locationType", "default");
    g.writeStringField("uniqueIdType", "unknown");
    g.writeObjectFieldStart("address");
    g.writeEndObject();
    g.writeObjectFieldStart("coordinates");
    g.writeEndObject();
    g.writeEndObject();
    g.writeArrayFieldStart("locations");
    if (e.location() != null) {
      g.writeStartObject();
      g.writeStringField("displayName", e.location());
      g.writeStringField("locationType", "default");
      g.writeStringField("uniqueIdType", "unknown");
      g.writeEndObject();
    }
    g.writeEndArray();
    if (e.type() == CalendarEvent.EventType.SERIES_MASTER && e.recurrence() != null) {
      g.writeFieldName("recurrence");
      g.writeTree(Json.object(e.recurrence().getBytes(StandardCharsets.UTF_8)));
    } else {
      g.writeNullField("recurrence");
    }
    g.writeArrayFieldStart("attendees");
    for (Attendee a : e.attendees()) {
      g.writeStartObject();
      g.writeStringField("type", a.type());
      g.writeObjectFieldStart("status");
      g.writeStringField("response", a.response());
      g.writeStringField("time", NEVER);
      g.writeEndObject();
      g.writeObjectFieldStart("emailAddress");
      Json.field(g, "name", a.email().name() == null ? a.email().address() : a.email().name());
      g.writeStringField("address", a.email().address());
      g.writeEndObject();
      g.writeEndObject();
    }
    g.writeEndArray();
    emailAddress(g, "organizer", e.organizer() != null ? e.organizer()
        : new EmailAddress(owner.userPrincipalName(), owner.displayName()));
    g.writeNullField("onlineMeeting");
    extendedProperties(g, e.extensions(), expand);
    g.writeEndObject();
  }

  // ------------------------------------------------------------------ extended properties

  /** Outlook's public-strings property set: {@code String {GUID} Name x} ids are stored under {@code x}. */
  static final String PUBLIC_STRINGS = "String {00020329-0000-0000-C000-000000000046} Name ";

  static boolean expandsProperties(String expand) {
    return expand != null && expand.toLowerCase(Locale.ROOT).contains("singlevalueextendedproperties");
  }

  /**
   * {@code singleValueExtendedProperties} as Graph returns them when expanded: every stored property,
   * or, when the expansion carries a {@code $filter}, those whose id it names.
   */
  private static void extendedProperties(JsonGenerator g, Map<String, String> ext, String expand) throws IOException {
    if (!expandsProperties(expand)) {
      return;
    }
    String lower = expand.toLowerCase(Locale.ROOT);
    boolean filtered = lower.contains("$filter");
    List<String[]> props = new ArrayList<>();
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(ext).entrySet()) {
      String id = e.getKey().contains(" ") ? e.getKey() : PUBLIC_STRINGS + e.getKey();
      if (!filtered || lower.contains(id.toLowerCase(Locale.ROOT))) {
        props.add(new String[] {id, e.getValue()});
      }
    }
    if (props.isEmpty()) {
      return; // Graph leaves the property out when nothing matches
    }
    g.writeArrayFieldStart("singleValueExtendedProperties");
    for (String[] p : props) {
      g.writeStartObject();
      g.writeStringField("id", p[0]);
      g.writeStringField("value", p[1]);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /**
   * {@code base} with the request body's {@code singleValueExtendedProperties} set (a POST or PATCH
   * creates or replaces the named properties and keeps the others, as Graph does).
   */
  static Map<String, String> extensions(ObjectNode n, Map<String, String> base) {
    JsonNode props = n.get("singleValueExtendedProperties");
    if (props == null || props.isNull()) {
      return base == null ? Map.of() : base;
    }
    if (!props.isArray()) {
      throw new HttpError(400, "ErrorInvalidRequest", "singleValueExtendedProperties must be an array.");
    }
    Map<String, String> out = new java.util.HashMap<>(base == null ? Map.of() : base);
    for (JsonNode p : props) {
      String id = Json.text(p, "id");
      String value = Json.text(p, "value");
      if (id == null || value == null) {
        throw new HttpError(400, "ErrorInvalidExtendedPropertyValue", "An extended property needs an id and a value.");
      }
      boolean ours = id.length() > PUBLIC_STRINGS.length() && id.regionMatches(true, 0, PUBLIC_STRINGS, 0, PUBLIC_STRINGS.length());
      out.put(ours ? id.substring(PUBLIC_STRINGS.length()) : id, value);
    }
    return out;
  }

  static String eventType(CalendarEvent.EventType t) {
    return switch (t) {
      case SINGLE_INSTANCE -> "singleInstance";
      case OCCURRENCE -> "occurrence";
      case EXCEPTION -> "exception";
      case SERIES_MASTER -> "seriesMaster";
    };
  }

  /** A new event from a POST body, or {@code base} with the body's fields applied (PATCH). */
  static CalendarEvent event(ObjectNode n, CalendarEvent base) {
    String subject = n.has("subject") ? Json.text(n, "subject") : base == null ? "" : base.subject();
    String body = n.has("body") ? Json.text(n.get("body"), "content") : base == null ? null : base.body();
    String tz = base == null ? "UTC" : base.originalTimeZone();
    Instant start = base == null ? null : base.start();
    Instant end = base == null ? null : base.end();
    if (n.hasNonNull("start")) {
      JsonNode s = n.get("start");
      start = TimeZones.parse(Json.text(s, "dateTime"), Json.text(s, "timeZone"));
      tz = Json.text(s, "timeZone") == null ? "UTC" : Json.text(s, "timeZone");
    }
    if (n.hasNonNull("end")) {
      JsonNode s = n.get("end");
      end = TimeZones.parse(Json.text(s, "dateTime"), Json.text(s, "timeZone"));
    }
    if (start == null || end == null) {
      throw new HttpError(400, "ErrorInvalidRequest", "Your request can't be completed. Both start and end are required.");
    }
    if (end.isBefore(start)) {
      throw new HttpError(400, "ErrorInvalidRequest", "Your request can't be completed. The end time must be after the start time.");
    }
    boolean allDay = n.has("isAllDay") ? n.get("isAllDay").asBoolean() : base != null && base.allDay();
    String location = n.has("location") ? Json.text(n.get("location"), "displayName") : base == null ? null : base.location();
    if (location != null && location.isEmpty()) {
      location = null;
    }
    List<Attendee> attendees = base == null ? List.of() : base.attendees();
    if (n.has("attendees")) {
      attendees = new ArrayList<>();
      for (JsonNode a : n.get("attendees")) {
        EmailAddress addr = address(a.get("emailAddress"));
        if (addr != null) {
          attendees.add(new Attendee(addr, Json.text(a, "type"), Json.text(a.get("status"), "response")));
        }
      }
    }
    EmailAddress organizer = n.has("organizer") ? address(n.get("organizer").get("emailAddress"))
        : base == null ? null : base.organizer();
    CalendarEvent.EventType type = base == null ? CalendarEvent.EventType.SINGLE_INSTANCE : base.type();
    String recurrence = base == null ? null : base.recurrence();
    if (n.has("recurrence")) {
      JsonNode r = n.get("recurrence");
      if (r.isObject()) {
        RecurrenceRequest.validate((ObjectNode) r);
        recurrence = r.toString();
        type = CalendarEvent.EventType.SERIES_MASTER;
      } else if (base == null || base.type() != CalendarEvent.EventType.SERIES_MASTER) {
        recurrence = null;
      }
    }
    String iCalUid = base != null && base.iCalUid() != null ? base.iCalUid() : newICalUid();
    return new CalendarEvent(subject, body, start, end, tz, allDay, location, organizer, attendees, type,
        base == null ? null : base.seriesMasterId(), recurrence, iCalUid, extensions(n, base == null ? null : base.extensions()));
  }

  static String newICalUid() {
    return "040000008200E00074C5B7101A82E00800000000" + UUID.randomUUID().toString().replace("-", "").toUpperCase(Locale.ROOT);
  }

  private static EmailAddress address(JsonNode n) {
    String address = Json.text(n, "address");
    if (address == null || address.isBlank()) {
      return null;
    }
    return new EmailAddress(address, Json.text(n, "name"));
  }

  private static List<EmailAddress> addresses(JsonNode array) {
    List<EmailAddress> out = new ArrayList<>();
    if (array != null) {
      for (JsonNode r : array) {
        EmailAddress a = address(r.has("emailAddress") ? r.get("emailAddress") : r);
        if (a != null) {
          out.add(a);
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ contacts

  static void contact(JsonGenerator g, StoredItem<Contact> s, String folderId, Stamps stamps, Instant now) throws IOException {
    contact(g, s, folderId, stamps, now, null);
  }

  static void contact(JsonGenerator g, StoredItem<Contact> s, String folderId, Stamps stamps, Instant now, String expand)
      throws IOException {
    Contact c = s.item();
    g.writeStartObject();
    header(g, s, stamps, now, true);
    g.writeStringField("parentFolderId", folderId);
    g.writeNullField("birthday");
    g.writeStringField("fileAs", "");
    g.writeStringField("displayName", c.displayName());
    Json.field(g, "givenName", c.givenName());
    g.writeNullField("initials");
    g.writeNullField("middleName");
    g.writeNullField("nickName");
    Json.field(g, "surname", c.surname());
    g.writeNullField("title");
    g.writeNullField("generation");
    g.writeArrayFieldStart("imAddresses");
    g.writeEndArray();
    Json.field(g, "jobTitle", c.jobTitle());
    Json.field(g, "companyName", c.companyName());
    g.writeNullField("department");
    g.writeNullField("officeLocation");
    g.writeNullField("profession");
    g.writeNullField("businessHomePage");
    g.writeNullField("assistantName");
    g.writeNullField("manager");
    g.writeArrayFieldStart("homePhones");
    g.writeEndArray();
    g.writeNullField("mobilePhone");
    g.writeArrayFieldStart("businessPhones");
    for (String p : c.phones()) {
      g.writeString(p);
    }
    g.writeEndArray();
    g.writeNullField("spouseName");
    g.writeStringField("personalNotes", "");
    g.writeArrayFieldStart("children");
    g.writeEndArray();
    g.writeArrayFieldStart("emailAddresses");
    for (String e : c.emailAddresses()) {
      g.writeStartObject();
      g.writeStringField("name", e);
      g.writeStringField("address", e);
      g.writeEndObject();
    }
    g.writeEndArray();
    for (String a : List.of("homeAddress", "businessAddress", "otherAddress")) {
      g.writeObjectFieldStart(a);
      g.writeEndObject();
    }
    extendedProperties(g, c.extensions(), expand);
    g.writeEndObject();
  }

  static Contact contact(ObjectNode n, Contact base) {
    String given = n.has("givenName") ? Json.text(n, "givenName") : base == null ? null : base.givenName();
    String surname = n.has("surname") ? Json.text(n, "surname") : base == null ? null : base.surname();
    String display = n.has("displayName") ? Json.text(n, "displayName") : base == null ? null : base.displayName();
    if (base != null && !n.has("displayName") && (n.has("givenName") || n.has("surname"))) {
      display = null;
    }
    List<String> emails = base == null ? List.of() : base.emailAddresses();
    if (n.has("emailAddresses")) {
      emails = addresses(n.get("emailAddresses")).stream().map(EmailAddress::address).toList();
    }
    List<String> phones = base == null ? List.of() : base.phones();
    if (n.has("businessPhones") || n.has("homePhones") || n.has("mobilePhone")) {
      List<String> p = new ArrayList<>();
      for (String f : List.of("businessPhones", "homePhones")) {
        if (n.has(f)) {
          n.get(f).forEach(x -> p.add(x.asText()));
        }
      }
      if (n.hasNonNull("mobilePhone")) {
        p.add(n.get("mobilePhone").asText());
      }
      phones = p;
    }
    String company = n.has("companyName") ? Json.text(n, "companyName") : base == null ? null : base.companyName();
    String job = n.has("jobTitle") ? Json.text(n, "jobTitle") : base == null ? null : base.jobTitle();
    return new Contact(given, surname, display, emails, phones, company, job, extensions(n, base == null ? null : base.extensions()));
  }

  // ------------------------------------------------------------------ messages

  static void message(JsonGenerator g, StoredItem<MailMessage> s, String folderId, Stamps stamps, Instant now) throws IOException {
    message(g, s, folderId, stamps, now, null);
  }

  static void message(JsonGenerator g, StoredItem<MailMessage> s, String folderId, Stamps stamps, Instant now, String expand)
      throws IOException {
    MailMessage m = s.item();
    g.writeStartObject();
    header(g, s, stamps, now, true);
    String received = Json.offset(m.receivedAt() == null ? stamps.created(s.id(), now) : m.receivedAt());
    g.writeStringField("receivedDateTime", received);
    g.writeStringField("sentDateTime", received);
    g.writeBooleanField("hasAttachments", !m.attachments().isEmpty());
    Json.field(g, "internetMessageId", m.internetMessageId());
    g.writeStringField("subject", m.subject());
    g.writeStringField("bodyPreview", m.bodyPreview() == null ? "" : m.bodyPreview());
    g.writeStringField("importance", "normal");
    g.writeStringField("parentFolderId", folderId);
    g.writeStringField("conversationId", "AAQk" + Integer.toHexString(m.subject().hashCode()));
    g.writeBooleanField("isDeliveryReceiptRequested", false);
    g.writeBooleanField("isReadReceiptRequested", false);
    g.writeBooleanField("isRead", true);
    g.writeBooleanField("isDraft", "drafts".equals(folderId));
    g.writeStringField("webLink", "https://outlook.office365.com/owa/?ItemID="
        + URLEncoder.encode(s.id(), StandardCharsets.UTF_8) + "&exvsurl=1&viewmodel=ReadMessageItem");
    g.writeStringField("inferenceClassification", "focused");
    body(g, m.bodyPreview(), "text");
    if (m.from() != null) {
      emailAddress(g, "sender", m.from());
      emailAddress(g, "from", m.from());
    }
    recipients(g, "toRecipients", m.to());
    recipients(g, "ccRecipients", m.cc());
    recipients(g, "bccRecipients", List.of());
    recipients(g, "replyTo", List.of());
    g.writeObjectFieldStart("flag");
    g.writeStringField("flagStatus", "notFlagged");
    g.writeEndObject();
    extendedProperties(g, m.extensions(), expand);
    g.writeEndObject();
  }

  static MailMessage message(ObjectNode n, MailMessage base, String folderId, Instant now, String domain) {
    String subject = n.has("subject") ? Json.text(n, "subject") : base == null ? "" : base.subject();
    String preview = n.has("body") ? preview(Json.text(n.get("body"), "content")) : base == null ? null : base.bodyPreview();
    EmailAddress from = n.has("from") ? address(n.get("from").get("emailAddress")) : base == null ? null : base.from();
    List<EmailAddress> to = n.has("toRecipients") ? addresses(n.get("toRecipients")) : base == null ? List.of() : base.to();
    List<EmailAddress> cc = n.has("ccRecipients") ? addresses(n.get("ccRecipients")) : base == null ? List.of() : base.cc();
    Instant received = base == null ? now : base.receivedAt();
    if (n.hasNonNull("receivedDateTime")) {
      received = TimeZones.parseDateTime(Json.text(n, "receivedDateTime"), ZoneOffset.UTC);
    }
    String msgId = base != null ? base.internetMessageId()
        : n.hasNonNull("internetMessageId") ? Json.text(n, "internetMessageId") : "<" + UUID.randomUUID() + "@" + domain + ">";
    return new MailMessage(subject, from, to, cc, received, preview, msgId, folderId,
        base == null ? List.of() : base.attachments(), extensions(n, base == null ? null : base.extensions()));
  }

  static void attachments(JsonGenerator g, StoredItem<MailMessage> s) throws IOException {
    g.writeArrayFieldStart("value");
    int i = 0;
    for (MailMessage.Attachment a : s.item().attachments()) {
      g.writeStartObject();
      g.writeStringField("@odata.type", "#microsoft.graph.fileAttachment");
      g.writeStringField("id", s.id() + "-att" + i++);
      g.writeStringField("name", a.name());
      Json.field(g, "contentType", a.contentType());
      g.writeNumberField("size", a.size());
      g.writeBooleanField("isInline", false);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  // ------------------------------------------------------------------ To Do

  static void task(JsonGenerator g, StoredItem<TodoTask> s, Stamps stamps, Instant now) throws IOException {
    TodoTask t = s.item();
    g.writeStartObject();
    g.writeStringField("@odata.etag", s.etag());
    g.writeStringField("importance", t.importance());
    g.writeBooleanField("isReminderOn", false);
    g.writeStringField("status", status(t.status()));
    g.writeStringField("title", t.title());
    Instant created = stamps.created(s.id(), now);
    Instant modified = stamps.modified(s.changeKey(), now);
    g.writeStringField("createdDateTime", Json.offset(created));
    g.writeStringField("lastModifiedDateTime", Json.offset(modified.isBefore(created) ? created : modified));
    g.writeBooleanField("hasAttachments", false);
    g.writeArrayFieldStart("categories");
    g.writeEndArray();
    g.writeStringField("id", s.id());
    body(g, t.body(), "text");
    if (t.due() != null) {
      dateTimeTimeZone(g, "dueDateTime", t.due(), Zone.UTC);
    }
    if (t.completedAt() != null) {
      dateTimeTimeZone(g, "completedDateTime", t.completedAt(), Zone.UTC);
    }
    g.writeEndObject();
  }

  static String status(TodoTask.Status s) {
    return switch (s) {
      case NOT_STARTED -> "notStarted";
      case IN_PROGRESS -> "inProgress";
      case COMPLETED -> "completed";
      case WAITING_ON_OTHERS -> "waitingOnOthers";
      case DEFERRED -> "deferred";
    };
  }

  static TodoTask task(ObjectNode n, TodoTask base, Instant now) {
    String title = n.has("title") ? Json.text(n, "title") : base == null ? "" : base.title();
    String body = n.has("body") ? Json.text(n.get("body"), "content") : base == null ? null : base.body();
    TodoTask.Status status = base == null ? TodoTask.Status.NOT_STARTED : base.status();
    if (n.hasNonNull("status")) {
      String v = Json.text(n, "status");
      status = switch (v) {
        case "notStarted" -> TodoTask.Status.NOT_STARTED;
        case "inProgress" -> TodoTask.Status.IN_PROGRESS;
        case "completed" -> TodoTask.Status.COMPLETED;
        case "waitingOnOthers" -> TodoTask.Status.WAITING_ON_OTHERS;
        case "deferred" -> TodoTask.Status.DEFERRED;
        default -> throw new HttpError(400, "invalidRequest", "Invalid value '" + v + "' for property 'status'.");
      };
    }
    Instant due = base == null ? null : base.due();
    if (n.has("dueDateTime")) {
      JsonNode d = n.get("dueDateTime");
      due = d.isNull() ? null : TimeZones.parse(Json.text(d, "dateTime"), Json.text(d, "timeZone"));
    }
    String importance = n.has("importance") ? Json.text(n, "importance") : base == null ? "normal" : base.importance();
    Instant completed = base == null ? null : base.completedAt();
    if (n.has("completedDateTime")) {
      JsonNode d = n.get("completedDateTime");
      completed = d.isNull() ? null : TimeZones.parse(Json.text(d, "dateTime"), Json.text(d, "timeZone"));
    } else if (status == TodoTask.Status.COMPLETED && completed == null) {
      completed = now;
    }
    return new TodoTask(title, body, status, due, importance, completed, base == null ? Map.of() : base.extensions());
  }

  // ------------------------------------------------------------------ mailbox settings

  static void settings(JsonGenerator g, MailboxSettings s) throws IOException {
    g.writeStartObject();
    g.writeStringField("archiveFolder", "archive");
    Json.field(g, "timeZone", s.timeZone());
    g.writeStringField("dateFormat", "M/d/yyyy");
    g.writeStringField("timeFormat", "h:mm tt");
    g.writeStringField("delegateMeetingMessageDeliveryOptions", "sendToDelegateOrInformationOnly");
    g.writeObjectFieldStart("userPurpose");
    g.writeStringField("value", "user");
    g.writeEndObject();
    MailboxSettings.AutomaticReplies ar = s.automaticReplies() == null
        ? new MailboxSettings.AutomaticReplies("disabled", null, null) : s.automaticReplies();
    g.writeObjectFieldStart("automaticRepliesSetting");
    g.writeStringField("status", ar.status());
    g.writeStringField("externalAudience", "all");
    g.writeStringField("internalReplyMessage", ar.internalReplyMessage() == null ? "" : ar.internalReplyMessage());
    g.writeStringField("externalReplyMessage", ar.externalReplyMessage() == null ? "" : ar.externalReplyMessage());
    g.writeEndObject();
    g.writeObjectFieldStart("language");
    g.writeStringField("locale", "en-US");
    g.writeStringField("displayName", "English (United States)");
    g.writeEndObject();
    MailboxSettings.WorkingHours wh = s.workingHours();
    if (wh != null) {
      g.writeObjectFieldStart("workingHours");
      g.writeArrayFieldStart("daysOfWeek");
      for (String d : wh.daysOfWeek()) {
        g.writeString(d);
      }
      g.writeEndArray();
      g.writeStringField("startTime", wh.start() == null ? "08:00:00.0000000" : TIME.format(wh.start()));
      g.writeStringField("endTime", wh.end() == null ? "17:00:00.0000000" : TIME.format(wh.end()));
      if (wh.customTimeZone() != null) {
        g.writeFieldName("timeZone");
        g.writeRawValue(wh.customTimeZone());
      } else {
        g.writeObjectFieldStart("timeZone");
        g.writeStringField("name", wh.timeZone() == null ? "UTC" : wh.timeZone());
        g.writeEndObject();
      }
      g.writeEndObject();
    } else {
      g.writeNullField("workingHours");
    }
    g.writeEndObject();
  }

  static MailboxSettings settings(ObjectNode n, MailboxSettings base) {
    String tz = n.has("timeZone") ? Json.text(n, "timeZone") : base.timeZone();
    if (n.has("timeZone") && tz != null && TimeZones.zone(tz) == null) {
      throw new HttpError(400, "ErrorInvalidArgument", "The time zone '" + tz + "' is not valid.");
    }
    MailboxSettings.WorkingHours wh = base.workingHours();
    if (n.has("workingHours")) {
      JsonNode w = n.get("workingHours");
      List<String> days = wh == null ? List.of() : wh.daysOfWeek();
      if (w.has("daysOfWeek")) {
        List<String> d = new ArrayList<>();
        w.get("daysOfWeek").forEach(x -> d.add(x.asText()));
        days = d;
      }
      LocalTime start = w.has("startTime") ? time(Json.text(w, "startTime")) : wh == null ? null : wh.start();
      LocalTime end = w.has("endTime") ? time(Json.text(w, "endTime")) : wh == null ? null : wh.end();
      String wtz = wh == null ? null : wh.timeZone();
      String custom = wh == null ? null : wh.customTimeZone();
      if (w.has("timeZone")) {
        JsonNode z = w.get("timeZone");
        wtz = Json.text(z, "name");
        boolean isCustom = z.path("@odata.type").asText("").endsWith("customTimeZone") || z.has("bias");
        custom = isCustom ? z.toString() : null;
      }
      wh = new MailboxSettings.WorkingHours(days, start, end, wtz, custom);
    }
    MailboxSettings.AutomaticReplies ar = base.automaticReplies();
    if (n.has("automaticRepliesSetting")) {
      JsonNode a = n.get("automaticRepliesSetting");
      String status = a.has("status") ? Json.text(a, "status") : ar == null ? "disabled" : ar.status();
      String internal = a.has("internalReplyMessage") ? Json.text(a, "internalReplyMessage") : ar == null ? null : ar.internalReplyMessage();
      String external = a.has("externalReplyMessage") ? Json.text(a, "externalReplyMessage") : ar == null ? null : ar.externalReplyMessage();
      ar = new MailboxSettings.AutomaticReplies(status, internal, external);
    }
    return new MailboxSettings(tz, wh, ar, base.extensions());
  }

  private static LocalTime time(String s) {
    try {
      return LocalTime.parse(s);
    } catch (DateTimeParseException | NullPointerException e) {
      throw new HttpError(400, "ErrorInvalidArgument", "Invalid time of day: '" + s + "'.");
    }
  }
}

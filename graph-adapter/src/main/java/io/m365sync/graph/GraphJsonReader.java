package io.m365sync.graph;

import static io.m365sync.graph.JsonWalk.isArray;
import static io.m365sync.graph.JsonWalk.isObject;
import static io.m365sync.graph.JsonWalk.nextField;
import static io.m365sync.graph.JsonWalk.nextObject;
import static io.m365sync.graph.JsonWalk.text;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m365sync.gateway.Change;
import io.m365sync.gateway.SkippedItem;
import io.m365sync.model.Attendee;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.EmailAddress;
import io.m365sync.model.MailMessage;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.SyncItem;
import io.m365sync.model.TodoTask;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The hot path: Graph JSON streamed with Jackson straight into core records (no Graph SDK models).
 * Unknown fields are skipped, so new Graph properties never break parsing. An item that is valid JSON
 * but not a valid item (no id, an event without start or end, a malformed date) is skipped on its own
 * ({@link Unreadable}, listed in {@link Page#skipped()}); only a page that is not JSON fails whole.
 */
final class GraphJsonReader {
  static final JsonFactory JSON = new JsonFactory();
  static final ObjectMapper MAPPER = new ObjectMapper(JSON);

  private GraphJsonReader() {}

  /** One parsed delta page; {@code skipped}: the items that could not be read. */
  record Page<T extends SyncItem>(List<Change<T>> changes, String nextLink, String deltaLink, List<SkippedItem> skipped) {}

  /**
   * An item that is well-formed JSON but no valid item. The reason names the field at fault, never its
   * value: item content stays out of reports and logs.
   */
  static final class Unreadable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient SkippedItem item;

    Unreadable(String remoteId, String reason) {
      super(reason, null, false, false);
      this.item = new SkippedItem(remoteId, reason);
    }
  }

  /** Reads one item object (the parser is on its START_OBJECT) into a change. */
  interface ItemReader<T extends SyncItem> {
    Change<T> read(JsonParser p) throws IOException;
  }

  static <T extends SyncItem> Page<T> page(InputStream in, ItemReader<T> reader) throws IOException {
    try (JsonParser p = JSON.createParser(in)) {
      p.nextToken();
      return page(p, reader);
    }
  }

  /** A page object; the parser is on its START_OBJECT. */
  static <T extends SyncItem> Page<T> page(JsonParser p, ItemReader<T> reader) throws IOException {
    expect(p, JsonToken.START_OBJECT);
    List<Change<T>> changes = new ArrayList<>();
    List<SkippedItem> skipped = new ArrayList<>();
    String next = null;
    String delta = null;
    for (String name; (name = nextField(p)) != null; ) {
      switch (name) {
        case "value" -> {
          expect(p, JsonToken.START_ARRAY);
          JsonToken item;
          while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
            if (item != JsonToken.START_OBJECT) {
              p.skipChildren();
              skipped.add(new SkippedItem(null, "an item is not a JSON object"));
              continue;
            }
            try {
              changes.add(reader.read(p));
            } catch (Unreadable u) {
              skipped.add(u.item);
            }
          }
        }
        case "@odata.nextLink" -> next = text(p); // an object or array here: the page is malformed
        case "@odata.deltaLink" -> delta = text(p);
        default -> p.skipChildren();
      }
    }
    return new Page<>(changes, next, delta, skipped);
  }

  private static void expect(JsonParser p, JsonToken t) throws IOException {
    if (p.currentToken() != t) {
      throw new IOException("malformed Graph page: expected " + t + " but found " + p.currentToken());
    }
  }

  /** Fields every Outlook item shares; a reader fills its own fields through {@code own}. */
  private interface FieldSink {
    void field(String name, JsonParser p) throws IOException;
  }

  /**
   * Walks an item object: returns the id, change key / etag, whether it is {@code @removed}, and the
   * first field that could not be read (null if none). A field that fails is passed over and the walk
   * goes on to the item's end, so its id is still found and the page's next item read.
   */
  private static String[] walk(JsonParser p, FieldSink own) throws IOException {
    JsonStreamContext item = p.getParsingContext();
    String id = null;
    String changeKey = null;
    String etag = null;
    String removed = null;
    String bad = null;
    for (String name; (name = nextField(p)) != null; ) {
      try {
        switch (name) {
          case "id" -> {
            id = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
            p.skipChildren(); // an id of another shape: no id
          }
          case "changeKey" -> changeKey = text(p);
          case "@odata.etag" -> etag = text(p);
          case "@removed" -> {
            removed = "removed";
            p.skipChildren();
          }
          default -> own.field(name, p);
        }
      } catch (RuntimeException | JsonWalk.WrongShape e) {
        // a value of the wrong shape (a malformed date, a number out of range): the item is unreadable
        bad = bad != null ? bad : name;
        backTo(p, item);
      }
    }
    if (id == null || id.isEmpty()) {
      throw new Unreadable(null, "an item has no id");
    }
    return new String[] {id, changeKey != null ? changeKey : etag, removed, bad};
  }

  /** Moves the parser out of whatever value it stopped in, back to a token of the {@code item} object. */
  private static void backTo(JsonParser p, JsonStreamContext item) throws IOException {
    while (p.getParsingContext() != item) {
      if (p.nextToken() == null) {
        throw new IOException("malformed Graph page: it ends inside an item");
      }
    }
  }

  /** Makes the item from its collected fields (and its id). */
  private interface ItemBuilder<F, T> {
    T build(F fields, String id) throws IOException;
  }

  /** An item reader: the shared fields through {@link #walk}, the item's own through its field sink. */
  private static <T extends SyncItem, F extends FieldSink> ItemReader<T> reader(Supplier<F> fields,
                                                                              ItemBuilder<F, T> build) {
    return p -> {
      F f = fields.get();
      String[] h = walk(p, f);
      if (h[2] != null) {
        return Change.delete(h[0]); // a removal needs nothing but its id
      }
      if (h[3] != null) {
        throw new Unreadable(h[0], "malformed '" + h[3] + "'");
      }
      try {
        return Change.upsert(h[0], h[1], build.build(f, h[0]));
      } catch (Unreadable u) {
        throw u;
      } catch (RuntimeException e) {
        // the model refused the values (its message may quote them: not passed on)
        throw new Unreadable(h[0], "the item's fields do not make a valid item (" + e.getClass().getSimpleName() + ")");
      }
    };
  }

  // ------------------------------------------------------------------ events

  static final ItemReader<CalendarEvent> EVENT = reader(EventFields::new, EventFields::build);

  private static final class EventFields implements FieldSink {
    String subject;
    String body;
    Instant start;
    Instant end;
    String startZone;
    String originalStartTimeZone;
    boolean allDay;
    String location;
    EmailAddress organizer;
    List<Attendee> attendees = List.of();
    CalendarEvent.EventType type;
    String seriesMasterId;
    String recurrence;
    String iCalUid;
    Map<String, String> extensions = Map.of();

    @Override
    public void field(String name, JsonParser p) throws IOException {
      switch (name) {
        case "subject" -> subject = text(p);
        case "body" -> body = bodyContent(p);
        case "singleValueExtendedProperties" -> extensions = extendedProperties(p);
        case "start" -> {
          String[] dt = dateTimeTimeZone(p);
          start = dt == null ? null : GraphTime.parse(dt[0], dt[1]);
          startZone = dt == null ? null : dt[1];
        }
        case "end" -> {
          String[] dt = dateTimeTimeZone(p);
          end = dt == null ? null : GraphTime.parse(dt[0], dt[1]);
        }
        case "originalStartTimeZone" -> originalStartTimeZone = text(p);
        case "isAllDay" -> allDay = p.currentToken() == JsonToken.VALUE_TRUE;
        case "location" -> location = objectField(p, "displayName");
        case "organizer" -> organizer = recipient(p);
        case "attendees" -> attendees = attendees(p);
        case "type" -> type = eventType(GraphEnums.canonical(text(p), GraphEnums.EVENT_TYPE));
        case "seriesMasterId" -> seriesMasterId = text(p);
        case "recurrence" -> recurrence = p.currentToken() == JsonToken.START_OBJECT ? MAPPER.readTree(p).toString() : null;
        case "iCalUId" -> iCalUid = text(p);
        default -> p.skipChildren();
      }
    }

    CalendarEvent build(String id) {
      if (start == null || end == null) {
        throw new Unreadable(id, start == null ? "an event without start" : "an event without end");
      }
      String zone = originalStartTimeZone != null ? originalStartTimeZone : startZone;
      return new CalendarEvent(subject, body, start, end.isBefore(start) ? start : end, zone, allDay,
          location == null || location.isEmpty() ? null : location, organizer, attendees, type, seriesMasterId,
          recurrence, iCalUid, extensions);
    }
  }

  private static CalendarEvent.EventType eventType(String s) {
    if (s == null) {
      return null;
    }
    return switch (s) {
      case "occurrence" -> CalendarEvent.EventType.OCCURRENCE;
      case "exception" -> CalendarEvent.EventType.EXCEPTION;
      case "seriesMaster" -> CalendarEvent.EventType.SERIES_MASTER;
      default -> CalendarEvent.EventType.SINGLE_INSTANCE;
    };
  }

  private static List<Attendee> attendees(JsonParser p) throws IOException {
    if (!isArray(p)) {
      return List.of();
    }
    List<Attendee> out = new ArrayList<>();
    while (nextObject(p)) {
      String type = null;
      String response = null;
      EmailAddress email = null;
      for (String name; (name = nextField(p)) != null; ) {
        switch (name) {
          case "type" -> type = GraphEnums.canonical(text(p), GraphEnums.ATTENDEE_TYPE);
          case "status" -> response = GraphEnums.canonical(objectField(p, "response"), GraphEnums.RESPONSE);
          case "emailAddress" -> email = emailAddress(p);
          default -> p.skipChildren();
        }
      }
      if (email != null) {
        out.add(new Attendee(email, type, response));
      }
    }
    return out;
  }

  /** {@code {"emailAddress":{"name","address"}}}; null when absent or without address. */
  private static EmailAddress recipient(JsonParser p) throws IOException {
    if (!isObject(p)) {
      return null;
    }
    EmailAddress a = null;
    for (String name; (name = nextField(p)) != null; ) {
      if (name.equals("emailAddress")) {
        a = emailAddress(p);
      } else {
        p.skipChildren();
      }
    }
    return a;
  }

  private static List<EmailAddress> recipients(JsonParser p) throws IOException {
    if (!isArray(p)) {
      return List.of();
    }
    List<EmailAddress> out = new ArrayList<>();
    while (nextObject(p)) {
      EmailAddress a = recipient(p);
      if (a != null) {
        out.add(a);
      }
    }
    return out;
  }

  /** {@code {"name","address"}}; null when no object or without address. */
  private static EmailAddress emailAddress(JsonParser p) throws IOException {
    if (!isObject(p)) {
      return null;
    }
    String name = null;
    String address = null;
    for (String f; (f = nextField(p)) != null; ) {
      switch (f) {
        case "name" -> name = text(p);
        case "address" -> address = text(p);
        default -> p.skipChildren();
      }
    }
    return address == null || address.isBlank() ? null : new EmailAddress(address, name);
  }

  private static String[] dateTimeTimeZone(JsonParser p) throws IOException {
    if (!isObject(p)) {
      return null;
    }
    String dt = null;
    String tz = null;
    for (String f; (f = nextField(p)) != null; ) {
      switch (f) {
        case "dateTime" -> dt = text(p);
        case "timeZone" -> tz = text(p);
        default -> p.skipChildren();
      }
    }
    return dt == null ? null : new String[] {dt, tz};
  }

  private static String bodyContent(JsonParser p) throws IOException {
    return objectField(p, "content");
  }

  /** One string field of an object value; the rest is skipped. */
  private static String objectField(JsonParser p, String field) throws IOException {
    if (!isObject(p)) {
      return null;
    }
    String v = null;
    for (String f; (f = nextField(p)) != null; ) {
      if (f.equals(field)) {
        v = text(p);
      } else {
        p.skipChildren();
      }
    }
    return v;
  }

  private static List<String> strings(JsonParser p) throws IOException {
    if (!isArray(p)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == JsonToken.VALUE_STRING) {
        out.add(p.getText());
      } else {
        p.skipChildren();
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ contacts

  static final ItemReader<Contact> CONTACT = reader(ContactFields::new, (f, id) -> f.build());

  private static final class ContactFields implements FieldSink {
    String givenName;
    String surname;
    String displayName;
    List<String> emails = List.of();
    final List<String> phones = new ArrayList<>();
    String company;
    String jobTitle;
    Map<String, String> extensions = Map.of();

    @Override
    public void field(String name, JsonParser p) throws IOException {
      switch (name) {
        case "singleValueExtendedProperties" -> extensions = extendedProperties(p);
        case "givenName" -> givenName = text(p);
        case "surname" -> surname = text(p);
        case "displayName" -> displayName = text(p);
        case "emailAddresses" -> {
          List<String> out = new ArrayList<>();
          if (isArray(p)) {
            while (nextObject(p)) {
              EmailAddress a = emailAddress(p);
              if (a != null) {
                out.add(a.address());
              }
            }
          }
          emails = out;
        }
        case "businessPhones", "homePhones" -> phones.addAll(strings(p));
        case "mobilePhone" -> {
          String m = text(p);
          if (m != null && !m.isEmpty()) {
            phones.add(m);
          }
        }
        case "companyName" -> company = text(p);
        case "jobTitle" -> jobTitle = text(p);
        default -> p.skipChildren();
      }
    }

    Contact build() {
      return new Contact(givenName, surname, displayName, emails, phones, company, jobTitle, extensions);
    }
  }

  // ------------------------------------------------------------------ messages

  static final ItemReader<MailMessage> MESSAGE = reader(MessageFields::new, (f, id) -> f.build());

  private static final class MessageFields implements FieldSink {
    String subject;
    EmailAddress from;
    List<EmailAddress> to = List.of();
    List<EmailAddress> cc = List.of();
    Instant received;
    String preview;
    String internetMessageId;
    String folderId;
    List<MailMessage.Attachment> attachments = List.of();
    Map<String, String> extensions = Map.of();

    @Override
    public void field(String name, JsonParser p) throws IOException {
      switch (name) {
        case "singleValueExtendedProperties" -> extensions = extendedProperties(p);
        case "subject" -> subject = text(p);
        case "from" -> from = recipient(p);
        case "toRecipients" -> to = recipients(p);
        case "ccRecipients" -> cc = recipients(p);
        case "receivedDateTime" -> received = GraphTime.offset(text(p));
        case "bodyPreview" -> preview = text(p);
        case "internetMessageId" -> internetMessageId = text(p);
        case "parentFolderId" -> folderId = text(p);
        case "attachments" -> attachments = attachments(p);
        default -> p.skipChildren();
      }
    }

    MailMessage build() {
      return new MailMessage(subject, from, to, cc, received, preview, internetMessageId, folderId, attachments, extensions);
    }
  }

  private static List<MailMessage.Attachment> attachments(JsonParser p) throws IOException {
    if (!isArray(p)) {
      return List.of();
    }
    List<MailMessage.Attachment> out = new ArrayList<>();
    while (nextObject(p)) {
      String name = null;
      String type = null;
      long size = 0;
      for (String f; (f = nextField(p)) != null; ) {
        switch (f) {
          case "name" -> name = text(p);
          case "contentType" -> type = text(p);
          case "size" -> size = p.getValueAsLong();
          default -> p.skipChildren();
        }
      }
      out.add(new MailMessage.Attachment(name, type, size));
    }
    return out;
  }

  // ------------------------------------------------------------------ To Do

  static final ItemReader<TodoTask> TASK = reader(TaskFields::new, (f, id) -> f.build());

  private static final class TaskFields implements FieldSink {
    String title;
    String body;
    TodoTask.Status status;
    Instant due;
    String importance;
    Instant completed;

    @Override
    public void field(String name, JsonParser p) throws IOException {
      switch (name) {
        case "title" -> title = text(p);
        case "body" -> body = bodyContent(p);
        case "status" -> status = taskStatus(GraphEnums.canonical(text(p), GraphEnums.TASK_STATUS));
        case "dueDateTime" -> {
          String[] dt = dateTimeTimeZone(p);
          due = dt == null ? null : GraphTime.parse(dt[0], dt[1]);
        }
        case "importance" -> importance = GraphEnums.canonical(text(p), GraphEnums.IMPORTANCE);
        case "completedDateTime" -> {
          String[] dt = dateTimeTimeZone(p);
          completed = dt == null ? null : GraphTime.parse(dt[0], dt[1]);
        }
        default -> p.skipChildren();
      }
    }

    TodoTask build() {
      return new TodoTask(title, body == null || body.isEmpty() ? null : body, status, due, importance, completed, Map.of());
    }
  }

  static TodoTask.Status taskStatus(String s) {
    if (s == null) {
      return null;
    }
    return switch (s) {
      case "inProgress" -> TodoTask.Status.IN_PROGRESS;
      case "completed" -> TodoTask.Status.COMPLETED;
      case "waitingOnOthers" -> TodoTask.Status.WAITING_ON_OTHERS;
      case "deferred" -> TodoTask.Status.DEFERRED;
      default -> TodoTask.Status.NOT_STARTED;
    };
  }

  // ------------------------------------------------------------------ mailbox settings

  static MailboxSettings settings(InputStream in) throws IOException {
    try (JsonParser p = JSON.createParser(in)) {
      p.nextToken();
      return settings(p);
    }
  }

  static MailboxSettings settings(JsonParser p) throws IOException {
    expect(p, JsonToken.START_OBJECT);
    String timeZone = null;
    MailboxSettings.WorkingHours hours = null;
    MailboxSettings.AutomaticReplies replies = null;
    for (String name; (name = nextField(p)) != null; ) {
      switch (name) {
        case "timeZone" -> timeZone = text(p);
        case "workingHours" -> hours = workingHours(p);
        case "automaticRepliesSetting" -> replies = automaticReplies(p);
        default -> p.skipChildren();
      }
    }
    return new MailboxSettings(timeZone, hours, replies, Map.of());
  }

  private static MailboxSettings.WorkingHours workingHours(JsonParser p) throws IOException {
    if (!isObject(p)) {
      return null;
    }
    List<String> days = List.of();
    LocalTime start = null;
    LocalTime end = null;
    String zone = null;
    String custom = null;
    for (String f; (f = nextField(p)) != null; ) {
      switch (f) {
        case "daysOfWeek" -> days = strings(p).stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
        case "startTime" -> start = time(text(p));
        case "endTime" -> end = time(text(p));
        case "timeZone" -> {
          if (p.currentToken() == JsonToken.START_OBJECT) {
            JsonNode tz = MAPPER.readTree(p);
            zone = tz.path("name").isTextual() ? tz.get("name").asText() : null;
            custom = isCustomZone(tz) ? tz.toString() : null;
          } else {
            p.skipChildren();
          }
        }
        default -> p.skipChildren();
      }
    }
    return new MailboxSettings.WorkingHours(days, start, end, zone, custom);
  }

  /** Graph's {@code customTimeZone} (a bias and transition rules rather than a name alone). */
  private static boolean isCustomZone(JsonNode tz) {
    return tz.path("@odata.type").asText("").endsWith("customTimeZone") || tz.has("bias") || tz.has("standardOffset");
  }

  private static LocalTime time(String s) {
    if (s == null) {
      return null;
    }
    try {
      return LocalTime.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static MailboxSettings.AutomaticReplies automaticReplies(JsonParser p) throws IOException {
    if (!isObject(p)) {
      return null;
    }
    String status = null;
    String internal = null;
    String external = null;
    for (String f; (f = nextField(p)) != null; ) {
      switch (f) {
        case "status" -> status = GraphEnums.canonical(text(p), GraphEnums.AUTOMATIC_REPLIES_STATUS);
        case "internalReplyMessage" -> internal = text(p);
        case "externalReplyMessage" -> external = text(p);
        default -> p.skipChildren();
      }
    }
    return new MailboxSettings.AutomaticReplies(status, internal, external);
  }

  /**
   * Our single-value extended properties ({@link GraphJsonWriter#EXTENDED_PROPERTY_PREFIX}{@code <key>})
   * as item extensions; other applications' properties are skipped. Graph returns them only when
   * asked with {@code $expand=singleValueExtendedProperties(...)}, which calendarView delta and To Do
   * do not support: delta-read items come without them, and the syncers fall back on change keys and
   * content.
   */
  private static Map<String, String> extendedProperties(JsonParser p) throws IOException {
    if (!isArray(p)) {
      return Map.of();
    }
    Map<String, String> out = new java.util.HashMap<>();
    String prefix = GraphJsonWriter.EXTENDED_PROPERTY_PREFIX;
    while (nextObject(p)) {
      String id = null;
      String value = null;
      for (String f; (f = nextField(p)) != null; ) {
        switch (f) {
          case "id" -> id = text(p);
          case "value" -> value = text(p);
          default -> p.skipChildren();
        }
      }
      // Graph may echo the id with the GUID in another case
      if (id != null && value != null && id.length() > prefix.length() && id.regionMatches(true, 0, prefix, 0, prefix.length())) {
        out.put(id.substring(prefix.length()), value);
      }
    }
    return out;
  }

  /** One item object (a GET of a single item) as a change. */
  static <T extends SyncItem> Change<T> item(InputStream in, ItemReader<T> reader) throws IOException {
    try (JsonParser p = JSON.createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("malformed Graph item: expected an object");
      }
      return reader.read(p);
    }
  }

  /** {@code id} and change key (or etag) of a single written item. */
  static String[] idAndChangeKey(InputStream in) throws IOException {
    try (JsonParser p = JSON.createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return new String[] {null, null};
      }
      try {
        String[] h = walk(p, (n, q) -> q.skipChildren());
        return new String[] {h[0], h[1]};
      } catch (Unreadable noId) {
        return new String[] {null, null};
      }
    }
  }
}

package io.m365sync.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.MailMessage;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.StoredItem;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GraphHttpTest {
  private final Fixture f = new Fixture();
  private final String token = f.appToken();
  private final String alice;
  private final Instant day;

  GraphHttpTest() {
    alice = "/users/" + f.alice.objectId();
    day = f.clock.instant();
  }

  @AfterEach
  void close() {
    assertThat(f.emulator.internalErrors()).isEmpty();
    f.close();
  }

  static void assertGraphError(RawHttp.Response r, int status, String code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    JsonNode e = r.json().get("error");
    assertThat(e.get("code").asText()).isEqualTo(code);
    assertThat(e.get("message").asText()).isNotNull();
    JsonNode inner = e.get("innerError");
    assertThat(inner.get("date").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(inner.get("request-id").asText()).isNotBlank();
    assertThat(inner.get("client-request-id").asText()).isNotBlank();
    assertThat(r.header("request-id")).isEqualTo(inner.get("request-id").asText());
  }

  private List<JsonNode> values(JsonNode page) {
    List<JsonNode> out = new ArrayList<>();
    page.get("value").forEach(out::add);
    return out;
  }

  private String window() {
    return "startDateTime=" + day.minus(Duration.ofDays(1)) + "&endDateTime=" + day.plus(Duration.ofDays(7));
  }

  @Test
  void calendarViewDeltaItemsStartWithTheirODataTypeAlsoWhenServedFromTheRenderedCopy() {
    for (int i = 0; i < 3; i++) {
      f.tenant.mailbox(f.alice).calendar().create(CalendarEvent.simple("e" + i, day.plus(Duration.ofHours(i)),
          day.plus(Duration.ofHours(i + 1))));
    }
    // the second read serves each event from the JSON rendered for the first
    List<JsonNode> reads = new ArrayList<>();
    for (int read = 0; read < 2; read++) {
      RawHttp.Response r = f.http.get(f.graph(alice + "/calendarView/delta()?" + window()), token);
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.text()).contains("\"value\":[{\"@odata.type\":\"#microsoft.graph.event\",\"");
      for (JsonNode e : values(r.json())) {
        assertThat(e.fieldNames().next()).isEqualTo("@odata.type");
        assertThat(e.get("@odata.type").asText()).isEqualTo("#microsoft.graph.event");
        assertThat(e.get("subject").asText()).startsWith("e");
        assertThat(e.get("end").get("dateTime").asText()).isNotBlank(); // the last members are there too
      }
      reads.add(r.json().get("value"));
    }
    assertThat(reads.get(1)).isEqualTo(reads.get(0));
  }

  @Test
  void calendarViewDeltaPagesToADeltaLinkThenReportsChangesAndRemovals() {
    List<StoredItem<CalendarEvent>> events = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      events.add(f.tenant.mailbox(f.alice).calendar().create(CalendarEvent.simple("e" + i,
          day.plus(Duration.ofHours(i)), day.plus(Duration.ofHours(i + 1)))));
    }
    RawHttp.Response first = f.http.get(f.graph(alice + "/calendarView/delta()?" + window()), token,
        "Prefer", "odata.maxpagesize=2");
    assertThat(first.status()).as(first.text()).isEqualTo(200);
    assertThat(first.header("Preference-Applied")).contains("odata.maxpagesize=2");
    List<JsonNode> seen = new ArrayList<>(values(first.json()));
    String next = first.json().get("@odata.nextLink").asText();
    // Graph writes its links in the key form
    assertThat(next).startsWith(f.emulator.graphBaseUrl() + "/users('" + f.alice.objectId() + "')/calendarView/delta?$skiptoken=");
    String deltaLink = null;
    while (next != null) {
      JsonNode page = f.http.get(next, token, "Prefer", "odata.maxpagesize=2").json();
      seen.addAll(values(page));
      next = page.has("@odata.nextLink") ? page.get("@odata.nextLink").asText() : null;
      deltaLink = page.has("@odata.deltaLink") ? page.get("@odata.deltaLink").asText() : deltaLink;
    }
    assertThat(seen).hasSize(5);
    assertThat(deltaLink).startsWith(f.emulator.graphBaseUrl() + "/users('" + f.alice.objectId() + "')/calendarView/delta?$deltatoken=");
    JsonNode e = seen.get(0);
    assertThat(e.get("@odata.etag").asText()).startsWith("W/\"");
    assertThat(e.get("changeKey").asText()).isNotBlank();
    assertThat(e.get("start").get("dateTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}");
    assertThat(e.get("start").get("timeZone").asText()).isEqualTo("UTC");
    assertThat(e.get("type").asText()).isEqualTo("singleInstance");
    assertThat(e.get("organizer").get("emailAddress").get("address").asText()).isEqualTo("alice@contoso.com");
    assertThat(e.get("originalStartTimeZone").asText()).isEqualTo("UTC");

    // changes: one updated, one deleted, one moved out of the window
    var cal = f.tenant.mailbox(f.alice).calendar();
    cal.update(events.get(0).id(), null, events.get(0).item().withSubject("renamed"));
    cal.delete(events.get(1).id(), null);
    cal.update(events.get(2).id(), null, CalendarEvent.simple("later", day.plus(Duration.ofDays(30)), day.plus(Duration.ofDays(31))));
    JsonNode round2 = f.http.get(deltaLink, token).json();
    assertThat(round2.has("@odata.deltaLink")).isTrue();
    List<JsonNode> changes = values(round2);
    assertThat(changes).hasSize(3);
    assertThat(changes).filteredOn(c -> c.has("@removed")).hasSize(2)
        .allSatisfy(c -> assertThat(c.get("@removed").get("reason").asText()).isEqualTo("deleted"));
    assertThat(changes).filteredOn(c -> !c.has("@removed")).singleElement()
        .satisfies(c -> assertThat(c.get("subject").asText()).isEqualTo("renamed"));

    // delta without "()" works too; missing window → 400; evicted tokens → 410
    assertThat(f.http.get(f.graph(alice + "/calendarView/delta?" + window()), token).status()).isEqualTo(200);
    assertGraphError(f.http.get(f.graph(alice + "/calendarView/delta()?startDateTime=&endDateTime="), token), 400,
        "ErrorInvalidParameter");
    cal.evictDeltaTokens();
    RawHttp.Response gone = f.http.get(round2.get("@odata.deltaLink").asText(), token);
    assertGraphError(gone, 410, "SyncStateNotFound");
  }

  @Test
  void outlookTimezonePreferenceConvertsEventTimes() {
    String id = f.http.send("POST", f.graph(alice + "/events"), token, """
        {"subject":"Pacific","start":{"dateTime":"2026-01-05T09:00:00","timeZone":"Pacific Standard Time"},
         "end":{"dateTime":"2026-01-05T10:00:00","timeZone":"Pacific Standard Time"},
         "attendees":[{"type":"required","emailAddress":{"address":"bob@contoso.com","name":"Bob"}}],
         "location":{"displayName":"Room 1"},"body":{"contentType":"text","content":"hello"}}""").json().get("id").asText();
    JsonNode utc = f.http.get(f.graph(alice + "/events/" + enc(id)), token).json();
    assertThat(utc.get("start").get("dateTime").asText()).isEqualTo("2026-01-05T17:00:00.0000000");
    assertThat(utc.get("originalStartTimeZone").asText()).isEqualTo("Pacific Standard Time");
    assertThat(utc.get("attendees").get(0).get("emailAddress").get("address").asText()).isEqualTo("bob@contoso.com");
    assertThat(utc.get("attendees").get(0).get("status").get("response").asText()).isEqualTo("none");
    assertThat(utc.get("location").get("displayName").asText()).isEqualTo("Room 1");
    assertThat(utc.get("body").get("content").asText()).isEqualTo("hello");
    JsonNode pacific = f.http.get(f.graph(alice + "/events/" + enc(id)), token,
        "Prefer", "outlook.timezone=\"Pacific Standard Time\"").json();
    assertThat(pacific.get("start").get("dateTime").asText()).isEqualTo("2026-01-05T09:00:00.0000000");
    assertThat(pacific.get("start").get("timeZone").asText()).isEqualTo("Pacific Standard Time");
  }

  static String enc(String id) {
    return java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Test
  void eventCrudHonoursIfMatch() {
    RawHttp.Response created = f.http.send("POST", f.graph("/me/events"), f.delegatedToken(f.alice), """
        {"subject":"Kick-off","start":{"dateTime":"2026-01-06T09:00:00.0000000","timeZone":"UTC"},
         "end":{"dateTime":"2026-01-06T10:00:00.0000000","timeZone":"UTC"}}""");
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String id = created.json().get("id").asText();
    String etag = created.json().get("@odata.etag").asText();
    String url = f.graph(alice + "/events/" + enc(id));
    assertGraphError(f.http.send("PATCH", url, token, "{\"subject\":\"x\"}", "If-Match", "W/\"stale\""), 412,
        "ErrorIrresolvableConflict");
    RawHttp.Response patched = f.http.send("PATCH", url, token, "{\"subject\":\"Renamed\"}", "If-Match", etag);
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().get("subject").asText()).isEqualTo("Renamed");
    assertThat(patched.json().get("changeKey").asText()).isNotEqualTo(created.json().get("changeKey").asText());
    assertThat(patched.json().get("start").get("dateTime").asText()).isEqualTo("2026-01-06T09:00:00.0000000");
    assertThat(f.http.send("DELETE", url, token, null).status()).isEqualTo(204);
    assertGraphError(f.http.get(url, token), 404, "ErrorItemNotFound");
    assertGraphError(f.http.send("POST", f.graph(alice + "/events"), token, "{\"subject\":\"no times\"}"), 400,
        "ErrorInvalidRequest");
  }

  @Test
  void seriesMasterExpandsIntoOccurrences() {
    RawHttp.Response master = f.http.send("POST", f.graph(alice + "/events"), token, """
        {"subject":"Daily","start":{"dateTime":"2026-01-05T12:00:00","timeZone":"UTC"},
         "end":{"dateTime":"2026-01-05T12:30:00","timeZone":"UTC"},
         "recurrence":{"pattern":{"type":"daily","interval":1},
                       "range":{"type":"numbered","startDate":"2026-01-05","numberOfOccurrences":3}}}""");
    assertThat(master.status()).as(master.text()).isEqualTo(201);
    assertThat(master.json().get("type").asText()).isEqualTo("seriesMaster");
    assertThat(master.json().get("recurrence").get("pattern").get("type").asText()).isEqualTo("daily");
    String masterId = master.json().get("id").asText();
    List<JsonNode> view = values(f.http.get(f.graph(alice + "/calendarView/delta?" + window()), token).json());
    assertThat(view).hasSize(3).allSatisfy(o -> {
      assertThat(o.get("type").asText()).isEqualTo("occurrence");
      assertThat(o.get("seriesMasterId").asText()).isEqualTo(masterId);
    });
    JsonNode instances = f.http.get(f.graph(alice + "/events/" + enc(masterId) + "/instances?" + window()), token).json();
    assertThat(values(instances)).hasSize(3);
    String occurrence = view.get(0).get("id").asText();
    JsonNode exception = f.http.send("PATCH", f.graph(alice + "/events/" + enc(occurrence)), token, "{\"subject\":\"Moved\"}").json();
    assertThat(exception.get("type").asText()).isEqualTo("exception");
    assertThat(values(f.http.get(f.graph(alice + "/events"), token).json()))
        .extracting(j -> j.get("type").asText()).containsExactly("seriesMaster");
    assertThat(f.http.send("DELETE", f.graph(alice + "/events/" + enc(masterId)), token, null).status()).isEqualTo(204);
    assertThat(f.tenant.mailbox(f.alice).calendar().size()).isZero();
  }

  @Test
  void contactsDeltaAndCrud() {
    f.tenant.mailbox(f.alice).contacts().create(Contact.of("Ann", "Lee", "ann@example.com"));
    JsonNode page = f.http.get(f.graph(alice + "/contacts/delta()"), token).json();
    assertThat(values(page)).singleElement().satisfies(c -> {
      assertThat(c.get("emailAddresses").get(0).get("address").asText()).isEqualTo("ann@example.com");
      assertThat(c.get("displayName").asText()).isEqualTo("Ann Lee");
      assertThat(c.get("parentFolderId").asText()).isEqualTo("contacts");
    });
    assertThat(page.get("@odata.deltaLink").asText()).contains("/contacts/delta?$deltatoken=");
    RawHttp.Response folder = f.http.send("POST", f.graph(alice + "/contactFolders"), token, "{\"displayName\":\"Clients\"}");
    String fid = folder.json().get("id").asText();
    RawHttp.Response c = f.http.send("POST", f.graph(alice + "/contactFolders/" + fid + "/contacts"), token, """
        {"givenName":"Bo","surname":"Ng","emailAddresses":[{"address":"bo@example.com","name":"Bo"}],
         "businessPhones":["+1 555 0100"],"companyName":"Acme","jobTitle":"CTO"}""");
    assertThat(c.status()).isEqualTo(201);
    JsonNode folderDelta = f.http.get(f.graph(alice + "/contactFolders/" + fid + "/contacts/delta"), token).json();
    assertThat(values(folderDelta)).singleElement().satisfies(x -> {
      assertThat(x.get("companyName").asText()).isEqualTo("Acme");
      assertThat(x.get("businessPhones").get(0).asText()).isEqualTo("+1 555 0100");
    });
    String url = f.graph(alice + "/contacts/" + enc(c.json().get("id").asText()));
    assertThat(f.http.send("PATCH", url, token, "{\"jobTitle\":\"CEO\"}").json().get("jobTitle").asText()).isEqualTo("CEO");
    assertThat(f.http.send("DELETE", url, token, null).status()).isEqualTo(204);
    JsonNode removed = f.http.get(folderDelta.get("@odata.deltaLink").asText(), token).json();
    assertThat(values(removed)).singleElement().satisfies(x -> assertThat(x.has("@removed")).isTrue());
  }

  @Test
  void messagesDeltaPerFolderAndMovesKeepImmutableIds() {
    StoredItem<MailMessage> m = f.tenant.mailbox(f.alice).mail("inbox").create(
        MailMessage.of("Quote", "carol@example.com", "alice@contoso.com", day, "<q1@example.com>"));
    JsonNode inbox = f.http.get(f.graph(alice + "/mailFolders/Inbox/messages/delta()"), token,
        "Prefer", "IdType=\"ImmutableId\"").json();
    JsonNode msg = values(inbox).get(0);
    assertThat(msg.get("internetMessageId").asText()).isEqualTo("<q1@example.com>");
    assertThat(msg.get("from").get("emailAddress").get("address").asText()).isEqualTo("carol@example.com");
    assertThat(msg.get("toRecipients").get(0).get("emailAddress").get("address").asText()).isEqualTo("alice@contoso.com");
    assertThat(msg.get("receivedDateTime").asText()).isEqualTo("2026-01-05T09:00:00Z");
    RawHttp.Response moved = f.http.send("POST", f.graph(alice + "/messages/" + enc(m.id()) + "/move"), token,
        "{\"destinationId\":\"archive\"}", "Prefer", "IdType=\"ImmutableId\"");
    assertThat(moved.status()).isEqualTo(201);
    assertThat(moved.json().get("id").asText()).isEqualTo(m.id());
    assertThat(moved.json().get("parentFolderId").asText()).isEqualTo("archive");
    assertThat(values(f.http.get(inbox.get("@odata.deltaLink").asText(), token).json()))
        .singleElement().satisfies(x -> assertThat(x.get("@removed")).isNotNull());
    RawHttp.Response draft = f.http.send("POST", f.graph(alice + "/messages"), token,
        "{\"subject\":\"Draft\",\"toRecipients\":[{\"emailAddress\":{\"address\":\"x@example.com\"}}]}");
    assertThat(draft.status()).isEqualTo(201);
    assertThat(draft.json().get("parentFolderId").asText()).isEqualTo("drafts");
    assertThat(values(f.http.get(f.graph(alice + "/mailFolders"), token).json())).extracting(j -> j.get("id").asText())
        .contains("inbox", "archive", "drafts");
    assertGraphError(f.http.get(f.graph(alice + "/mailFolders/nope/messages/delta"), token), 404, "ErrorItemNotFound");
  }

  @Test
  void todoListsAndTasks() {
    RawHttp.Response list = f.http.send("POST", f.graph(alice + "/todo/lists"), token, "{\"displayName\":\"CRM\"}");
    assertThat(list.status()).isEqualTo(201);
    String lid = list.json().get("id").asText();
    assertThat(values(f.http.get(f.graph(alice + "/todo/lists"), token).json())).extracting(j -> j.get("displayName").asText())
        .contains("Tasks", "CRM");
    RawHttp.Response task = f.http.send("POST", f.graph(alice + "/todo/lists/" + lid + "/tasks"), token, """
        {"title":"Call back","dueDateTime":{"dateTime":"2026-01-07T00:00:00.0000000","timeZone":"UTC"}}""");
    assertThat(task.status()).isEqualTo(201);
    assertThat(task.json().get("status").asText()).isEqualTo("notStarted");
    JsonNode delta = f.http.get(f.graph(alice + "/todo/lists/" + lid + "/tasks/delta()"), token).json();
    assertThat(values(delta)).singleElement().satisfies(t -> {
      assertThat(t.get("title").asText()).isEqualTo("Call back");
      assertThat(t.get("dueDateTime").get("dateTime").asText()).isEqualTo("2026-01-07T00:00:00.0000000");
    });
    String url = f.graph(alice + "/todo/lists/" + lid + "/tasks/" + enc(task.json().get("id").asText()));
    JsonNode done = f.http.send("PATCH", url, token, "{\"status\":\"completed\"}").json();
    assertThat(done.get("status").asText()).isEqualTo("completed");
    assertThat(done.get("completedDateTime").get("dateTime").asText()).isNotBlank();
  }

  @Test
  void mailboxSettingsGetAndPatch() {
    JsonNode s = f.http.get(f.graph(alice + "/mailboxSettings"), token).json();
    assertThat(s.get("timeZone").asText()).isEqualTo("UTC");
    assertThat(s.get("workingHours").get("startTime").asText()).isEqualTo("08:00:00.0000000");
    assertThat(s.get("automaticRepliesSetting").get("status").asText()).isEqualTo("disabled");
    JsonNode patched = f.http.send("PATCH", f.graph(alice + "/mailboxSettings"), token, """
        {"timeZone":"W. Europe Standard Time","automaticRepliesSetting":{"status":"alwaysEnabled","internalReplyMessage":"away"}}""").json();
    assertThat(patched.get("timeZone").asText()).isEqualTo("W. Europe Standard Time");
    assertThat(patched.get("automaticRepliesSetting").get("status").asText()).isEqualTo("alwaysEnabled");
    assertThat(f.tenant.mailbox(f.alice).settings().timeZone()).isEqualTo("W. Europe Standard Time");
  }

  @Test
  void authorizationErrorsHaveGraphsShape() {
    RawHttp.Response none = f.http.get(f.graph(alice + "/mailboxSettings"), null);
    assertGraphError(none, 401, "InvalidAuthenticationToken");
    assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
    assertGraphError(f.http.get(f.graph(alice + "/mailboxSettings"), "not-a-token"), 401, "InvalidAuthenticationToken");
    String delegated = f.delegatedToken(f.alice);
    assertGraphError(f.http.get(f.graph("/users/" + f.bob.objectId() + "/mailboxSettings"), delegated), 403, "ErrorAccessDenied");
    assertThat(f.http.get(f.graph("/me/mailboxSettings"), delegated).status()).isEqualTo(200);
    assertGraphError(f.http.get(f.graph("/me/mailboxSettings"), token), 400, "BadRequest");
    f.clock.advance(Duration.ofHours(2));
    assertGraphError(f.http.get(f.graph(alice + "/mailboxSettings"), token), 401, "InvalidAuthenticationToken");
    String fresh = f.appToken();

    ModelGroup scope = f.tenant.addGroup("CRM users", true).add(f.bob);
    f.tenant.addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, Fixture.CLIENT_ID, scope, "crm");
    RawHttp.Response denied = f.http.get(f.graph(alice + "/contacts/delta"), fresh);
    assertGraphError(denied, 403, "ErrorAccessDenied");
    assertThat(denied.json().get("error").get("message").asText()).isEqualTo("Access to OData is disabled.");
    assertThat(f.http.get(f.graph(alice + "/todo/lists"), fresh).status()).isEqualTo(200);

    f.bob.licensed(false);
    assertGraphError(f.http.get(f.graph("/users/" + f.bob.objectId() + "/contacts"), fresh), 404, "MailboxNotEnabledForRESTAPI");
  }

  @Test
  void throttlingAnswers429WithRetryAfter() {
    f.tenant.throttling(4, 3, Duration.ofMinutes(10));
    for (int i = 0; i < 3; i++) {
      assertThat(f.http.get(f.graph(alice + "/mailboxSettings"), token).status()).isEqualTo(200);
    }
    RawHttp.Response r = f.http.get(f.graph(alice + "/mailboxSettings"), token);
    assertGraphError(r, 429, "TooManyRequests");
    assertThat(Long.parseLong(r.header("Retry-After"))).isPositive();
    assertThat(r.json().get("error").get("innerError").get("status").asText()).isEqualTo("429");
    // other mailboxes are unaffected
    assertThat(f.http.get(f.graph("/users/" + f.bob.objectId() + "/mailboxSettings"), token).status()).isEqualTo(200);
  }

  @Test
  void batchRunsStepsWithDependsOnAndPerStepStatus() {
    String body = """
        {"requests":[
          {"id":"1","method":"GET","url":"/users/%1$s/mailboxSettings"},
          {"id":"2","method":"POST","url":"/users/%1$s/events","headers":{"Content-Type":"application/json"},
           "body":{"subject":"b","start":{"dateTime":"2026-01-06T09:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-01-06T10:00:00","timeZone":"UTC"}}},
          {"id":"3","method":"GET","url":"users/%1$s/events/nope"},
          {"id":"4","method":"GET","url":"/users/%1$s/contacts","dependsOn":["3"]},
          {"id":"5","method":"GET","url":"/users/%1$s/calendarView/delta()?startDateTime=2026-01-01T00:00:00Z&endDateTime=2026-02-01T00:00:00Z","dependsOn":["2"]}
        ]}""".formatted(f.alice.objectId());
    RawHttp.Response r = f.http.send("POST", f.graph("/$batch"), token, body);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    List<JsonNode> responses = new ArrayList<>();
    r.json().get("responses").forEach(responses::add);
    assertThat(responses).extracting(j -> j.get("id").asText() + ":" + j.get("status").asInt())
        .containsExactly("1:200", "2:201", "3:404", "4:424", "5:200");
    assertThat(responses.get(0).get("headers").get("Content-Type").asText()).startsWith("application/json");
    assertThat(responses.get(2).get("body").get("error").get("code").asText()).isEqualTo("ErrorItemNotFound");
    assertThat(responses.get(4).get("body").get("value").size()).isEqualTo(1);
    assertThat(responses.get(4).get("body").get("@odata.deltaLink").asText()).startsWith(f.emulator.graphBaseUrl() + "/users('");

    StringBuilder many = new StringBuilder("{\"requests\":[");
    for (int i = 0; i < 21; i++) {
      many.append(i == 0 ? "" : ",").append("{\"id\":\"").append(i).append("\",\"method\":\"GET\",\"url\":\"/users/x/contacts\"}");
    }
    assertGraphError(f.http.send("POST", f.graph("/$batch"), token, many.append("]}").toString()), 400, "BadRequest");
    assertGraphError(f.http.send("POST", f.graph("/$batch"), token, "{\"requests\":[{\"id\":\"1\",\"method\":\"GET\","
        + "\"url\":\"/me\"},{\"id\":\"1\",\"method\":\"GET\",\"url\":\"/me\"}]}"), 400, "BadRequest");
  }

  @Test
  void directoryServesServicePrincipalsGrantsAndMemberships() {
    f.app.addApplicationPermissions("Application.Read.All", "GroupMember.Read.All").grantAdminConsent();
    String token = f.appToken();
    JsonNode graphSp = f.http.get(f.graph("/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')"), token).json();
    assertThat(graphSp.get("displayName").asText()).isEqualTo("Microsoft Graph");
    String mailRole = null;
    for (JsonNode r : graphSp.get("appRoles")) {
      if (r.get("value").asText().equals("Mail.ReadWrite")) {
        mailRole = r.get("id").asText();
      }
    }
    assertThat(mailRole).isNotNull().isNotEqualTo("e2a3a72e-5f79-4c64-b1b1-878b674786c9");
    assertThat(graphSp.get("oauth2PermissionScopes").size()).isPositive();
    JsonNode appSps = f.http.get(f.graph("/servicePrincipals?$filter=appId%20eq%20'" + Fixture.CLIENT_ID + "'"), token).json();
    JsonNode appSp = appSps.get("value").get(0);
    assertThat(appSp.get("id").asText()).isEqualTo(f.app.servicePrincipalId());
    JsonNode assignments = f.http.get(f.graph("/servicePrincipals/" + f.app.servicePrincipalId() + "/appRoleAssignments"), token).json();
    List<String> roleIds = new ArrayList<>();
    assignments.get("value").forEach(a -> {
      roleIds.add(a.get("appRoleId").asText());
      assertThat(a.get("resourceId").asText()).isEqualTo(graphSp.get("id").asText());
      assertThat(a.get("principalType").asText()).isEqualTo("ServicePrincipal");
    });
    assertThat(roleIds).hasSize(7).contains(mailRole); // five mailbox roles and the two directory reads
    JsonNode grants = f.http.get(f.graph("/oauth2PermissionGrants?$filter=clientId eq '".replace(" ", "%20")
        + f.app.servicePrincipalId() + "'"), token).json();
    assertThat(grants.get("value").get(0).get("consentType").asText()).isEqualTo("AllPrincipals");
    assertThat(grants.get("value").get(0).get("scope").asText()).contains("Calendars.ReadWrite");
    JsonNode application = f.http.get(f.graph("/applications/" + f.app.applicationObjectId()), token).json();
    assertThat(application.get("passwordCredentials").get(0).get("endDateTime").asText()).isEqualTo("2026-07-04T09:00:00Z");
    assertThat(application.get("keyCredentials").get(0).get("type").asText()).isEqualTo("AsymmetricX509Cert");
    assertThat(application.toString()).doesNotContain(Fixture.SECRET);

    ModelGroup inner = f.tenant.addGroup("Sales", true).add(f.alice);
    ModelGroup outer = f.tenant.addGroup("Everyone", true).add(inner);
    assertThat(values(f.http.get(f.graph(alice + "/transitiveMemberOf"), token).json()))
        .extracting(j -> j.get("displayName").asText()).containsExactlyInAnyOrder("Sales", "Everyone");
    assertThat(values(f.http.get(f.graph("/groups/" + outer.id() + "/transitiveMembers"), token).json()))
        .extracting(j -> j.get("id").asText()).containsExactlyInAnyOrder(inner.id(), f.alice.objectId());
    assertGraphError(f.http.get(f.graph("/servicePrincipals/unknown"), token), 404, "Request_ResourceNotFound");
  }

  @Test
  void malformedRequestsGetGraphErrorsNotStackTraces() {
    assertGraphError(f.http.send("POST", f.graph(alice + "/events"), token, "{not json"), 400, "BadRequest");
    assertGraphError(f.http.send("POST", f.graph(alice + "/events"), token, "[1,2]"), 400, "BadRequest");
    assertGraphError(f.http.get(f.graph(alice + "/nonsense"), token), 400, "BadRequest");
    assertGraphError(f.http.get(f.graph("/nonsense"), token), 400, "BadRequest");
    assertGraphError(f.http.send("PUT", f.graph(alice + "/mailboxSettings"), token, "{}"), 405, "Request_BadRequest");
    assertGraphError(f.http.get(f.emulator.baseUrl() + "/beta/me", token), 404, "NotFound");
    assertGraphError(f.http.send("POST", f.graph("/$batch"), token, "{}"), 400, "BadRequest");
    assertGraphError(f.http.get(f.graph(alice + "/calendarView/delta?startDateTime=yesterday&endDateTime=now"), token), 400,
        "ErrorInvalidRequest");
    assertGraphError(f.http.get(f.graph(alice + "/contacts/delta?$deltatoken=garbage!!"), token), 400, "ErrorInvalidUrlQuery");
    RawHttp.Response r = f.http.send("PATCH", f.graph(alice + "/mailboxSettings"), token, "{\"timeZone\":\"Mars/Base\"}");
    assertGraphError(r, 400, "ErrorInvalidArgument");
    assertThat(r.text()).doesNotContain("at io.m365sync", "Exception");
  }

  @Test
  void faultRulesInjectErrorsLatencyAndDroppedConnections() {
    String path = "GET /users/" + f.alice.objectId() + "/mailboxSettings";
    f.tenant.addFault(FaultRule.fail(path, null, 1, new GraphError(503, "ServiceUnavailable", "busy", Duration.ofSeconds(2))));
    RawHttp.Response busy = f.http.get(f.graph(alice + "/mailboxSettings"), token);
    assertGraphError(busy, 503, "ServiceUnavailable");
    assertThat(busy.header("Retry-After")).isEqualTo("2");
    f.tenant.addFault(FaultRule.delay(path, null, 1, Duration.ofMillis(300)));
    long t0 = System.nanoTime();
    assertThat(f.http.get(f.graph(alice + "/mailboxSettings"), token).status()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    // java.net.http retries an idempotent request once on a dropped connection: drop both attempts
    f.tenant.addFault(FaultRule.drop(path, null, 2));
    assertThatThrownBy(() -> f.http.get(f.graph(alice + "/mailboxSettings"), token)).isInstanceOf(UncheckedIOException.class);
    assertThat(f.http.get(f.graph(alice + "/mailboxSettings"), token).status()).isEqualTo(200);
    assertThat(f.cloud.log().graphRequests(f.alice.objectId())).isGreaterThanOrEqualTo(3);
  }

  @Test
  void randomDropsAreSeededAndCountedByTheRule() {
    String path = "GET /users/" + f.alice.objectId() + "/mailboxSettings";
    FaultRule drops = FaultRule.dropRandomly(path, null, 0.3, 11);
    f.tenant.addFault(drops);
    int failed = 0;
    for (int i = 0; i < 40; i++) {
      try {
        assertThat(f.http.get(f.graph(alice + "/mailboxSettings"), token).status()).isEqualTo(200);
      } catch (UncheckedIOException e) {
        failed++; // dropped twice: java.net.http retries an idempotent request once
      }
    }
    long dropped = f.emulator.recordedRequests().stream().filter(r -> r.status() == -1).count();
    assertThat(drops.fired()).isEqualTo(dropped).isBetween(5L, 30L);
    assertThat(f.cloud.log().graphRequests(f.alice.objectId())).isEqualTo(40 - failed);
  }
}

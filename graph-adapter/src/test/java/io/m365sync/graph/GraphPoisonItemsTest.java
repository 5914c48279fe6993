package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.gateway.DeltaProbe;
import io.m365sync.gateway.BatchedDelta;
import io.m365sync.gateway.AccessDeniedByPolicyException;
import io.m365sync.gateway.Change;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.RemoteUnavailableException;
import io.m365sync.gateway.SkippedItem;
import io.m365sync.gateway.SyncStateExpiredException;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real payloads the emulator never sends: an item Graph returns that cannot be read is skipped on its
 * own, a {@code $batch} step is read on its own, error bodies are read whatever their content type,
 * and a stored link that is not the mailbox's own is never followed.
 */
class GraphPoisonItemsTest {
  static final String U = GraphStub.USER;
  final GraphStub stub = new GraphStub();
  final GraphMailboxGateway gateway = stub.gateway();

  @AfterEach
  void close() {
    stub.close();
  }

  static String event(String idField, String start) {
    return "{" + idField + "\"subject\":\"Secret agenda\",\"start\":" + start
        + ",\"end\":{\"dateTime\":\"2026-03-02T10:00:00.0000000\",\"timeZone\":\"UTC\"}}";
  }

  static final String GOOD_START = "{\"dateTime\":\"2026-03-02T09:00:00.0000000\",\"timeZone\":\"UTC\"}";

  static String eventsPage() {
    return "{\"value\":["
        + event("\"id\":\"good-1\",", GOOD_START) + ","
        + event("", GOOD_START) + ","                                                   // no id
        + "{\"id\":\"no-start\",\"subject\":\"Secret agenda\",\"end\":{\"dateTime\":\"2026-03-02T10:00:00\",\"timeZone\":\"UTC\"}},"
        + event("\"id\":\"bad-date\",", "{\"dateTime\":\"2026-13-45T99:00:00\",\"timeZone\":\"UTC\"}") + ","
        + event("\"id\":\"odd-shape\",", "{\"dateTime\":{\"nested\":[1,2,{\"x\":\"2026\"}]},\"timeZone\":\"UTC\"}") + ","
        + "{\"id\":\"gone\",\"@removed\":{\"reason\":\"deleted\"}},"
        + event("\"id\":\"good-2\",", GOOD_START)
        + "],\"@odata.deltaLink\":\"" + "BASE/users/" + U + "/calendarView/delta?$deltatoken=abc\"}";
  }

  @Test
  void aDeltaPageSkipsEachUnreadableItemAndKeepsTheRestAndItsLink() {
    stub.on("/v1.0/users/" + U + "/calendarView/delta", GraphStub.Answer.json(eventsPage().replace("BASE", stub.baseUrl())));

    DeltaPage<CalendarEvent> page = gateway.delta(GraphStub.session(), ResourceType.EVENTS, new DeltaRequest(null, null,
        Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-31T00:00:00Z"), 50));

    assertThat(page.changes()).extracting(Change::remoteId).containsExactly("good-1", "gone", "good-2");
    assertThat(page.changes().get(1).kind()).isEqualTo(Change.Kind.DELETE);
    assertThat(page.skipped()).containsExactly(
        new SkippedItem(null, "an item has no id"),
        new SkippedItem("no-start", "an event without start"),
        new SkippedItem("bad-date", "malformed 'start'"),
        new SkippedItem("odd-shape", "malformed 'start'"));
    assertThat(page.skipped()).allSatisfy(s -> assertThat(s.reason()).doesNotContain("Secret").doesNotContain("2026"));
    assertThat(page.more()).isFalse();
    assertThat(page.cursor()).endsWith("$deltatoken=abc");
  }

  @Test
  void anArrayHoldingSomethingOtherThanObjectsKeepsItsObjectsAndThePageGoesOn() {
    String attendee = "{\"type\":\"optional\",\"emailAddress\":{\"address\":\"ann@contoso.com\"}}";
    String page = "{\"value\":["
        + "{\"id\":\"mixed\",\"attendees\":[null,\"x\"," + attendee + ",[1],7],\"subject\":\"after\","
        + "\"start\":" + GOOD_START + ",\"end\":{\"dateTime\":\"2026-03-02T10:00:00\",\"timeZone\":\"UTC\"}},"
        + event("\"id\":\"good-2\",", GOOD_START)
        + "],\"@odata.deltaLink\":\"BASE/users/" + U + "/calendarView/delta?$deltatoken=abc\"}";
    stub.on("/v1.0/users/" + U + "/calendarView/delta", GraphStub.Answer.json(page.replace("BASE", stub.baseUrl())));

    DeltaPage<CalendarEvent> read = gateway.delta(GraphStub.session(), ResourceType.EVENTS, new DeltaRequest(null, null,
        Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-31T00:00:00Z"), 50));

    assertThat(read.skipped()).isEmpty();
    assertThat(read.changes()).extracting(Change::remoteId).containsExactly("mixed", "good-2");
    CalendarEvent mixed = read.changes().get(0).item();
    assertThat(mixed.subject()).isEqualTo("after");
    assertThat(mixed.attendees()).extracting(a -> a.email().address()).containsExactly("ann@contoso.com");
    assertThat(read.cursor()).endsWith("$deltatoken=abc");
  }

  @Test
  void aPageThatIsNotJsonStillFailsWhole() {
    stub.on("/v1.0/users/" + U + "/contacts/delta", GraphStub.Answer.json("{\"value\":[{\"id\":\"a\",\"givenName\":"));
    assertThatThrownBy(() -> gateway.delta(GraphStub.session(), ResourceType.CONTACTS, new DeltaRequest(null, null, null, null, 50)))
        .isInstanceOf(RemoteUnavailableException.class);
  }

  @Test
  void batchStepsAreReadOneByOne() {
    String policy = "{\"error\":{\"code\":\"ErrorAccessDenied\",\"message\":\"Access to OData is disabled.\","
        + "\"innerError\":{\"request-id\":\"step-2-request\",\"date\":\"2026-03-02T09:00:00\"}}}";
    String body = "{\"responses\":["
        + "{\"id\":\"0\",\"status\":200,\"headers\":{},\"body\":{\"value\":{\"not\":\"an array\"},\"@odata.deltaLink\":\"x\"}},"
        + "{\"id\":\"1\",\"status\":200,\"headers\":{},\"body\":{\"value\":[{\"id\":\"c1\",\"givenName\":\"Ada\"},{\"givenName\":\"no id\"}],"
        + "\"@odata.deltaLink\":\"" + stub.baseUrl() + "/users/" + U + "/contacts/delta?$deltatoken=d1\"}},"
        + "{\"id\":\"2\",\"status\":403,\"headers\":{\"Content-Type\":\"application/json\"},\"body\":" + policy + "},"
        + "{\"id\":\"3\",\"status\":403,\"headers\":{\"Content-Type\":\"text/plain\"},\"body\":\""
        + Base64.getEncoder().encodeToString(policy.getBytes(StandardCharsets.UTF_8)) + "\"}"
        + "]}";
    stub.on("/v1.0/$batch", GraphStub.Answer.json(body));
    DeltaRequest first = new DeltaRequest(null, null, null, null, 50);
    List<BatchedDelta<?>> results = gateway.deltaBatch(List.of(
        new DeltaProbe<>(GraphStub.session(), ResourceType.CONTACTS, first),
        new DeltaProbe<>(GraphStub.session(), ResourceType.CONTACTS, first),
        new DeltaProbe<>(GraphStub.session(), ResourceType.CONTACTS, first),
        new DeltaProbe<>(GraphStub.session(), ResourceType.CONTACTS, first)));

    assertThat(results.get(0).ok()).isFalse();
    assertThat(results.get(0).failure().code()).isEqualTo("MalformedBatchStep");
    assertThat(results.get(1).ok()).isTrue();
    DeltaPage<?> page = results.get(1).page();
    assertThat(page.changes()).extracting(Change::remoteId).containsExactly("c1");
    assertThat(page.skipped()).containsExactly(new SkippedItem(null, "an item has no id"));
    assertThat(results.get(2).failure()).isInstanceOf(AccessDeniedByPolicyException.class);
    assertThat(results.get(2).failure().requestId()).isEqualTo("step-2-request");
    assertThat(results.get(3).failure()).isInstanceOf(AccessDeniedByPolicyException.class);
    assertThat(results.get(3).failure().requestId()).isEqualTo("step-2-request");
  }

  @Test
  void anObjectWhereAValueBelongsMakesItsItemUnreadableAndThePageGoesOn() {
    String end = ",\"end\":{\"dateTime\":\"2026-03-02T10:00:00\",\"timeZone\":\"UTC\"}}";
    String page = "{\"value\":["
        + "{\"id\":\"odd-subject\",\"subject\":{\"text\":\"Secret agenda\"},\"start\":" + GOOD_START + end + ","
        + "{\"id\":{\"nested\":\"x\"},\"subject\":\"Secret agenda\",\"start\":" + GOOD_START + end + ","
        + "{\"id\":\"odd-zone\",\"start\":{\"dateTime\":\"2026-03-02T09:00:00\",\"timeZone\":[\"UTC\"]}" + end + ","
        + event("\"id\":\"good-2\",", GOOD_START)
        + "],\"@odata.deltaLink\":\"BASE/users/" + U + "/calendarView/delta?$deltatoken=abc\"}";
    stub.on("/v1.0/users/" + U + "/calendarView/delta", GraphStub.Answer.json(page.replace("BASE", stub.baseUrl())));

    DeltaPage<CalendarEvent> read = gateway.delta(GraphStub.session(), ResourceType.EVENTS, new DeltaRequest(null, null,
        Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-31T00:00:00Z"), 50));

    assertThat(read.changes()).extracting(Change::remoteId).containsExactly("good-2");
    assertThat(read.skipped()).containsExactly(
        new SkippedItem("odd-subject", "malformed 'subject'"),
        new SkippedItem(null, "an item has no id"),
        new SkippedItem("odd-zone", "malformed 'start'"));
    assertThat(read.cursor()).endsWith("$deltatoken=abc");
  }

  @Test
  void aPageWhoseLinkIsNoStringFailsWhole() {
    stub.on("/v1.0/users/" + U + "/contacts/delta", GraphStub.Answer.json(
        "{\"value\":[{\"id\":\"a\",\"givenName\":\"Ada\"}],\"@odata.deltaLink\":{\"href\":\"x\"}}"));

    assertThatThrownBy(() -> gateway.delta(GraphStub.session(), ResourceType.CONTACTS, new DeltaRequest(null, null, null, null, 50)))
        .isInstanceOf(RemoteUnavailableException.class);
  }

  @Test
  void aBatchAnswerWithNullsWhereObjectsBelongStillReadsEveryStep() {
    String body = "{\"responses\":[null,"
        + "{\"id\":\"0\",\"status\":200,\"headers\":null,\"body\":{\"value\":[{\"id\":\"c1\",\"givenName\":\"Ada\","
        + "\"emailAddresses\":[null,{\"address\":\"ada@contoso.com\"}],\"businessPhones\":[null,\"+1 555\"]}],"
        + "\"@odata.deltaLink\":\"" + stub.baseUrl() + "/users/" + U + "/contacts/delta?$deltatoken=d1\"}},"
        + "\"odd\","
        + "{\"id\":\"1\",\"status\":429,\"headers\":{\"Retry-After\":\"7\"},"
        + "\"body\":{\"error\":{\"code\":\"ApplicationThrottled\",\"message\":\"slow down\"}}}"
        + "]}";
    stub.on("/v1.0/$batch", GraphStub.Answer.json(body));
    DeltaRequest first = new DeltaRequest(null, null, null, null, 50);
    List<BatchedDelta<?>> results = gateway.deltaBatch(List.of(
        new DeltaProbe<>(GraphStub.session(), ResourceType.CONTACTS, first),
        new DeltaProbe<>(GraphStub.session(), ResourceType.CONTACTS, first)));

    assertThat(results.get(0).ok()).isTrue();
    Contact ada = (Contact) results.get(0).page().changes().get(0).item();
    assertThat(ada.emailAddresses()).containsExactly("ada@contoso.com");
    assertThat(ada.phones()).containsExactly("+1 555");
    assertThat(results.get(1).failure()).isInstanceOf(ThrottledException.class);
    assertThat(((ThrottledException) results.get(1).failure()).retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void anErrorBodyIsReadWhateverItsContentType() {
    stub.on("/v1.0/users/" + U + "/contacts/delta", GraphStub.Answer.of(403, "text/plain",
        "{\"error\":{\"code\":\"ErrorAccessDenied\",\"message\":\"Access to OData is disabled.\","
            + "\"innerError\":{\"request-id\":\"rid-403\"}}}"));
    assertThatThrownBy(() -> gateway.delta(GraphStub.session(), ResourceType.CONTACTS, new DeltaRequest(null, null, null, null, 50)))
        .isInstanceOfSatisfying(AccessDeniedByPolicyException.class, e -> {
          assertThat(e.status()).isEqualTo(403);
          assertThat(e.code()).isEqualTo("ErrorAccessDenied");
          assertThat(e.requestId()).isEqualTo("rid-403");
        });
  }

  @Test
  void anHtmlErrorKeepsItsStatus() {
    stub.on("/v1.0/users/" + U + "/contacts/delta", GraphStub.Answer.of(502, "text/html",
        "<html><body>Bad gateway</body></html>"));
    assertThatThrownBy(() -> gateway.delta(GraphStub.session(), ResourceType.CONTACTS, new DeltaRequest(null, null, null, null, 50)))
        .isInstanceOfSatisfying(RemoteUnavailableException.class, e -> assertThat(e.status()).isEqualTo(502));
  }

  @Test
  void aStoredLinkToAnotherHostOrUserIsNeverFollowed() {
    stub.on("/v1.0/", GraphStub.Answer.json("{\"value\":[],\"@odata.deltaLink\":\"" + stub.baseUrl()
        + "/users/" + U + "/contacts/delta?$deltatoken=next\"}"));
    String other = "0f0e0d0c-0b0a-0908-0706-050403020100";
    List<String> foreign = List.of(
        "https://graph.evil.example/v1.0/users/" + U + "/contacts/delta?$deltatoken=t",
        stub.baseUrl().replace("127.0.0.1", "localhost") + "/users/" + U + "/contacts/delta?$deltatoken=t",
        stub.baseUrl() + "/users/" + other + "/contacts/delta?$deltatoken=t",
        stub.baseUrl() + "/users/" + U + "x/contacts/delta?$deltatoken=t",
        stub.baseUrl() + "/me/contacts/delta?$deltatoken=t");
    for (String link : foreign) {
      assertThatThrownBy(() -> gateway.delta(GraphStub.session(), ResourceType.CONTACTS, new DeltaRequest(null, link, null, null, 50)))
          .as(link).isInstanceOf(SyncStateExpiredException.class);
    }
    BatchedDelta<?> batched = gateway.deltaBatch(List.of(new DeltaProbe<>(
        GraphStub.session(), ResourceType.CONTACTS, new DeltaRequest(null, foreign.get(0), null, null, 50)))).get(0);
    assertThat(batched.failure()).isInstanceOf(SyncStateExpiredException.class);
    assertThat(stub.seen).isEmpty();

    for (String own : List.of(stub.baseUrl() + "/users/" + U + "/contacts/delta?$deltatoken=t",
        stub.baseUrl() + "/users('" + U + "')/contacts/delta?$deltatoken=t",
        stub.baseUrl() + "/Users/" + U.toUpperCase() + "/contacts/delta?$deltatoken=t")) {
      DeltaPage<Contact> page = gateway.delta(GraphStub.session(), ResourceType.CONTACTS, new DeltaRequest(null, own, null, null, 50));
      assertThat(page.cursor()).endsWith("$deltatoken=next");
    }
    assertThat(stub.seen).hasSize(3);
  }

}

package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.TenantId;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.TokenStrategy;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.model.Attendee;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.ResourceType;
import io.m365sync.model.TodoTask;
import io.m365sync.policy.DirectoryUser;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Enumerations are kept in Graph's documented spelling whatever the case; directory users without a UPN are kept. */
class GraphReadNormalisationTest {
  static final String U = GraphStub.USER;
  final GraphStub stub = new GraphStub();
  final GraphMailboxGateway gateway = stub.gateway();

  @AfterEach
  void close() {
    stub.close();
  }

  @Test
  void automaticRepliesStatusIsReadInOneSpelling() {
    stub.on("/v1.0/users/" + U + "/mailboxSettings", GraphStub.Answer.json(
        "{\"automaticRepliesSetting\":{\"status\":\"Scheduled\",\"internalReplyMessage\":\"Away\"}}"));
    MailboxSettings upper = gateway.get(GraphStub.session(), ResourceType.MAILBOX_SETTINGS, null, "mailboxSettings").orElseThrow();
    stub.on("/v1.0/users/" + U + "/mailboxSettings", GraphStub.Answer.json(
        "{\"automaticRepliesSetting\":{\"status\":\"scheduled\",\"internalReplyMessage\":\"Away\"}}"));
    MailboxSettings lower = gateway.get(GraphStub.session(), ResourceType.MAILBOX_SETTINGS, null, "mailboxSettings").orElseThrow();

    assertThat(upper.automaticReplies().status()).isEqualTo("scheduled");
    assertThat(upper).isEqualTo(lower);
    assertThat(GraphMailboxGateway.contentHash(upper)).isEqualTo(GraphMailboxGateway.contentHash(lower));
  }

  @Test
  void taskAndEventEnumerationsAreCaseInsensitive() {
    stub.on("/v1.0/users/" + U + "/todo/lists/list-1/tasks/delta", GraphStub.Answer.json(
        "{\"value\":[{\"id\":\"t1\",\"title\":\"Call\",\"status\":\"InProgress\",\"importance\":\"High\"}],"
            + "\"@odata.deltaLink\":\"" + stub.baseUrl() + "/users/" + U + "/todo/lists/list-1/tasks/delta?$deltatoken=1\"}"));
    TodoTask task = gateway.delta(GraphStub.session(), ResourceType.TASKS, new DeltaRequest(null, null, null, null, 50))
        .changes().get(0).item();
    assertThat(task.status()).isEqualTo(TodoTask.Status.IN_PROGRESS);
    assertThat(task.importance()).isEqualTo("high");

    stub.on("/v1.0/users/" + U + "/calendarView/delta", GraphStub.Answer.json(
        "{\"value\":[{\"id\":\"e1\",\"type\":\"SeriesMaster\",\"start\":{\"dateTime\":\"2026-03-02T09:00:00\",\"timeZone\":\"UTC\"},"
            + "\"end\":{\"dateTime\":\"2026-03-02T10:00:00\",\"timeZone\":\"UTC\"},\"attendees\":[{\"type\":\"Required\","
            + "\"status\":{\"response\":\"TentativelyAccepted\"},\"emailAddress\":{\"address\":\"a@contoso.com\"}}]}],"
            + "\"@odata.deltaLink\":\"" + stub.baseUrl() + "/users/" + U + "/calendarView/delta?$deltatoken=1\"}"));
    CalendarEvent event = gateway.delta(GraphStub.session(), ResourceType.EVENTS, new DeltaRequest(null, null,
        Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-31T00:00:00Z"), 50)).changes().get(0).item();
    assertThat(event.type()).isEqualTo(CalendarEvent.EventType.SERIES_MASTER);
    assertThat(event.attendees()).extracting(Attendee::type, Attendee::response)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("required", "tentativelyAccepted"));
  }

  @Test
  void directoryMembersWithoutAUserPrincipalNameAreKept() {
    stub.on("/v1.0/groups/g1/transitiveMembers", GraphStub.Answer.json("{\"value\":["
        + "{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"u1\",\"userPrincipalName\":\"adele@contoso.com\"},"
        + "{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"u2\",\"mail\":\"guest@fabrikam.com\"},"
        + "{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"u3\"},"
        + "{\"@odata.type\":\"#microsoft.graph.group\",\"id\":\"g2\",\"mail\":\"team@contoso.com\"}]}"));
    GraphDirectoryReader reader = GraphDirectoryReader.builder().tenant(TenantId.of("72f988bf-86f1-41af-91ab-2d7cd011db47"))
        .tokens(new FixedAppToken()).baseUrl(stub.baseUrl()).build();

    assertThat(reader.transitiveUserMembers("g1")).extracting(DirectoryUser::id, DirectoryUser::userPrincipalName)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("u1", "adele@contoso.com"),
            org.assertj.core.groups.Tuple.tuple("u2", "guest@fabrikam.com"), org.assertj.core.groups.Tuple.tuple("u3", "u3"));
  }

  /** An application token that never changes: the stub does not check it. */
  static final class FixedAppToken implements TokenStrategy {
    @Override
    public AuthMode mode() {
      return AuthMode.APPLICATION;
    }

    @Override
    public AccessToken acquire(Mailbox mailbox, Purpose purpose) {
      return new AccessToken("stub-app-token", Instant.parse("2099-01-01T00:00:00Z"), AuthMode.APPLICATION, Set.of());
    }
  }
}

package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.m365sync.gateway.DeltaProbe;
import io.m365sync.gateway.BatchedDelta;
import io.m365sync.TenantId;
import io.m365sync.gateway.AccessDeniedByPolicyException;
import io.m365sync.gateway.Change;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.SkippedItem;
import io.m365sync.gateway.SyncStateExpiredException;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.EmailAddress;
import io.m365sync.model.MailMessage;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.ResourceType;
import io.m365sync.model.TodoTask;
import io.m365sync.policy.DirectoryUser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every Graph response the adapter reads, as Microsoft documents it (files under {@code corpus/},
 * each naming its page in {@code _source}), served verbatim over HTTP and read through the gateway,
 * the batched delta reads or the directory reader, checked field by field.
 */
class GraphCorpusTest {
  static final String U = GraphStub.USER;
  static final String USERS = "/v1.0/users/" + U;
  final GraphStub stub = new GraphStub();
  final GraphMailboxGateway gateway = stub.gateway();
  final DeltaRequest first = new DeltaRequest(null, null, null, null, 50);

  @AfterEach
  void close() {
    stub.close();
  }

  static byte[] corpus(String name) {
    try (InputStream in = GraphCorpusTest.class.getResourceAsStream("/corpus/" + name)) {
      if (in == null) {
        throw new IllegalStateException("no corpus file " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  GraphStub serve(String path, String file) {
    return serve(path, 200, file, Map.of());
  }

  GraphStub serve(String path, int status, String file, Map<String, String> headers) {
    return stub.on(path, new GraphStub.Answer(status, "application/json", corpus(file), headers));
  }

  @Test
  void calendarViewDeltaPages() {
    DeltaRequest window = new DeltaRequest(null, null, Instant.parse("2016-12-01T00:00:00Z"),
        Instant.parse("2016-12-30T00:00:00Z"), 2);
    serve(USERS + "/calendarView/delta", "events-calendarview-delta-page1.json");
    DeltaPage<CalendarEvent> page = gateway.delta(GraphStub.session(), ResourceType.EVENTS, window);

    assertThat(page.more()).isTrue();
    assertThat(page.cursor()).isEqualTo("https://graph.microsoft.com/v1.0/users/" + U
        + "/calendarView/delta?$skiptoken=R0usmcCM996atia_s");
    assertThat(page.skipped()).isEmpty();
    assertThat(page.changes()).extracting(Change::remoteId, Change::changeKey, Change::kind).containsExactly(
        tuple("AAMkADNVxRAAA=", "W/\"EZ9r3czxY0m2jz8c45czkwAAFXcvIQ==\"", Change.Kind.UPSERT),
        tuple("AAMkADVxSAAA=", "W/\"EZ9r3czxY0m2jz8c45czkwAAFXcvIg==\"", Change.Kind.UPSERT));
    CalendarEvent shopping = page.changes().get(0).item();
    assertThat(shopping.subject()).isEqualTo("Plan shopping list");
    assertThat(shopping.start()).isEqualTo(Instant.parse("2016-12-09T20:30:00Z"));
    assertThat(shopping.end()).isEqualTo(Instant.parse("2016-12-09T22:00:00Z"));
    assertThat(shopping.organizer()).isEqualTo(new EmailAddress("samanthab@contoso.onmicrosoft.com", "Samantha Booth"));
    assertThat(shopping.attendees()).isEmpty();
    assertThat(shopping.location()).isNull();
    assertThat(page.changes().get(1).item().subject()).isEqualTo("Pick up car");
    assertThat(page.changes().get(1).item().start()).isEqualTo(Instant.parse("2016-12-10T01:00:00Z"));

    serve(USERS + "/calendarView/delta", "events-calendarview-delta-final.json");
    DeltaPage<CalendarEvent> last = gateway.delta(GraphStub.session(), ResourceType.EVENTS, window);
    assertThat(last.more()).isFalse();
    assertThat(last.cursor()).endsWith("/calendarView/delta?$deltatoken=R0usmcMDNGg0J1E");
    assertThat(last.changes()).extracting(Change::remoteId, Change::kind).containsExactly(
        tuple("AAMkADj1HuAAA=", Change.Kind.UPSERT),
        tuple("AAMkADk0MGFkODE3LWE4MmYtNDRhOS04OGQLkRkXbBznTvAADb6ytyAAA=", Change.Kind.DELETE));
    CalendarEvent rest = last.changes().get(0).item();
    assertThat(rest.subject()).isEqualTo("Rest!");
    assertThat(rest.location()).isEqualTo("Home");
    assertThat(rest.end()).isEqualTo(Instant.parse("2016-12-12T07:30:00Z"));
  }

  @Test
  void contactsDelta() {
    serve(USERS + "/contacts/delta", "contacts-delta.json");
    DeltaPage<Contact> page = gateway.delta(GraphStub.session(), ResourceType.CONTACTS, first);

    assertThat(page.more()).isTrue();
    assertThat(page.cursor()).endsWith("/contacts/delta?$skiptoken=R0usmcCM996atia_s");
    assertThat(page.changes()).singleElement().satisfies(c -> {
      assertThat(c.remoteId()).isEqualTo("AAMkAGI2THk0AAA=");
      assertThat(c.changeKey()).isEqualTo("EQAAABYAAACQ2fKdhq8oSKEDSVrdi3lRAAAjJQXv");
      Contact p = c.item();
      assertThat(p.givenName()).isEqualTo("Pavel");
      assertThat(p.surname()).isEqualTo("Bowen");
      assertThat(p.displayName()).isEqualTo("Pavel Bowen");
      assertThat(p.emailAddresses()).containsExactly("pavelb@contoso.com");
      assertThat(p.phones()).containsExactly("+1 732 555 0102");
      assertThat(p.companyName()).isEqualTo("Contoso");
      assertThat(p.jobTitle()).isEqualTo("Marketing Manager");
    });
    // the documented item as printed has no id: skipped on its own, the page still read
    assertThat(page.skipped()).containsExactly(new SkippedItem(null, "an item has no id"));
  }

  @Test
  void messagesDelta() {
    serve(USERS + "/mailFolders/inbox/messages/delta", "messages-delta.json");
    DeltaPage<MailMessage> page = gateway.delta(GraphStub.session(), ResourceType.MAIL, first);

    assertThat(page.more()).isFalse();
    assertThat(page.cursor()).endsWith("/mailFolders/inbox/messages/delta?$deltatoken=GwcBoTmPuoTQWfcsAbkYM");
    assertThat(page.changes()).extracting(Change::remoteId, Change::kind).containsExactly(
        tuple("AAMkADNkNAAASq35xAAA=", Change.Kind.UPSERT), tuple("AAMkADNkNAAASq35yAAA=", Change.Kind.DELETE));
    assertThat(page.changes().get(0).changeKey()).isEqualTo("CQAAABYAAAAiIsqMbYjsT5e/T7KzowPTAAAYaIal");
    MailMessage m = page.changes().get(0).item();
    assertThat(m.subject()).isEqualTo("Project kick-off");
    assertThat(m.from()).isEqualTo(new EmailAddress("samanthab@contoso.onmicrosoft.com", "Samantha Booth"));
    assertThat(m.to()).containsExactly(new EmailAddress("danas@contoso.onmicrosoft.com", "Dana Swope"));
    assertThat(m.cc()).isEmpty();
    assertThat(m.receivedAt()).isEqualTo(Instant.parse("2016-12-14T00:41:25Z"));
    assertThat(m.bodyPreview()).isEqualTo("Let's meet on Monday.");
    assertThat(m.internetMessageId()).isEqualTo("<BY2PR15MB0822FE2A7D1A6E1F5B7C4C8BB6970@BY2PR15MB0822.namprd15.prod.outlook.com>");
    assertThat(m.folderId()).isEqualTo("AAMkADNkNAAAgEMAAA=");
  }

  @Test
  void toDoListsAndTasksDelta() {
    GraphMailboxGateway lookingUp = GraphMailboxGateway.builder().baseUrl(stub.baseUrl()).build();
    serve(USERS + "/todo/lists", "todo-lists.json");
    serve(USERS + "/todo/lists/", "todo-tasks-delta.json");
    DeltaPage<TodoTask> page = lookingUp.delta(GraphStub.session(), ResourceType.TASKS, first);

    // the default list is the one Graph marks wellknownListName: defaultList
    assertThat(stub.seen).extracting(GraphStub.Seen::pathAndQuery).last().asString()
        .startsWith(USERS + "/todo/lists/AAMkADIyAAAAABrJAAA").contains("/tasks/delta");
    assertThat(page.more()).isFalse();
    assertThat(page.cursor()).endsWith("/tasks/delta?$deltatoken=MoVMZ_DzHG4AhT3WE8VioVS1IXZJ-ArqK5fknOjnKFY");
    assertThat(page.changes()).singleElement().satisfies(c -> {
      assertThat(c.remoteId()).startsWith("AAMkADMwNTcyZjQzLTdkMGItNDdjMy04ZTYwLTJhYmUzNGI5ZDEwMwBGAAAAAAB5M0K0qlJySLOAgV22zPnuBwDit9FUg");
      assertThat(c.changeKey()).isEqualTo("W/\"4rfRVIPi9EqXgDbc8U7HGwADLLQ9xQ==\"");
      TodoTask t = c.item();
      assertThat(t.title()).isEqualTo("empty task3");
      assertThat(t.status()).isEqualTo(TodoTask.Status.NOT_STARTED);
      assertThat(t.importance()).isEqualTo("normal");
      assertThat(t.body()).isNull();
      assertThat(t.due()).isNull();
      assertThat(t.completedAt()).isNull();
    });
  }

  @Test
  void mailboxSettings() {
    serve(USERS + "/mailboxSettings", "mailbox-settings.json");
    MailboxSettings s = gateway.get(GraphStub.session(), ResourceType.MAILBOX_SETTINGS, null, "mailboxSettings").orElseThrow();

    assertThat(s.timeZone()).isEqualTo("UTC");
    assertThat(s.workingHours().daysOfWeek()).containsExactly("monday", "tuesday", "wednesday", "thursday", "friday");
    assertThat(s.workingHours().start()).isEqualTo(LocalTime.of(8, 0));
    assertThat(s.workingHours().end()).isEqualTo(LocalTime.of(17, 0));
    assertThat(s.workingHours().timeZone()).isEqualTo("Pacific Standard Time");
    // documented as "Scheduled": kept in the enumeration's one spelling
    assertThat(s.automaticReplies().status()).isEqualTo("scheduled");
    assertThat(s.automaticReplies().internalReplyMessage()).startsWith("<html>\n<body>\n<p>I'm at our company's worldwide reunion");
    assertThat(s.automaticReplies().externalReplyMessage()).contains("Contoso worldwide reunion");
  }

  @Test
  void errorBodies() {
    serve(USERS + "/contacts/delta", 403, "error-access-denied-by-policy.json", Map.of());
    assertThatThrownBy(() -> gateway.delta(GraphStub.session(), ResourceType.CONTACTS, first))
        .isInstanceOfSatisfying(AccessDeniedByPolicyException.class, e -> {
          assertThat(e.status()).isEqualTo(403);
          assertThat(e.code()).isEqualTo("ErrorAccessDenied");
          assertThat(e.requestId()).isEqualTo("2b5f8d4c-0d2a-4b8a-9b0b-6a0f2b0c9d11");
        });

    serve(USERS + "/contacts/delta", 429, "error-throttled.json", Map.of("Retry-After", "3"));
    assertThatThrownBy(() -> gateway.delta(GraphStub.session(), ResourceType.CONTACTS, first))
        .isInstanceOfSatisfying(ThrottledException.class, e -> {
          assertThat(e.code()).isEqualTo("TooManyRequests");
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3));
          assertThat(e.requestId()).isEqualTo("94fb3b52-452a-4535-a601-69e0a90e3aa2");
        });

    serve(USERS + "/contacts/delta", 410, "error-sync-state-not-found.json", Map.of());
    assertThatThrownBy(() -> gateway.delta(GraphStub.session(), ResourceType.CONTACTS, first))
        .isInstanceOfSatisfying(SyncStateExpiredException.class, e -> {
          assertThat(e.code()).isEqualTo("SyncStateNotFound");
          assertThat(e.requestId()).isEqualTo("c1a7a0f4-2b2a-4c3f-9d2e-0d5f8e6b7a10");
        });
  }

  @Test
  void batchResponse() {
    serve("/v1.0/$batch", "batch-response.json");
    List<BatchedDelta<?>> results = gateway.deltaBatch(List.of(
        new DeltaProbe<>(GraphStub.session(), ResourceType.CONTACTS, first),
        new DeltaProbe<>(GraphStub.session(), ResourceType.CONTACTS, first),
        new DeltaProbe<>(GraphStub.session(), ResourceType.CONTACTS, first)));

    assertThat(results.get(0).ok()).isTrue();
    DeltaPage<?> page = results.get(0).page();
    assertThat(page.cursor()).endsWith("/contacts/delta?$deltatoken=b1");
    assertThat(page.changes()).singleElement().satisfies(c -> {
      assertThat(c.remoteId()).isEqualTo("AAMkAGI2THk1AAA=");
      assertThat(((Contact) c.item()).emailAddresses()).containsExactly("danas@contoso.onmicrosoft.com");
    });
    assertThat(results.get(1).failure()).isInstanceOfSatisfying(AccessDeniedByPolicyException.class,
        e -> assertThat(e.requestId()).isEqualTo("9e0c1d2b-3a4f-4e5d-8c6b-7a8f9e0d1c33"));
    assertThat(results.get(2).failure()).isInstanceOfSatisfying(ThrottledException.class, e -> {
      assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3));
      assertThat(e.requestId()).isEqualTo("3f1b5c2a-7e1d-4a0b-8c4e-2d6f9a1b0c22");
    });
  }

  @Test
  void directoryUsersGroupsAndMembership() {
    GraphDirectoryReader reader = GraphDirectoryReader.builder().tenant(TenantId.of("72f988bf-86f1-41af-91ab-2d7cd011db47"))
        .tokens(new GraphReadNormalisationTest.FixedAppToken()).baseUrl(stub.baseUrl()).build();
    serve("/v1.0/users/87d349ed-44d7-43e1-9a83-5f2406dee5bd", "directory-user.json");
    serve("/v1.0/groups/22222222-3333-4444-5555-666666666666/transitiveMembers", "directory-group-transitive-members.json");
    serve("/v1.0/users/87d349ed-44d7-43e1-9a83-5f2406dee5bd/transitiveMemberOf", "directory-user-transitive-memberof.json");

    DirectoryUser adele = reader.user("87d349ed-44d7-43e1-9a83-5f2406dee5bd").orElseThrow();
    assertThat(adele.userPrincipalName()).isEqualTo("AdeleV@contoso.com");
    assertThat(adele.attribute("Department")).contains("Retail");
    assertThat(adele.attribute("City")).contains("Seattle");
    assertThat(adele.attribute("CountryOrRegion")).contains("United States");
    assertThat(adele.attribute("Office")).contains("18/2111");
    assertThat(adele.attribute("CustomAttribute1")).contains("Sales-EMEA");
    assertThat(adele.attribute("Company")).isEmpty();

    assertThat(reader.transitiveUserMembers("22222222-3333-4444-5555-666666666666"))
        .extracting(DirectoryUser::id, DirectoryUser::userPrincipalName).containsExactly(
            tuple("11111111-2222-3333-4444-555555555555", "AdeleV@contoso.com"),
            tuple("33333333-4444-5555-6666-777777777777", "alex@fabrikam.com"));
    assertThat(reader.isTransitiveMember("22222222-3333-4444-5555-666666666666", "87d349ed-44d7-43e1-9a83-5f2406dee5bd")).isTrue();
    assertThat(reader.isTransitiveMember("66666666-7777-8888-9999-000000000000", "87d349ed-44d7-43e1-9a83-5f2406dee5bd")).isFalse();
  }
}

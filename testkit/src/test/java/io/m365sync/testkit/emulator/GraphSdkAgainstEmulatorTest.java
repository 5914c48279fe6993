package io.m365sync.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.graph.core.content.BatchRequestContent;
import com.microsoft.graph.core.content.BatchResponseContent;
import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.graph.models.Contact;
import com.microsoft.graph.models.DateTimeTimeZone;
import com.microsoft.graph.models.EmailAddress;
import com.microsoft.graph.models.Event;
import com.microsoft.graph.models.MailboxSettings;
import com.microsoft.graph.models.TodoTask;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.calendarview.delta.DeltaGetResponse;
import com.microsoft.kiota.RequestOption;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import com.microsoft.kiota.http.middleware.options.RetryHandlerOption;
import io.m365sync.model.CalendarEvent;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.ModelGroup;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real Graph SDK v6 (with MSAL for tokens), unchanged, against the emulator. */
class GraphSdkAgainstEmulatorTest {
  private final Fixture f = new Fixture();
  private final String alice = f.alice.objectId();

  @AfterEach
  void close() {
    assertThat(f.emulator.internalErrors()).isEmpty();
    f.close();
  }

  /** A Graph client whose tokens come from {@code tokens}, with the SDK's retries off (the engine owns retries). */
  private GraphServiceClient graph(Supplier<String> tokens) {
    AccessTokenProvider provider = new AccessTokenProvider() {
      @Override
      public String getAuthorizationToken(URI uri, Map<String, Object> context) {
        return tokens.get();
      }

      @Override
      public AllowedHostsValidator getAllowedHostsValidator() {
        return new AllowedHostsValidator("127.0.0.1");
      }
    };
    var okHttp = GraphClientFactory.create(new RequestOption[] {new RetryHandlerOption((d, a, rq, rs) -> false, 0, 0)}).build();
    GraphServiceClient client = new GraphServiceClient(new BaseBearerTokenAuthenticationProvider(provider), okHttp);
    client.getRequestAdapter().setBaseUrl(f.emulator.graphBaseUrl());
    return client;
  }

  private GraphServiceClient appGraph() throws Exception {
    ConfidentialClientApplication msal = MsalAgainstEmulatorTest.msal(f, ClientCredentialFactory.createFromSecret(Fixture.SECRET));
    return graph(() -> {
      try {
        return msal.acquireToken(ClientCredentialParameters.builder(MsalAgainstEmulatorTest.APP_SCOPE).build()).get().accessToken();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static DateTimeTimeZone at(String local) {
    DateTimeTimeZone t = new DateTimeTimeZone();
    t.setDateTime(local);
    t.setTimeZone("UTC");
    return t;
  }

  @Test
  void calendarViewDeltaPagesToADeltaLinkAndResumes() throws Exception {
    Instant day = f.clock.instant();
    var cal = f.tenant.mailbox(f.alice).calendar();
    for (int i = 0; i < 5; i++) {
      cal.create(CalendarEvent.simple("e" + i, day.plus(Duration.ofHours(i)), day.plus(Duration.ofHours(i + 1))));
    }
    GraphServiceClient graph = appGraph();
    var builder = graph.users().byUserId(alice).calendarView().delta();
    DeltaGetResponse page = builder.get(rc -> {
      rc.queryParameters.startDateTime = "2026-01-04T00:00:00Z";
      rc.queryParameters.endDateTime = "2026-01-12T00:00:00Z";
      rc.headers.add("Prefer", "odata.maxpagesize=2");
    });
    List<Event> events = new ArrayList<>(page.getValue());
    while (page.getOdataNextLink() != null) {
      page = builder.withUrl(page.getOdataNextLink()).get(rc -> rc.headers.add("Prefer", "odata.maxpagesize=2"));
      events.addAll(page.getValue());
    }
    String deltaLink = page.getOdataDeltaLink();
    assertThat(deltaLink).isNotNull();
    assertThat(events).extracting(Event::getSubject).containsExactlyInAnyOrder("e0", "e1", "e2", "e3", "e4");
    Event first = events.get(0);
    assertThat(first.getStart().getDateTime()).endsWith(".0000000");
    assertThat(first.getChangeKey()).isNotBlank();
    assertThat(first.getOrganizer().getEmailAddress().getAddress()).isEqualTo("alice@contoso.com");

    cal.delete(cal.all().get(0).id(), null);
    DeltaGetResponse next = builder.withUrl(deltaLink).get();
    assertThat(next.getValue()).hasSize(1);
    assertThat(next.getValue().get(0).getAdditionalData()).containsKey("@removed");

    // 410 surfaces as ODataError
    cal.evictDeltaTokens();
    assertThatThrownBy(() -> builder.withUrl(next.getOdataDeltaLink()).get())
        .isInstanceOfSatisfying(ODataError.class, e -> {
          assertThat(e.getResponseStatusCode()).isEqualTo(410);
          assertThat(e.getError().getCode()).isEqualTo("SyncStateNotFound");
        });
  }

  @Test
  void crudForEventsContactsTasksAndSettings() throws Exception {
    GraphServiceClient graph = appGraph();
    Event e = new Event();
    e.setSubject("Demo");
    e.setStart(at("2026-01-06T09:00:00"));
    e.setEnd(at("2026-01-06T10:00:00"));
    Event created = graph.users().byUserId(alice).events().post(e);
    assertThat(created.getId()).isNotBlank();
    Event patch = new Event();
    patch.setSubject("Demo v2");
    Event updated = graph.users().byUserId(alice).events().byEventId(created.getId()).patch(patch, rc ->
        rc.headers.add("If-Match", created.getAdditionalData().get("@odata.etag").toString()));
    assertThat(updated.getSubject()).isEqualTo("Demo v2");
    assertThatThrownBy(() -> graph.users().byUserId(alice).events().byEventId(created.getId()).patch(patch, rc ->
        rc.headers.add("If-Match", "W/\"stale\""))).isInstanceOfSatisfying(ODataError.class,
        x -> assertThat(x.getResponseStatusCode()).isEqualTo(412));
    graph.users().byUserId(alice).events().byEventId(created.getId()).delete();
    assertThatThrownBy(() -> graph.users().byUserId(alice).events().byEventId(created.getId()).get())
        .isInstanceOfSatisfying(ODataError.class, x -> {
          assertThat(x.getResponseStatusCode()).isEqualTo(404);
          assertThat(x.getError().getCode()).isEqualTo("ErrorItemNotFound");
        });

    Contact c = new Contact();
    c.setGivenName("Ann");
    EmailAddress mail = new EmailAddress();
    mail.setAddress("ann@example.com");
    c.setEmailAddresses(List.of(mail));
    Contact savedContact = graph.users().byUserId(alice).contacts().post(c);
    assertThat(graph.users().byUserId(alice).contacts().byContactId(savedContact.getId()).get()
        .getEmailAddresses().get(0).getAddress()).isEqualTo("ann@example.com");

    TodoTask t = new TodoTask();
    t.setTitle("Follow up");
    TodoTask task = graph.users().byUserId(alice).todo().lists().byTodoTaskListId("tasks").tasks().post(t);
    var tasks = graph.users().byUserId(alice).todo().lists().byTodoTaskListId("tasks").tasks().delta().get();
    assertThat(tasks.getValue()).extracting(TodoTask::getId).containsExactly(task.getId());

    MailboxSettings settings = graph.users().byUserId(alice).mailboxSettings().get();
    assertThat(settings.getTimeZone()).isEqualTo("UTC");
    MailboxSettings change = new MailboxSettings();
    change.setTimeZone("Pacific Standard Time");
    assertThat(graph.users().byUserId(alice).mailboxSettings().patch(change).getTimeZone()).isEqualTo("Pacific Standard Time");
  }

  @Test
  void batchReportsPerStepStatus() throws Exception {
    GraphServiceClient graph = appGraph();
    BatchRequestContent batch = new BatchRequestContent(graph);
    String settings = batch.addBatchRequestStep(graph.users().byUserId(alice).mailboxSettings().toGetRequestInformation());
    String missing = batch.addBatchRequestStep(graph.users().byUserId(alice).events().byEventId("nope").toGetRequestInformation());
    String delta = batch.addBatchRequestStep(graph.users().byUserId(alice).contacts().delta().toGetRequestInformation());
    BatchResponseContent response = graph.getBatchRequestBuilder().post(batch, null);
    Map<String, Integer> status = response.getResponsesStatusCode();
    assertThat(status).containsEntry(settings, 200).containsEntry(missing, 404).containsEntry(delta, 200);
    MailboxSettings s = response.getResponseById(settings, MailboxSettings::createFromDiscriminatorValue);
    assertThat(s.getTimeZone()).isEqualTo("UTC");
    assertThat(f.cloud.log().graphRequests(alice)).isEqualTo(3);
  }

  @Test
  void authErrorsSurfaceAsODataErrorsWithStatusAndCode() throws Exception {
    GraphServiceClient bogus = graph(() -> "not-a-token");
    assertThatThrownBy(() -> bogus.users().byUserId(alice).mailboxSettings().get())
        .isInstanceOfSatisfying(ODataError.class, e -> {
          assertThat(e.getResponseStatusCode()).isEqualTo(401);
          assertThat(e.getError().getCode()).isEqualTo("InvalidAuthenticationToken");
        });

    GraphServiceClient graph = appGraph();
    ModelGroup scope = f.tenant.addGroup("Enrolled", true).add(f.bob);
    f.tenant.addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, Fixture.CLIENT_ID, scope, "crm");
    assertThatThrownBy(() -> graph.users().byUserId(alice).contacts().delta().get())
        .isInstanceOfSatisfying(ODataError.class, e -> {
          assertThat(e.getResponseStatusCode()).isEqualTo(403);
          assertThat(e.getError().getCode()).isEqualTo("ErrorAccessDenied");
          assertThat(e.getError().getMessage()).isEqualTo("Access to OData is disabled.");
        });

    f.tenant.throttling(4, 1, Duration.ofMinutes(10));
    String bob = f.bob.objectId();
    graph.users().byUserId(bob).mailboxSettings().get();
    assertThatThrownBy(() -> graph.users().byUserId(bob).mailboxSettings().get())
        .isInstanceOfSatisfying(ODataError.class, e -> {
          assertThat(e.getResponseStatusCode()).isEqualTo(429);
          assertThat(e.getError().getCode()).isEqualTo("TooManyRequests");
          assertThat(e.getResponseHeaders().get("Retry-After")).isNotEmpty();
        });
  }
}

package io.m365sync.examples.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.TenantId;
import io.m365sync.graph.AppCredential;
import io.m365sync.graph.GraphMailboxGateway;
import io.m365sync.graph.MsalApplicationTokenStrategy;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.MailMessage;
import io.m365sync.model.ResourceType;
import io.m365sync.model.TodoTask;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.Latency;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.GraphLimits;
import io.m365sync.testkit.model.MailboxModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine within Graph's Outlook limits, over HTTP: the production stack (SyncEngine in
 * application mode, MSAL4J, the Graph SDK gateway) against the emulator with Graph's limits on (its
 * default: 4 requests in flight and 10,000 per 10 minutes per app and mailbox) and a latency on
 * every Graph answer. A round reads a mailbox's resources at once, never more than 4 requests at a
 * time, counting a late answer it no longer waits for; a 429 parks its own mailbox and no other.
 */
class InFlightOverHttpTest {
  static final String CLIENT_ID = "5d1c7e3a-8b2f-4a6d-9e0c-1f2a3b4c5d6e";
  static final String SECRET = "in-flight-secret";
  static final Instant START = Instant.parse("2026-03-02T09:00:00Z");
  static final Set<Resource> RESOURCES = Set.of(Resource.EVENTS, Resource.CONTACTS, Resource.MAIL, Resource.TASKS);
  static final int ITEMS = 150; // two delta pages of 100 per resource and folder

  final MutableClock clock = new MutableClock(START);
  final CloudModel cloud = new CloudModel(clock);
  final TenantModel tenant = cloud.addTenant("contoso.com");
  final M365Emulator emulator;
  final ExecutorService pool = Executors.newCachedThreadPool(); // a worker for each request in flight
  final SyncEngine engine;
  final InMemoryCrmStore<CalendarEvent> events = new InMemoryCrmStore<>("evt");
  final InMemoryCrmStore<Contact> contacts = new InMemoryCrmStore<>("con");
  final InMemoryCrmStore<MailMessage> mail = new InMemoryCrmStore<>("msg");
  final InMemoryCrmStore<TodoTask> tasks = new InMemoryCrmStore<>("task");
  final List<ModelUser> users = new ArrayList<>();
  final List<Mailbox> mailboxes = new ArrayList<>();

  InFlightOverHttpTest() {
    tenant.registerApp(CLIENT_ID, "Contoso CRM").addSecret(SECRET, START.plus(Duration.ofDays(365)))
        .addApplicationPermissions(RESOURCES.stream().map(Resource::applicationPermission).toArray(String[]::new))
        .grantAdminConsent();
    assertThat(tenant.graphLimits()).isEqualTo(GraphLimits.OUTLOOK);
    emulator = new M365Emulator(cloud).graphLatency(Latency.fixed(Duration.ofMillis(100))).start();
    engine = SyncEngine.builder().clock(clock).executor(pool)
        .gateway(GraphMailboxGateway.builder().baseUrl(emulator.graphBaseUrl()).clock(clock).build())
        .applicationTokens(MsalApplicationTokenStrategy.builder().clientId(CLIENT_ID).credential(AppCredential.secret(SECRET))
            .clock(clock).routeTokenRequestsTo(URI.create(emulator.loginBaseUrl())).build())
        .options(SyncOptions.defaults())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, events))
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, contacts))
        .resource(ResourceSyncers.mail(mail))
        .resource(ResourceSyncers.oneWay(ResourceType.TASKS, tasks))
        .build();
    TenantId t = TenantId.of(tenant.tenantId());
    engine.setApplicationPermissionEnabled(t, true);
    for (int m = 0; m < 3; m++) {
      ModelUser u = tenant.addUser("user" + m);
      MailboxModel box = tenant.mailbox(u);
      for (int i = 0; i < ITEMS; i++) {
        Instant at = START.plus(Duration.ofHours(2 + i));
        box.calendar().create(CalendarEvent.simple("Meeting " + i, at, at.plus(Duration.ofMinutes(30))));
        box.contacts().create(Contact.of("Contact" + i, "Fabrikam", "c" + i + "@fabrikam.example"));
        box.mail("inbox").create(MailMessage.of("Order " + i, "buyer@fabrikam.example", u.userPrincipalName(),
            START.minus(Duration.ofHours(i + 1)), "<order-" + m + "-" + i + "@fabrikam.example>"));
        box.tasks().create(TodoTask.of("Follow up " + i, START.plus(Duration.ofDays(i % 30))));
      }
      users.add(u);
      Mailbox mailbox = new Mailbox(new MailboxId(t, u.objectId()), u.userPrincipalName(), "crm-" + m, START, RESOURCES);
      mailboxes.add(mailbox);
      engine.enroll(mailbox);
    }
  }

  @AfterEach
  void close() {
    engine.close();
    pool.shutdownNow();
    emulator.close();
  }

  @Test
  void aRoundKeepsSeveralRequestsInFlightForItsMailboxAndNeverMoreThanGraphAllows() {
    CycleReport cycle = engine.runCycle();

    for (MailboxSyncReport r : cycle.mailboxes()) {
      assertThat(r.state().status()).as("%s", r.mailbox()).isEqualTo(MailboxStatus.ACTIVE);
      assertThat(r.resources()).extracting(ResourceResult::outcome).containsOnly(ResourceResult.Outcome.SYNCED);
    }
    for (Mailbox m : mailboxes) {
      assertThat(events.items(m.id())).hasSize(ITEMS);
      assertThat(contacts.items(m.id())).hasSize(ITEMS);
      assertThat(mail.items(m.id())).hasSize(ITEMS);
      assertThat(tasks.items(m.id())).hasSize(ITEMS);
    }
    assertThat(cloud.log().count(r -> r.isGraph() && r.status() == 429)).as("429s").isZero();
    Map<String, Integer> peaks = tenant.peakRequestsInFlight();
    for (ModelUser u : users) {
      // one request at a time before: a mailbox's resources were read one after another
      assertThat(peaks.get(u.objectId())).as("peak requests in flight for %s", u.displayName()).isBetween(2, 4);
    }
    assertThat(emulator.internalErrors()).isEmpty();
  }

  @Test
  void aThrottledMailboxBacksOffByRetryAfterAloneWhileTheOthersSync() {
    ModelUser throttled = users.get(0);
    tenant.addFault(FaultRule.fail("^GET /users/", throttled.objectId(), 1, GraphError.throttled(Duration.ofSeconds(30))));

    CycleReport first = engine.runCycle();

    MailboxSyncReport parked = first.mailbox(mailboxes.get(0).id());
    assertThat(parked.state().status()).isEqualTo(MailboxStatus.THROTTLED);
    assertThat(parked.state().nextAttempt()).isEqualTo(clock.instant().plus(Duration.ofSeconds(30)));
    for (Mailbox other : mailboxes.subList(1, mailboxes.size())) {
      MailboxSyncReport r = first.mailbox(other.id());
      assertThat(r.state().status()).isEqualTo(MailboxStatus.ACTIVE);
      assertThat(events.items(other.id())).hasSize(ITEMS);
    }
    clock.advance(Duration.ofSeconds(10));
    long before = tenant.graphRequestsByUser().getOrDefault(throttled.objectId(), 0L);
    assertThat(engine.runCycle().mailbox(mailboxes.get(0).id()).ran()).as("inside Retry-After").isFalse();
    assertThat(tenant.graphRequestsByUser().get(throttled.objectId())).isEqualTo(before);

    clock.advance(Duration.ofSeconds(21));
    MailboxSyncReport again = engine.runCycle().mailbox(mailboxes.get(0).id());
    assertThat(again.state().status()).as("not throttled twice in a row").isEqualTo(MailboxStatus.ACTIVE);
    assertThat(events.items(mailboxes.get(0).id())).hasSize(ITEMS);
    assertThat(tasks.items(mailboxes.get(0).id())).hasSize(ITEMS);
    assertThat(cloud.log().count(r -> r.isGraph() && r.status() == 429)).as("only the injected 429").isEqualTo(1);
  }

  @Test
  void aLateAnswerIsReadAgainAndStillHoldsItsSlotInTheMailboxsNextRound() {
    engine.runCycle(); // the answers so far tell the engine where the tail of its reads starts
    ModelUser late = users.get(0);
    Mailbox mailbox = mailboxes.get(0);
    Instant at = START.plus(Duration.ofDays(3));
    tenant.mailbox(late).calendar().create(CalendarEvent.simple("Late meeting", at, at.plus(Duration.ofMinutes(30))));
    // the round's calendar read is answered after 10 s; the same read sent again, after the usual 100 ms
    tenant.addFault(FaultRule.delay("^GET /users/[^/]+/calendarView/delta", late.objectId(), 1, Duration.ofSeconds(10)));
    tenant.resetPeakRequestsInFlight();

    MailboxSyncReport first = engine.syncMailbox(mailbox.id());

    assertThat(first.state().status()).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(events.items(mailbox.id())).hasSize(ITEMS + 1);
    assertThat(tenant.requestsInFlight()).as("the late answer, not awaited any more").containsEntry(late.objectId(), 1);

    // every resource's read at once: 4 with the late one at Graph would be a fifth
    MailboxSyncReport next = engine.syncMailbox(mailbox.id());

    assertThat(next.state().status()).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(tenant.requestsInFlight()).as("still out after the next round").containsEntry(late.objectId(), 1);
    assertThat(tenant.peakRequestsInFlight().get(late.objectId())).isEqualTo(4);
    assertThat(cloud.log().count(r -> r.isGraph() && r.status() == 429)).as("429s").isZero();
    assertThat(emulator.internalErrors()).isEmpty();
  }
}

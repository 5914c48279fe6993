package io.m365sync.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import io.m365sync.CycleReport;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncOptions;
import io.m365sync.examples.JdkHttpNotificationServer;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.MailMessage;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.model.TodoTask;
import io.m365sync.notify.ChangeNotifications;
import io.m365sync.notify.ChangeSignal;
import io.m365sync.notify.IgnoredNotification;
import io.m365sync.notify.NotificationReceiver;
import io.m365sync.notify.SignalKind;
import io.m365sync.notify.SubscriptionEvent;
import io.m365sync.schedule.SyncScheduler;
import io.m365sync.sync.MailOptions;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.RecordingSyncListener;
import io.m365sync.testkit.emulator.NotificationBodies;
import io.m365sync.testkit.model.DeliverySettings;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelNotification;
import io.m365sync.testkit.model.ModelSubscription;
import io.m365sync.testkit.model.RecordedRequest;
import io.m365sync.testkit.model.StoredItem;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Change notifications end to end over HTTP, the counterpart of {@code ChangeNotificationsEngineTest}
 * (in-process fakes): the engine with the real MSAL4J and Graph SDK adapters subscribes at the
 * emulator on 127.0.0.1, the emulator posts its notifications to the engine's receiver served by a
 * JDK {@code HttpServer}, and an in-process scheduler runs the debounced rounds. Its cycle interval
 * is an hour, so after the first cycle (at start) only notifications drive rounds unless a test runs
 * a cycle itself. Delivery is asynchronous: tests poll for its effect (bounded), never sleep.
 */
class ChangeNotificationsOverHttpTest {
  static final Duration DEBOUNCE = Duration.ofMillis(200);
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final Duration POLL_STEP = Duration.ofMillis(20);

  final E2eWorld world = new E2eWorld();
  final RecordingSyncListener listener = new RecordingSyncListener();
  final ScheduledExecutorService rounds = Executors.newSingleThreadScheduledExecutor();
  final InMemoryCrmStore<CalendarEvent> crmEvents = new InMemoryCrmStore<>("event");
  final InMemoryCrmStore<Contact> crmContacts = new InMemoryCrmStore<>("contact");
  final InMemoryCrmStore<MailMessage> crmMail = new InMemoryCrmStore<>("mail");
  final InMemoryCrmStore<TodoTask> crmTasks = new InMemoryCrmStore<>("task");
  /** Per subscribable resource: its collection in the mailbox and its CRM store. */
  final Map<Resource, Side<?>> sides = new EnumMap<>(Resource.class);
  /** Per resource, the ids of two items there before sign-in (one to rename, one to delete). */
  final Map<Resource, List<String>> seeds = new EnumMap<>(Resource.class);
  HttpServer server;
  URI url;
  MailboxId id;

  @BeforeEach
  void signInAndStart() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.start();
    url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + NotificationReceiver.DEFAULT_PATH);

    sides.put(Resource.EVENTS, new Side<>(world.box.calendar(), crmEvents, CalendarEvent::subject, name -> {
      Instant start = world.clock.instant().plus(Duration.ofDays(1));
      return CalendarEvent.simple(name, start, start.plus(Duration.ofHours(1)));
    }));
    sides.put(Resource.CONTACTS, new Side<>(world.box.contacts(), crmContacts, Contact::givenName,
        name -> Contact.of(name, "Tester", name + "@customer.example")));
    sides.put(Resource.MAIL, new Side<>(world.box.mail("inbox"), crmMail, MailMessage::subject,
        name -> MailMessage.of(name, "buyer@customer.example", "alice@contoso.com", world.clock.instant(),
            "<" + name + "@customer.example>")));
    sides.put(Resource.TASKS, new Side<>(world.box.tasks(), crmTasks, TodoTask::title,
        name -> TodoTask.of(name, world.clock.instant().plus(Duration.ofDays(2)))));
    sides.forEach((r, side) -> seeds.put(r, List.of(side.create(prefix(r) + "-seed-a"), side.create(prefix(r) + "-seed-b"))));

    id = world.signIn(SyncOptions.defaults(), b -> b.listener(listener)
            .changeNotifications(ChangeNotifications.to(url).withDebounce(DEBOUNCE))
            .scheduler(SyncScheduler.inProcess(rounds, Duration.ofHours(1))),
        ResourceSyncers.oneWay(ResourceType.EVENTS, crmEvents),
        ResourceSyncers.oneWay(ResourceType.CONTACTS, crmContacts),
        ResourceSyncers.mail(crmMail, MailOptions.defaults().withFolders(List.of("inbox"))),
        ResourceSyncers.oneWay(ResourceType.TASKS, crmTasks)).id();
    NotificationReceiver receiver = world.engine().notificationReceiver();
    server.createContext(receiver.path(), JdkHttpNotificationServer.handler(receiver));
    world.engine().start();

    await("the first cycle", () -> listener.cycles().size() == 1);
    assertThat(atGraph()).extracting(s -> s.target().resource()).containsExactlyInAnyOrderElementsOf(sides.keySet());
    assertThat(atGraph()).allSatisfy(s -> assertThat(s.notificationUrl()).isEqualTo(url));
    assertThat(world.engine().monitor().feeds(id)).hasSize(4).allSatisfy(f -> assertThat(f.pushFed()).isTrue());
    sides.values().forEach(side -> assertThat(side.inCrm(id)).hasSize(2).containsExactlyInAnyOrderElementsOf(side.atMicrosoft()));
  }

  @AfterEach
  void stop() {
    world.engine().close();
    rounds.shutdownNow();
    server.stop(0);
    world.close();
  }

  @ParameterizedTest
  @EnumSource(value = Resource.class, names = {"EVENTS", "CONTACTS", "MAIL", "TASKS"})
  void aChangeInMicrosoft365ReachesTheCrmThroughANotification(Resource resource) {
    Side<?> side = sides.get(resource);
    long before = graphRequests();

    side.create(prefix(resource) + "-news");

    await(resource + " change in the CRM", () -> side.inCrm(id).contains(prefix(resource) + "-news"));
    assertThat(side.inCrm(id)).containsExactlyInAnyOrderElementsOf(side.atMicrosoft());
    assertThat(listener.cycles()).as("no cycle but the first").hasSize(1);
    assertThat(listener.signals()).isNotEmpty().allSatisfy(s -> {
      assertThat(s.resource()).isEqualTo(resource);
      assertThat(s.kind()).isEqualTo(SignalKind.CHANGED);
    });
    await("the notified round finished", () -> world.state.dirtyMarks(id).isEmpty());
    assertThat(graphRequests() - before).as("one delta read of %s, nothing else", resource).isEqualTo(1);
    assertThat(world.emulator.internalErrors()).isEmpty();
  }

  @Test
  void withDropsDuplicatesAndReorderingTheCrmConvergesWithoutDuplicates() throws InterruptedException {
    world.tenant.subscriptions().delivery(DeliverySettings.PROMPT.withDelay(Duration.ofMillis(30))
        .withFaults(0.2, 0.2, true, 20260216));
    List<Change> changes = fortyChanges();
    long postedBefore = notificationPosts();
    int emittedBefore = world.tenant.subscriptions().emitted().size();

    for (Change c : changes) {
      c.apply().run();
      world.clock.advance(Duration.ofSeconds(1)); // later notifications mark later than rounds already begun
    }
    int emitted = world.tenant.subscriptions().emitted().size() - emittedBefore;
    await("every notification posted", () -> notificationPosts() - postedBefore == emitted);
    await("the notified rounds done", () -> world.state.dirtyMarks(id).isEmpty());
    world.engine().close(); // no further rounds; the one in flight, if any, finishes:
    rounds.shutdown();
    assertThat(rounds.awaitTermination(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    long early = changes.stream().filter(c -> c.arrived().test(sides.get(c.resource()).inCrm(id))).count();
    System.out.printf("change notifications over HTTP, 20%% drops and duplicates, reordered: %d of %d changes "
        + "reached the CRM before the safety net (%d notifications sent, %d signals heard)%n",
        early, changes.size(), emitted, listener.signals().size());
    assertThat(early).as("changes that arrived through notifications").isGreaterThanOrEqualTo(1);
    assertThat(listener.cycles()).as("no cycle but the first").hasSize(1);

    world.clock.advance(ChangeNotifications.DEFAULT_SAFETY_NET.plusMinutes(1));
    CycleReport safetyNet = world.engine().runCycle();

    assertThat(safetyNet.mailbox(id).ran()).isTrue();
    assertThat(safetyNet.mailbox(id).resources()).hasSize(4)
        .allSatisfy(r -> assertThat(r.outcome()).isEqualTo(ResourceResult.Outcome.SYNCED));
    sides.forEach((r, side) -> {
      assertThat(side.inCrm(id)).as("%s", r).containsExactlyInAnyOrderElementsOf(side.atMicrosoft());
      assertThat(side.crm().duplicates(id)).as("%s duplicates", r).isZero();
    });
    assertThat(world.emulator.internalErrors()).isEmpty();
  }

  @Test
  void aDroppedChangeArrivesWithTheCatchUpRoundOfMissed() {
    world.tenant.subscriptions().delivery(DeliverySettings.PROMPT.withFaults(1.0, 0, false, 1));
    Side<?> events = sides.get(Resource.EVENTS);
    int emittedBefore = world.tenant.subscriptions().emitted().size();

    events.create("events-unheard");

    assertThat(world.tenant.subscriptions().emitted()).as("dropped at the source").hasSize(emittedBefore);
    assertThat(world.state.dirtyMarks(id)).isEmpty();
    assertThat(events.inCrm(id)).doesNotContain("events-unheard");

    world.tenant.subscriptions().trigger(subscriptionAtGraph(Resource.EVENTS).id(), "missed");

    await("the catch-up round", () -> events.inCrm(id).contains("events-unheard"));
    assertThat(listener.signals()).extracting(ChangeSignal::kind).containsExactly(SignalKind.MISSED);
    assertThat(listener.cycles()).as("no cycle but the first").hasSize(1);
    assertThat(events.inCrm(id)).containsExactlyInAnyOrderElementsOf(events.atMicrosoft());
  }

  @Test
  void overThirtySimulatedDaysRenewalLeavesNoGapAndADay29ChangeArrivesByNotification() {
    for (int step = 1; step <= 30 * 4; step++) {
      world.clock.advance(Duration.ofHours(6));
      world.engine().runCycle();
      Instant now = world.clock.instant();
      assertThat(atGraph()).as("after %d hours", step * 6)
          .allSatisfy(s -> assertThat(s.expiresAt()).isAfter(now))
          .extracting(s -> s.target().resource()).containsExactlyInAnyOrderElementsOf(sides.keySet());
      if (step == 29 * 4) {
        int cycles = listener.cycles().size();
        sides.get(Resource.EVENTS).create("events-day-29");
        await("the day-29 change in the CRM", () -> sides.get(Resource.EVENTS).inCrm(id).contains("events-day-29"));
        assertThat(listener.cycles()).as("no cycle meanwhile").hasSize(cycles);
        assertThat(listener.signals()).extracting(ChangeSignal::resource).containsOnly(Resource.EVENTS);
        await("its round finished", () -> world.state.dirtyMarks(id).isEmpty());
      }
    }

    assertThat(listener.subscriptionEvents(SubscriptionEvent.CREATED)).isEqualTo(4);
    assertThat(listener.subscriptionEvents(SubscriptionEvent.LOST)).isZero();
    assertThat(listener.subscriptionEvents(SubscriptionEvent.RENEWED)).isGreaterThanOrEqualTo(4 * 2 + 10);
    assertThat(world.emulator.internalErrors()).isEmpty();
  }

  @Test
  void unenrollDeletesTheSubscriptionsAndALaterNotificationForOneCostsNoRequest() throws Exception {
    ModelSubscription old = subscriptionAtGraph(Resource.EVENTS);

    world.engine().unenroll(id);

    assertThat(atGraph()).isEmpty();
    assertThat(world.state.subscriptions(id)).isEmpty();
    int recorded = world.emulator.recordedRequests().size();
    long graph = graphRequests();
    byte[] body = NotificationBodies.collection(List.of(new ModelNotification(url, world.tenant.tenantId(), old.id(),
        old.expiresAt(), old.clientState(), "created", null, "Users/" + world.user.objectId() + "/Events/x",
        "#Microsoft.Graph.Event", "x")));
    HttpResponse<Void> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.discarding());
    world.engine().runCycle();

    assertThat(answer.statusCode()).isEqualTo(202);
    assertThat(listener.ignoredNotifications()).extracting(IgnoredNotification::reason)
        .containsExactly(IgnoredNotification.Reason.UNKNOWN_SUBSCRIPTION);
    assertThat(listener.signals()).isEmpty();
    assertThat(world.emulator.recordedRequests()).as("requests at the emulator after unenroll").hasSize(recorded);
    assertThat(graphRequests()).isEqualTo(graph);
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Ten changes per resource, interleaved: eight new items, the first seed renamed, the second
   * deleted (mail: a ninth new message); each with what shows it reached the CRM.
   */
  private List<Change> fortyChanges() {
    List<Change> out = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      for (Resource r : sides.keySet()) {
        Side<?> side = sides.get(r);
        String p = prefix(r);
        if (i < 8) {
          String name = p + "-" + i;
          out.add(new Change(r, () -> side.create(name), crm -> crm.contains(name)));
        } else if (i == 8) {
          out.add(new Change(r, () -> side.rename(seeds.get(r).get(0), p + "-renamed"), crm -> crm.contains(p + "-renamed")
              && !crm.contains(p + "-seed-a")));
        } else if (r == Resource.MAIL) { // captured mail stays in the CRM when deleted in Outlook: one more instead
          out.add(new Change(r, () -> side.create(p + "-8"), crm -> crm.contains(p + "-8")));
        } else {
          out.add(new Change(r, () -> side.model().delete(seeds.get(r).get(1), null), crm -> !crm.contains(p + "-seed-b")));
        }
      }
    }
    return out;
  }

  private static String prefix(Resource r) {
    return r.name().toLowerCase(java.util.Locale.ROOT);
  }

  private List<ModelSubscription> atGraph() {
    return world.tenant.subscriptions().ofUser(world.user.objectId());
  }

  private ModelSubscription subscriptionAtGraph(Resource resource) {
    return atGraph().stream().filter(s -> s.target().resource() == resource).findFirst().orElseThrow();
  }

  private long graphRequests() {
    return world.cloud.log().graphRequests(world.user.objectId());
  }

  private long notificationPosts() {
    return world.cloud.log().count(RecordedRequest::isNotification);
  }

  /** Polls {@code done} every 20 ms for up to 10 s; fails naming {@code what} if it never holds. */
  private static void await(String what, BooleanSupplier done) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("not within " + TIMEOUT + ": " + what);
      }
      LockSupport.parkNanos(POLL_STEP.toNanos());
    }
  }

  /** One change in the mailbox, and the test on the CRM's names that shows it arrived. */
  private record Change(Resource resource, Runnable apply, Predicate<List<String>> arrived) {}

  /** One resource as a collection in the emulated mailbox and as records in the CRM, seen by name. */
  private record Side<T extends SyncItem>(ItemCollection<T> model, InMemoryCrmStore<T> crm, Function<T, String> name,
                                          Function<String, T> make) {
    String create(String itemName) {
      return model.create(make.apply(itemName)).id();
    }

    void rename(String itemId, String newName) {
      model.update(itemId, null, make.apply(newName));
    }

    List<String> atMicrosoft() {
      return model.all().stream().map(StoredItem::item).map(name).toList();
    }

    List<String> inCrm(MailboxId mailbox) {
      return crm.items(mailbox).stream().map(name).toList();
    }
  }
}

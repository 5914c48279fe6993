package io.m365sync.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.model.TodoTask;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.RecordingSyncListener;
import io.m365sync.testkit.emulator.NotificationBodies;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ModelNotification;
import io.m365sync.testkit.model.ModelSubscription;
import io.m365sync.testkit.model.ModelUser;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Change notifications through the engine, on the in-process fakes: subscriptions kept per
 * resource, a notification reads only its resource, idle push-fed resources cost nothing until the
 * safety net, renewal keeps them alive, lifecycle events and unenroll are handled.
 */
class ChangeNotificationsEngineTest {
  static final URI URL = URI.create("http://127.0.0.1:1/m365sync/notifications");
  static final EnumSet<Resource> RESOURCES = EnumSet.of(Resource.EVENTS, Resource.CONTACTS, Resource.TASKS);

  final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  final InMemoryCrmStore<CalendarEvent> crmEvents = new InMemoryCrmStore<>("event");
  final InMemoryCrmStore<Contact> crmContacts = new InMemoryCrmStore<>("contact");
  final InMemoryCrmStore<TodoTask> crmTasks = new InMemoryCrmStore<>("task");
  final RecordingSyncListener listener = new RecordingSyncListener();
  final SyncStateStore store = SyncStateStore.inMemory();
  ModelUser ada;
  Mailbox mailbox;
  SyncEngine engine;

  @BeforeEach
  void setUp() {
    ada = m365.addUser("ada");
    m365.mailbox(ada).calendar().create(meeting("kick-off", 1));
    engine = m365.engineBuilder().stateStore(store).listener(listener)
        .changeNotifications(ChangeNotifications.to(URL))
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crmEvents))
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crmContacts))
        .resource(ResourceSyncers.oneWay(ResourceType.TASKS, crmTasks))
        .build();
    m365.deliverNotificationsTo(engine.notificationReceiver());
    mailbox = m365.signIn(ada, RESOURCES);
    engine.enroll(mailbox);
  }

  CalendarEvent meeting(String title, int inDays) {
    Instant start = m365.clock().instant().plus(Duration.ofDays(inDays));
    return CalendarEvent.simple(title, start, start.plus(Duration.ofHours(1)));
  }

  long requests() {
    return m365.cloud().log().graphRequests(ada.objectId());
  }

  long requestsFor(Runnable action) {
    long before = requests();
    action.run();
    return requests() - before;
  }

  List<ModelSubscription> atGraph() {
    return m365.tenant().subscriptions().ofUser(ada.objectId());
  }

  @Test
  void theFirstRoundSubscribesEachResourceAndAnIdlePushFedMailboxCostsNoRequest() {
    engine.runCycle();

    assertThat(store.subscriptions(mailbox.id())).extracting(Subscription::resource)
        .containsExactlyInAnyOrderElementsOf(RESOURCES);
    assertThat(atGraph()).hasSize(3).allSatisfy(s -> assertThat(s.notificationUrl()).isEqualTo(URL));
    assertThat(crmEvents.items(mailbox.id())).hasSize(1);
    assertThat(requestsFor(engine::runCycle)).as("idle push-fed cycle").isZero();
    assertThat(engine.monitor().feeds(mailbox.id())).allSatisfy(f -> assertThat(f.pushFed()).isTrue());
  }

  @Test
  void aNotificationMarksItsResourceDirtyAndTheNextRoundReadsOnlyThatResource() {
    engine.runCycle();

    m365.mailbox(ada).calendar().create(meeting("pricing review", 2));

    assertThat(store.dirtyMarks(mailbox.id())).singleElement()
        .satisfies(mark -> assertThat(mark.resource()).isEqualTo(Resource.EVENTS));
    assertThat(requestsFor(engine::runCycle)).as("one delta read of the events").isEqualTo(1);
    assertThat(crmEvents.items(mailbox.id())).extracting(CalendarEvent::subject)
        .containsExactlyInAnyOrder("kick-off", "pricing review");
    assertThat(store.dirtyMarks(mailbox.id())).isEmpty();
    assertThat(requestsFor(engine::runCycle)).isZero();
  }

  @Test
  void duplicateNotificationsMakeOneRoundAndNoDuplicateRecord() {
    m365.tenant().subscriptions().delivery(io.m365sync.testkit.model.DeliverySettings.PROMPT.withFaults(0, 1.0, false, 1));
    engine.runCycle();

    m365.mailbox(ada).calendar().create(meeting("pricing review", 2));

    assertThat(listener.signals()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(requestsFor(engine::runCycle)).isEqualTo(1);
    assertThat(crmEvents.duplicates(mailbox.id())).isZero();
    assertThat(crmEvents.items(mailbox.id())).hasSize(2);
  }

  @Test
  void aPushFedResourceIsStillReadWhenTheSafetyNetComesDue() {
    engine.runCycle();
    m365.clock().advance(ChangeNotifications.DEFAULT_SAFETY_NET.minusMinutes(1));
    assertThat(requestsFor(engine::runCycle)).isZero();

    m365.clock().advance(Duration.ofMinutes(2));

    assertThat(requestsFor(engine::runCycle)).as("one read per push-fed resource").isEqualTo(3);
    assertThat(requestsFor(engine::runCycle)).isZero();
  }

  @Test
  void overThirtySimulatedDaysRenewalLeavesNoGapAndEveryChangeArrives() {
    engine.runCycle();
    for (int hour = 1; hour <= 30 * 24; hour++) {
      m365.clock().advance(Duration.ofHours(1));
      engine.runCycle();
      Instant now = m365.clock().instant();
      assertThat(atGraph()).as("hour %d", hour).hasSize(3).allSatisfy(s -> assertThat(s.expiresAt()).isAfter(now));
      if (hour % 24 == 0) {
        m365.mailbox(ada).calendar().create(meeting("day " + hour / 24, 1));
      }
    }
    engine.runCycle();

    assertThat(crmEvents.items(mailbox.id())).hasSize(31);
    assertThat(listener.subscriptionEvents(SubscriptionEvent.RENEWED)).isGreaterThanOrEqualTo(4 * 2 + 10);
    assertThat(listener.subscriptionEvents(SubscriptionEvent.LOST)).isZero();
    assertThat(listener.subscriptionEvents(SubscriptionEvent.CREATED)).isEqualTo(3);
  }

  @Test
  void subscriptionRemovedRecreatesTheSubscriptionAndCatchesUp() {
    engine.runCycle();
    Subscription events = subscription(Resource.EVENTS);

    m365.tenant().subscriptions().trigger(events.id(), "subscriptionRemoved");

    assertThat(store.subscription(events.id())).isEmpty();
    engine.runCycle();
    Subscription again = subscription(Resource.EVENTS);
    assertThat(again.id()).isNotEqualTo(events.id());
    assertThat(atGraph()).extracting(ModelSubscription::id).contains(again.id()).doesNotContain(events.id());
  }

  @Test
  void reauthorizationRequiredRenewsAtOnceAndMissedCatchesUp() {
    engine.runCycle();
    Subscription contacts = subscription(Resource.CONTACTS);

    m365.tenant().subscriptions().trigger(contacts.id(), "reauthorizationRequired");
    long renewedBefore = listener.subscriptionEvents(SubscriptionEvent.RENEWED);
    assertThat(requestsFor(engine::runCycle)).as("a delta read and a PATCH").isEqualTo(2);
    assertThat(listener.subscriptionEvents(SubscriptionEvent.RENEWED)).isEqualTo(renewedBefore + 1);

    m365.tenant().subscriptions().trigger(contacts.id(), "missed");
    assertThat(requestsFor(engine::runCycle)).as("a catch-up delta read").isEqualTo(1);
  }

  @Test
  void unenrollDeletesTheSubscriptionsAndLaterNotificationsForThemCostNoRequest() {
    engine.runCycle();
    ModelSubscription old = atGraph().get(0);

    engine.unenroll(mailbox.id());

    assertThat(atGraph()).isEmpty();
    assertThat(store.subscriptions(mailbox.id())).isEmpty();
    long before = requests();
    NotificationResponse response = engine.notificationReceiver().handle("POST", engine.notificationReceiver().path(),
        Map.of(), Map.of(), NotificationBodies.collection(List.of(new ModelNotification(URL, m365.tenantId().value(),
            old.id(), old.expiresAt(), old.clientState(), "created", null, "Users/" + ada.objectId() + "/Events/x",
            "#Microsoft.Graph.Event", "x"))));
    engine.runCycle();

    assertThat(response.status()).isEqualTo(202);
    assertThat(listener.ignoredNotifications()).extracting(IgnoredNotification::reason)
        .containsExactly(IgnoredNotification.Reason.UNKNOWN_SUBSCRIPTION);
    assertThat(requests()).isEqualTo(before);
  }

  @Test
  void aResourceNoLongerSyncedLosesItsSubscription() {
    engine.runCycle();

    engine.enroll(m365.signIn(ada, EnumSet.of(Resource.EVENTS)));
    engine.runCycle();

    assertThat(atGraph()).singleElement().satisfies(s -> assertThat(s.target().resource()).isEqualTo(Resource.EVENTS));
    assertThat(store.subscriptions(mailbox.id())).extracting(Subscription::resource).containsExactly(Resource.EVENTS);
  }

  @Test
  void aPolicyDenyOnSubscribingIsDeniedByPolicyAndFallsBackToDelegated() {
    m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS, Resource.TASKS);
    engine.setApplicationPermissionEnabled(m365.tenantId(), true);
    m365.tenant().addFault(FaultRule.fail("POST /subscriptions", ada.objectId(), 1, GraphError.accessDeniedByPolicy()));

    engine.runCycle();

    assertThat(engine.monitor().mailbox(mailbox.id()).orElseThrow().status()).isEqualTo(MailboxStatus.DENIED_BY_POLICY);
    assertThat(store.subscriptions(mailbox.id())).extracting(Subscription::mode).contains(io.m365sync.AuthMode.DELEGATED);
  }

  @Test
  void aFailedSubscribeLeavesTheResourcePolledAndIsRetried() {
    m365.tenant().addFault(FaultRule.fail("POST /subscriptions", ada.objectId(), 1,
        new GraphError(400, "ValidationError", "Subscription validation request failed.")));

    engine.runCycle();

    assertThat(listener.subscriptionFailures()).hasSize(1);
    assertThat(store.subscriptions(mailbox.id())).hasSize(2);
    assertThat(requestsFor(engine::runCycle)).as("the polled resource read and subscribed again").isEqualTo(2);
    assertThat(store.subscriptions(mailbox.id())).hasSize(3);
  }

  private Subscription subscription(Resource resource) {
    return store.subscriptions(mailbox.id()).stream().filter(s -> s.resource() == resource).findFirst().orElseThrow();
  }
}

package io.m365sync.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncListener;
import io.m365sync.notify.ChangeNotifications;
import io.m365sync.notify.ChangeSignal;
import io.m365sync.notify.IgnoredNotification;
import io.m365sync.notify.NotificationResponse;
import io.m365sync.notify.Subscription;
import io.m365sync.notify.SubscriptionEvent;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ModelUser;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The meters after a run on the testkit's tenant say what the run's reports say. */
class SyncMetricsTest {
  private static final Set<String> BOUNDED_TAGS = Set.of("tenant", "status", "resource", "outcome", "direction",
      "action", "mode", "kind", "reason", "event");

  final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  final SyncStateStore store = SyncStateStore.inMemory();
  final InMemoryCrmStore<CalendarEvent> crmEvents = new InMemoryCrmStore<>("event");
  final InMemoryCrmStore<Contact> crmContacts = new InMemoryCrmStore<>("contact");
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Map<String, ModelUser> users = new LinkedHashMap<>();
  final Map<String, Mailbox> mailboxes = new LinkedHashMap<>();
  final List<CycleReport> cycles = new ArrayList<>();
  SyncEngine engine;

  @Test
  void countersTimersAndTheStatusGaugeEqualTheReportsOfARun() {
    run(false);

    for (Resource resource : List.of(Resource.EVENTS, Resource.CONTACTS)) {
      List<ResourceResult> results = cycles.stream().flatMap(c -> c.mailboxes().stream())
          .flatMap(m -> m.resource(resource).stream()).toList();
      String r = resource.name().toLowerCase();
      assertThat(items(r, "to_crm", "created")).isEqualTo(results.stream().mapToInt(ResourceResult::created).sum());
      assertThat(items(r, "to_crm", "updated")).isEqualTo(results.stream().mapToInt(ResourceResult::updated).sum());
      assertThat(items(r, "to_crm", "deleted")).isEqualTo(results.stream().mapToInt(ResourceResult::deleted).sum());
      assertThat(items(r, "to_microsoft", "created")).isEqualTo(results.stream().mapToInt(x -> x.pushed().created()).sum());
      assertThat(items(r, "to_microsoft", "updated")).isEqualTo(results.stream().mapToInt(x -> x.pushed().updated()).sum());
      assertThat(items(r, "to_microsoft", "deleted")).isEqualTo(results.stream().mapToInt(x -> x.pushed().deleted()).sum());
      assertThat(registry.find("m365sync.resource.round").tag("resource", r).timers().stream()
          .mapToLong(t -> t.count()).sum()).isEqualTo(results.size());
    }
    // the run did something in each direction, so the equalities above are not all zeros
    assertThat(items("events", "to_crm", "created")).isEqualTo(7); // 3 + 3 first, 1 new one later
    assertThat(items("contacts", "to_crm", "deleted")).isEqualTo(1);
    assertThat(items("events", "to_microsoft", "created")).isEqualTo(1);

    Map<MailboxStatus, Integer> last = cycles.get(cycles.size() - 1).countByStatus();
    assertThat(last).containsEntry(MailboxStatus.SUSPENDED, 1).containsEntry(MailboxStatus.THROTTLED, 1);
    for (MailboxStatus status : MailboxStatus.values()) {
      assertThat(registry.get("m365sync.mailboxes").tag("status", status.name()).gauge().value())
          .as("gauge of %s", status).isEqualTo(last.getOrDefault(status, 0).doubleValue());
    }
    long rounds = cycles.stream().flatMap(c -> c.mailboxes().stream()).filter(MailboxSyncReport::ran).count();
    assertThat(registry.find("m365sync.round").timers().stream().mapToLong(t -> t.count()).sum()).isEqualTo(rounds);

    assertThat(registry.get("m365sync.throttled").tag("resource", "contacts").counter().count()).isEqualTo(1);
    assertThat(registry.get("m365sync.delta.expired").tag("resource", "events").counter().count()).isEqualTo(1);
    assertThat(registry.get("m365sync.token.requests").tags("mode", "delegated", "outcome", "granted").counter().count())
        .isEqualTo(rounds);
    assertThat(registry.find("m365sync.token.requests").tag("outcome", "refused").counters()).isEmpty();
    assertBoundedTags();
  }

  @Test
  void theTenantTagIsOptionalAndTheGaugeCountsPerTenant() {
    run(true);

    Map<MailboxStatus, Integer> last = cycles.get(cycles.size() - 1).countByStatus();
    String tenant = m365.tenantId().value();
    for (MailboxStatus status : MailboxStatus.values()) {
      assertThat(registry.get("m365sync.mailboxes").tags("tenant", tenant, "status", status.name()).gauge().value())
          .isEqualTo(last.getOrDefault(status, 0).doubleValue());
    }
    assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTag("tenant")).isEqualTo(tenant));
    assertBoundedTags();
  }

  @Test
  void notificationMetersEqualWhatTheEngineToldItsListeners() {
    Recording recording = new Recording();
    SyncMetrics metrics = SyncMetrics.builder().statuses(store).build();
    metrics.bindTo(registry);
    engine = SyncEngine.builder().clock(m365.clock()).stateStore(store).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens())
        .resource(ResourceSyncers.twoWay(ResourceType.EVENTS, crmEvents))
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crmContacts))
        .changeNotifications(ChangeNotifications.to(URI.create("https://crm.example.com/hooks")))
        .listener(metrics).listener(recording).build();
    Instant later = m365.clock().instant().plus(Duration.ofDays(2));
    for (String alias : List.of("alice", "bob")) {
      Mailbox m = m365.signIn(m365.addUser(alias), EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
      mailboxes.put(alias, m);
      engine.enroll(m);
    }
    subscribe("a-events", "alice", Resource.EVENTS, later);
    subscribe("a-contacts", "alice", Resource.CONTACTS, later);
    subscribe("b-events", "bob", Resource.EVENTS, later);
    subscribe("b-contacts", "bob", Resource.CONTACTS, m365.clock().instant().minusSeconds(60));

    post(item("a-events", null), item("a-events", null), item("a-contacts", null), item("b-events", "missed"),
        item("b-events", "reauthorizationRequired"), item("b-contacts", null), item("x-unknown", null),
        "{\"subscriptionId\":\"b-events\",\"clientState\":\"guessed\",\"changeType\":\"updated\"}");
    post(item("a-events", null), item("a-contacts", "subscriptionRemoved"));

    Map<List<String>, Long> signalled = recording.signals.stream().collect(Collectors.groupingBy(
        s -> List.of(tag(s.resource()), tag(s.kind())), Collectors.counting()));
    assertThat(signalled).containsEntry(List.of("events", "changed"), 2L).hasSize(5); // a duplicate in one post counts once
    signalled.forEach((k, n) -> assertThat(registry.get("m365sync.notifications").tags("resource", k.get(0), "kind", k.get(1))
        .counter().count()).as("notifications %s", k).isEqualTo(n.doubleValue()));
    assertThat(registry.find("m365sync.notifications").counters()).hasSize(signalled.size());

    Map<String, Long> ignored = recording.ignored.stream().collect(Collectors.groupingBy(
        i -> tag(i.reason()), Collectors.counting()));
    assertThat(ignored).containsOnlyKeys("expired_subscription", "unknown_subscription", "client_state_mismatch");
    ignored.forEach((reason, n) -> assertThat(registry.get("m365sync.notifications.ignored").tag("reason", reason)
        .counter().count()).as("ignored %s", reason).isEqualTo(n.doubleValue()));

    assertThat(recording.subscriptions).containsExactly("contacts/lost"); // the removed one, forgotten for the round to recreate
    assertThat(registry.get("m365sync.subscriptions").tags("resource", "contacts", "event", "lost").counter().count())
        .isEqualTo(1);
    assertBoundedTags();
    assertThat(registry.getMeters()).flatMap(m -> m.getId().getTags()).extracting(Tag::getValue)
        .doesNotContainAnyElementsOf(List.of("a-events", "a-contacts", "b-events", "b-contacts", "x-unknown"));
  }

  @Test
  void subscriptionEventsAndFailuresAreCountedByResourceAndAnUnknownSubscriptionHasAnUnknownTenant() {
    SyncMetrics metrics = SyncMetrics.builder().statuses(store).tenantTag(true).build();
    metrics.bindTo(registry);
    Mailbox alice = m365.signIn(m365.addUser("alice"), EnumSet.of(Resource.EVENTS, Resource.TASKS));
    mailboxes.put("alice", alice);
    String tenant = alice.id().tenant().value();
    Subscription events = new Subscription("s-1", alice.id(), Resource.EVENTS, Subscription.hashClientState("cs"),
        m365.clock().instant().plus(Duration.ofDays(3)), AuthMode.APPLICATION);

    for (SubscriptionEvent e : SubscriptionEvent.values()) {
      metrics.subscriptionChanged(events, e);
    }
    metrics.subscriptionChanged(events, SubscriptionEvent.RENEWED);
    metrics.subscriptionFailed(alice, Resource.TASKS, "list-1", "ErrorAccessDenied (request-id r-1)");
    metrics.subscriptionFailed(alice, Resource.TASKS, "list-2", "ErrorAccessDenied (request-id r-2)");
    metrics.notificationIgnored(new IgnoredNotification("forged-id", Optional.empty(),
        IgnoredNotification.Reason.UNKNOWN_SUBSCRIPTION));

    assertThat(registry.get("m365sync.subscriptions").tags("tenant", tenant, "resource", "events", "event", "created")
        .counter().count()).isEqualTo(1);
    assertThat(registry.get("m365sync.subscriptions").tags("resource", "events", "event", "renewed").counter().count())
        .isEqualTo(2);
    assertThat(registry.find("m365sync.subscriptions").counters()).hasSize(SubscriptionEvent.values().length);
    assertThat(registry.get("m365sync.subscriptions.failed").tags("tenant", tenant, "resource", "tasks").counter().count())
        .isEqualTo(2);
    assertThat(registry.get("m365sync.notifications.ignored").tags("tenant", SyncMetrics.UNKNOWN_TENANT,
        "reason", "unknown_subscription").counter().count()).isEqualTo(1);
    assertThat(registry.find("m365sync.mailboxes").tag("tenant", SyncMetrics.UNKNOWN_TENANT).gauges()).isEmpty();
    assertBoundedTags();
  }

  /** What the engine told its listeners about notifications and subscriptions. */
  static final class Recording implements SyncListener {
    final List<ChangeSignal> signals = new ArrayList<>();
    final List<IgnoredNotification> ignored = new ArrayList<>();
    final List<String> subscriptions = new ArrayList<>();

    @Override
    public void changeSignalled(ChangeSignal signal) {
      signals.add(signal);
    }

    @Override
    public void notificationIgnored(IgnoredNotification notification) {
      ignored.add(notification);
    }

    @Override
    public void subscriptionChanged(Subscription subscription, SubscriptionEvent event) {
      subscriptions.add(tag(subscription.resource()) + "/" + tag(event));
    }
  }

  private void subscribe(String id, String alias, Resource resource, Instant expiresAt) {
    store.putSubscription(new Subscription(id, mailboxes.get(alias).id(), resource, Subscription.hashClientState("cs-" + id),
        expiresAt, AuthMode.DELEGATED));
  }

  private static String item(String subscriptionId, String lifecycleEvent) {
    return "{\"subscriptionId\":\"" + subscriptionId + "\",\"clientState\":\"cs-" + subscriptionId + "\""
        + (lifecycleEvent == null ? ",\"changeType\":\"updated\"" : ",\"lifecycleEvent\":\"" + lifecycleEvent + "\"") + "}";
  }

  private void post(String... items) {
    byte[] body = ("{\"value\":[" + String.join(",", items) + "]}").getBytes(StandardCharsets.UTF_8);
    NotificationResponse r = engine.notificationReceiver().handle("POST", "/hooks", Map.of(), Map.of(), body);
    assertThat(r.status()).isEqualTo(202);
  }

  private static String tag(Enum<?> value) {
    return value.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Two cycles over three mailboxes: a suspended one, a throttled one, an expired delta link, changes both ways. */
  private void run(boolean tenantTag) {
    SyncMetrics metrics = SyncMetrics.builder().statuses(store).tenantTag(tenantTag).statusRefresh(Duration.ZERO).build();
    metrics.bindTo(registry);
    engine = SyncEngine.builder().clock(m365.clock()).stateStore(store).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens())
        .resource(ResourceSyncers.twoWay(ResourceType.EVENTS, crmEvents))
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crmContacts))
        .listener(metrics).build();
    for (String alias : List.of("alice", "bob", "carol")) {
      ModelUser u = m365.addUser(alias);
      Instant now = m365.clock().instant();
      for (int i = 1; i <= 3; i++) {
        m365.mailbox(u).calendar().create(CalendarEvent.simple(alias + " meeting " + i,
            now.plus(Duration.ofDays(i)), now.plus(Duration.ofDays(i)).plus(Duration.ofHours(1))));
      }
      m365.mailbox(u).contacts().create(Contact.of("Ada", "Lovelace", "ada." + alias + "@example.com"));
      users.put(alias, u);
      Mailbox m = m365.signIn(u, EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
      mailboxes.put(alias, m);
      engine.enroll(m);
    }
    engine.suspend(mailboxes.get("carol").id(), true);
    cycles.add(engine.runCycle());

    Instant now = m365.clock().instant();
    m365.mailbox(users.get("alice")).calendar().create(CalendarEvent.simple("new", now.plus(Duration.ofDays(2)),
        now.plus(Duration.ofDays(2)).plusSeconds(600)));
    m365.mailbox(users.get("alice")).calendar().evictDeltaTokens();
    crmEvents.save(mailboxes.get("alice").id(), null, CalendarEvent.simple("from the CRM", now.plus(Duration.ofDays(3)),
        now.plus(Duration.ofDays(3)).plusSeconds(600)));
    m365.mailbox(users.get("bob")).contacts().clear();
    m365.tenant().addFault(FaultRule.fail("GET .*/contacts/delta", users.get("alice").objectId(), 1,
        GraphError.throttled(Duration.ofSeconds(30))));
    m365.clock().advance(Duration.ofHours(1));
    cycles.add(engine.runCycle());
  }

  private double items(String resource, String direction, String action) {
    return registry.get("m365sync.items").tags("resource", resource, "direction", direction, "action", action)
        .counters().stream().mapToDouble(c -> c.count()).sum();
  }

  /** No meter is tagged with a mailbox or a user, by key or by value. */
  private void assertBoundedTags() {
    List<String> identities = new ArrayList<>();
    mailboxes.values().forEach(m -> {
      identities.add(m.id().key());
      identities.add(m.id().userObjectId());
      identities.add(m.userPrincipalName());
      identities.add(m.crmUserId());
    });
    assertThat(registry.getMeters()).isNotEmpty();
    for (Meter meter : registry.getMeters()) {
      for (Tag tag : meter.getId().getTags()) {
        assertThat(BOUNDED_TAGS).as("tag key of %s", meter.getId()).contains(tag.getKey());
        assertThat(identities).as("tag value of %s", meter.getId()).doesNotContain(tag.getValue());
      }
    }
  }
}

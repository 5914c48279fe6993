package io.m365sync.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The meters after a run on the testkit's tenant say what the run's reports say. */
class SyncMetricsTest {
  private static final Set<String> BOUNDED_TAGS = Set.of("tenant", "status", "resource", "outcome", "direction",
      "action", "mode");

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

package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One-way and two-way sync are one pipeline, so the guarantees the two-way path had hold one-way
 * too: the calendar window rule, the mass-change guard, and a deletion seen through the window is
 * confirmed before a CRM record goes.
 */
class OnePipelineRegressionTest {
  final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  final ModelUser user = m365.addUser("pipeline");
  final ItemCollection<CalendarEvent> calendar = m365.mailbox(user).calendar();
  final InMemoryCrmStore<CalendarEvent> crmEvents = new InMemoryCrmStore<>("event");
  final Instant now = m365.clock().instant();

  SyncEngine engine(ResourceSyncer<?> syncer, Resource resource) {
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens()).resource(syncer).build();
    Mailbox mailbox = m365.signIn(user, Set.of(resource));
    engine.enroll(mailbox);
    return engine;
  }

  ResourceResult sync(SyncEngine engine, Resource resource) {
    m365.clock().advance(Duration.ofMinutes(1));
    return engine.syncMailbox(m365.mailboxId(user)).resource(resource).orElseThrow();
  }

  @Test
  void oneWayEventsKeepTheRecordOfAnEventThatOnlyLeftTheWindowWhenTheDeltaLinkExpires() {
    calendar.create(CalendarEvent.simple("Kick-off", now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(1)).plusSeconds(3600)));
    calendar.create(CalendarEvent.simple("Review", now.plus(Duration.ofDays(90)), now.plus(Duration.ofDays(90)).plusSeconds(3600)));
    SyncEngine engine = engine(ResourceSyncers.oneWay(ResourceType.EVENTS, crmEvents), Resource.EVENTS);
    sync(engine, Resource.EVENTS);
    assertThat(crmEvents.list(m365.mailboxId(user))).hasSize(2);

    m365.clock().advance(Duration.ofDays(60)); // the kick-off is now 59 days ago: outside the 30-day window
    calendar.evictDeltaTokens(); // 410: the next round is a full one
    ResourceResult r = sync(engine, Resource.EVENTS);

    assertThat(r.fullResync()).isTrue();
    assertThat(r.deleted()).isZero();
    assertThat(calendar.all()).hasSize(2);
    assertThat(crmEvents.items(m365.mailboxId(user))).extracting(CalendarEvent::subject)
        .containsExactlyInAnyOrder("Kick-off", "Review");
  }

  @Test
  void oneWayRoundsThatWouldDeleteMostRecordsAreQuarantined() {
    InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
    ItemCollection<Contact> contacts = m365.mailbox(user).contacts();
    for (int i = 0; i < 12; i++) {
      contacts.create(Contact.of("C", "" + i, "c" + i + "@example.com"));
    }
    SyncEngine engine = engine(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm), Resource.CONTACTS);
    sync(engine, Resource.CONTACTS);
    assertThat(crm.list(m365.mailboxId(user))).hasSize(12);

    contacts.clear();
    ResourceResult r = sync(engine, Resource.CONTACTS);

    assertThat(r.outcome()).isEqualTo(ResourceResult.Outcome.QUARANTINED);
    assertThat(r.detail()).contains("quarantined").contains("12 of 12");
    assertThat(crm.list(m365.mailboxId(user))).hasSize(12);
    assertThat(crm.deletes()).isZero();
  }

  @ParameterizedTest(name = "two-way: {0}")
  @ValueSource(booleans = {false, true})
  void aMeetingMovedOutOfTheWindowAndBackKeepsItsCrmRecord(boolean twoWay) {
    Function<Integer, CalendarEvent> meetingOnDay = d -> CalendarEvent.simple("Board meeting",
        now.plus(Duration.ofDays(d)), now.plus(Duration.ofDays(d)).plusSeconds(3600));
    String meeting = calendar.create(meetingOnDay.apply(2)).id();
    String cancelled = calendar.create(CalendarEvent.simple("Lunch", now.plus(Duration.ofDays(3)),
        now.plus(Duration.ofDays(3)).plusSeconds(3600))).id();
    SyncEngine engine = engine(twoWay ? ResourceSyncers.twoWay(ResourceType.EVENTS, crmEvents)
        : ResourceSyncers.oneWay(ResourceType.EVENTS, crmEvents), Resource.EVENTS);
    sync(engine, Resource.EVENTS);
    String crmId = crmIdOf("Board meeting");

    calendar.update(meeting, null, meetingOnDay.apply(500)); // beyond the 365-day window: Graph says @removed
    ResourceResult out = sync(engine, Resource.EVENTS);
    assertThat(out.deleted()).isZero();
    assertThat(crmEvents.find(m365.mailboxId(user), crmId)).isPresent();

    calendar.update(meeting, null, meetingOnDay.apply(5)); // back inside the window
    ResourceResult back = sync(engine, Resource.EVENTS);
    assertThat(back.created()).isZero();
    assertThat(crmIdOf("Board meeting")).isEqualTo(crmId);
    assertThat(crmEvents.find(m365.mailboxId(user), crmId).orElseThrow().item().start())
        .isEqualTo(now.plus(Duration.ofDays(5)));

    calendar.delete(cancelled, null); // a real deletion still deletes
    ResourceResult deleted = sync(engine, Resource.EVENTS);
    assertThat(deleted.deleted()).isEqualTo(1);
    assertThat(crmEvents.items(m365.mailboxId(user))).extracting(CalendarEvent::subject).containsExactly("Board meeting");
  }

  String crmIdOf(String subject) {
    return crmEvents.list(m365.mailboxId(user)).stream().filter(r -> r.item().subject().equals(subject))
        .map(CrmRecord::crmId).reduce((a, b) -> {
          throw new AssertionError("two CRM records for " + subject);
        }).orElseThrow();
  }
}

package io.m365sync.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.gateway.Change;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.SkippedItem;
import io.m365sync.gateway.UnreadableItemException;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.CursorKey;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.ForwardingGateway;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.RecordingSyncListener;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One item a gateway cannot read is skipped and reported: the round goes on, its cursor moves, the
 * resource stays active with a warning, and the item's CRM record is never taken for a deletion.
 */
class PoisonItemsTest {
  final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  final ModelUser user = m365.addUser("poison");
  final MailboxId mailbox = m365.mailboxId(user);
  final ItemCollection<Contact> contacts = m365.mailbox(user).contacts();
  final InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
  final RecordingSyncListener listener = new RecordingSyncListener();
  final SyncStateStore state = SyncStateStore.inMemory();
  final Unreadable gateway = new Unreadable(m365.gateway());

  SyncEngine engine(boolean twoWay) {
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(gateway).stateStore(state)
        .delegatedTokens(m365.delegatedTokens()).listener(listener)
        .resource(twoWay ? ResourceSyncers.twoWay(ResourceType.CONTACTS, crm) : ResourceSyncers.oneWay(ResourceType.CONTACTS, crm))
        .build();
    engine.enroll(m365.signIn(user, Set.of(Resource.CONTACTS)));
    return engine;
  }

  MailboxSyncReport sync(SyncEngine engine) {
    m365.clock().advance(Duration.ofMinutes(1));
    return engine.syncMailbox(mailbox);
  }

  @ParameterizedTest(name = "two-way: {0}")
  @ValueSource(booleans = {false, true})
  void anUnreadableItemIsSkippedAndReportedWhileTheRestOfThePageSyncsAndTheCursorMoves(boolean twoWay) {
    String ada = contacts.create(Contact.of("Ada", "Lovelace", "ada@example.com")).id();
    SyncEngine engine = engine(twoWay);
    sync(engine);
    String cursorBefore = cursor();

    contacts.update(ada, null, Contact.of("Ada", "King", "ada@example.com"));
    contacts.create(Contact.of("Alan", "Turing", "alan@example.com"));
    gateway.unreadable.put(ada, "event without start");
    MailboxSyncReport report = sync(engine);

    ResourceResult r = report.resource(Resource.CONTACTS).orElseThrow();
    assertThat(r.outcome()).isEqualTo(ResourceResult.Outcome.SYNCED);
    assertThat(r.created()).isEqualTo(1);
    assertThat(r.deleted()).isZero();
    assertThat(r.warnings()).isEqualTo(1);
    assertThat(r.skipped()).containsExactly(new SkippedItem(ada, "event without start"));
    assertThat(report.state().status()).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(listener.skippedItems()).containsExactly(
        new RecordingSyncListener.Skipped(mailbox, Resource.CONTACTS, new SkippedItem(ada, "event without start")));
    assertThat(cursor()).isNotEqualTo(cursorBefore);
    assertThat(crm.items(mailbox)).extracting(Contact::surname).containsExactlyInAnyOrder("Lovelace", "Turing");

    // the next round starts after the poison: nothing is read again
    ResourceResult next = sync(engine).resource(Resource.CONTACTS).orElseThrow();
    assertThat(next.applied()).isZero();
    assertThat(next.warnings()).isZero();
  }

  @ParameterizedTest(name = "the skipped item has an id: {0}")
  @ValueSource(booleans = {true, false})
  void aFullRoundNeverDeletesTheRecordOfASkippedItem(boolean withId) {
    String ada = contacts.create(Contact.of("Ada", "Lovelace", "ada@example.com")).id();
    contacts.create(Contact.of("Alan", "Turing", "alan@example.com"));
    SyncEngine engine = engine(false);
    sync(engine);
    assertThat(crm.list(mailbox)).hasSize(2);

    contacts.evictDeltaTokens(); // 410: the next round is a full one, where absence means deletion
    gateway.unreadable.put(ada, withId ? "malformed dateTime" : "");
    ResourceResult r = sync(engine).resource(Resource.CONTACTS).orElseThrow();

    assertThat(r.fullResync()).isTrue();
    assertThat(r.outcome()).isEqualTo(ResourceResult.Outcome.SYNCED);
    assertThat(r.deleted()).isZero();
    assertThat(r.warnings()).isEqualTo(1);
    assertThat(crm.items(mailbox)).extracting(Contact::surname).containsExactlyInAnyOrder("Lovelace", "Turing");
    assertThat(crm.deletes()).isZero();
  }

  @Test
  void aRemovalReadBeforeTheSameItemTurnedUnreadableIsNotADeletion() {
    String ada = contacts.create(Contact.of("Ada", "Lovelace", "ada@example.com")).id();
    SyncEngine engine = engine(false);
    sync(engine);

    gateway.removedThenUnreadable = ada; // page 1 says @removed, page 2 holds the item, unreadable
    ResourceResult r = sync(engine).resource(Resource.CONTACTS).orElseThrow();

    assertThat(r.deleted()).isZero();
    assertThat(r.warnings()).isEqualTo(1);
    assertThat(crm.items(mailbox)).hasSize(1);
  }

  @Test
  void aMeetingThatLeftTheWindowAndReadsBackUnreadableKeepsItsCrmRecordAndTheRoundGoesOn() {
    ItemCollection<CalendarEvent> calendar = m365.mailbox(user).calendar();
    InMemoryCrmStore<CalendarEvent> crmEvents = new InMemoryCrmStore<>("event");
    Instant now = m365.clock().instant();
    String meeting = calendar.create(CalendarEvent.simple("Board meeting", now.plus(Duration.ofDays(2)),
        now.plus(Duration.ofDays(2)).plusSeconds(3600))).id();
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(gateway).stateStore(state)
        .delegatedTokens(m365.delegatedTokens()).listener(listener)
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crmEvents)).build();
    engine.enroll(m365.signIn(user, Set.of(Resource.EVENTS)));
    sync(engine);
    assertThat(crmEvents.list(mailbox)).hasSize(1);

    // beyond the window: the view says @removed, and the read that confirms it finds the item unreadable
    calendar.update(meeting, null, CalendarEvent.simple("Board meeting", now.plus(Duration.ofDays(500)),
        now.plus(Duration.ofDays(500)).plusSeconds(3600)));
    gateway.unreadableOnGet.add(meeting);
    MailboxSyncReport report = sync(engine);

    ResourceResult r = report.resource(Resource.EVENTS).orElseThrow();
    assertThat(r.outcome()).isEqualTo(ResourceResult.Outcome.SYNCED);
    assertThat(r.deleted()).isZero();
    assertThat(crmEvents.list(mailbox)).hasSize(1);
    assertThat(crmEvents.deletes()).isZero();
  }

  private String cursor() {
    return state.cursor(new CursorKey(mailbox, Resource.CONTACTS, "")).orElseThrow();
  }

  /**
   * A gateway whose delta pages hold some items it cannot read, as a real gateway reports them: left
   * out of the changes and listed as skipped (an empty reason stands for an item without an id).
   */
  static final class Unreadable extends ForwardingGateway {
    final ConcurrentHashMap<String, String> unreadable = new ConcurrentHashMap<>();
    volatile String removedThenUnreadable;
    final Set<String> unreadableOnGet = ConcurrentHashMap.newKeySet();
    static final String QUEUED = "queued-page";
    volatile DeltaPage<?> queued;

    Unreadable(MailboxGateway inner) {
      super(inner);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
      if (QUEUED.equals(request.cursor())) {
        return (DeltaPage<T>) queued;
      }
      DeltaPage<T> page = delegate.delta(session, type, request);
      List<Change<T>> changes = new ArrayList<>();
      List<SkippedItem> skipped = new ArrayList<>();
      for (Change<T> c : page.changes()) {
        String reason = unreadable.get(c.remoteId());
        if (reason == null) {
          changes.add(c);
        } else {
          skipped.add(reason.isEmpty() ? new SkippedItem(null, "an item has no id") : new SkippedItem(c.remoteId(), reason));
        }
      }
      String twice = removedThenUnreadable;
      if (twice != null) {
        // the item's removal on a first page, the item itself (unreadable) on the next
        removedThenUnreadable = null;
        skipped.add(new SkippedItem(twice, "an event without start or end"));
        queued = new DeltaPage<>(changes, page.cursor(), page.more(), skipped);
        return new DeltaPage<>(List.of(Change.delete(twice)), QUEUED, true);
      }
      return new DeltaPage<>(changes, page.cursor(), page.more(), skipped);
    }

    @Override
    public <T extends SyncItem> Optional<T> get(MailboxSession session, ResourceType<T> type, String container,
                                                String remoteId) {
      if (unreadableOnGet.contains(remoteId)) {
        throw new UnreadableItemException("an event without start", session.mailbox().id(), type.resource(), remoteId);
      }
      return delegate.get(session, type, container, remoteId);
    }



  }
}

package io.m365sync.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.Attendee;
import io.m365sync.model.CalendarEvent.EventType;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.EmailAddress;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItems;
import io.m365sync.sync.ConflictJournal;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.sync.TwoWayOptions;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.StoredItem;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Events: series as series, time zones kept, a sliding window that re-creates nothing, no re-sent invitations. */
class EventsTwoWayTest {
  final SyncBench bench = new SyncBench(Set.of(Resource.EVENTS));
  final ItemCollection<CalendarEvent> calendar = bench.box.calendar();
  final InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("event");
  final ConflictJournal journal = ConflictJournal.inMemory();
  final MailboxId mailbox = bench.mailbox.id();
  final Instant monday9Pacific = Instant.parse("2026-01-12T17:00:00Z");

  ResourceSyncer<CalendarEvent> syncer(TwoWayOptions.Builder<CalendarEvent> b) {
    return ResourceSyncers.twoWay(ResourceType.EVENTS, crm, b.journal(journal).build());
  }

  static CalendarEvent event(String subject, Instant start, Duration length, String zone, EventType type,
                             String masterId, String recurrence) {
    return new CalendarEvent(subject, null, start, start.plus(length), zone, false, "Room 1",
        EmailAddress.of("bench@contoso.com"), List.of(new Attendee(EmailAddress.of("guest@example.com"), null, null)),
        type, masterId, recurrence, "uid-" + subject.hashCode(), Map.of());
  }

  static CalendarEvent withSubject(CalendarEvent e, String subject) {
    return e.withSubject(subject).withExtensions(e.extensions());
  }

  CrmRecord<CalendarEvent> crmBySubjectPrefix(String prefix) {
    return crm.list(mailbox).stream().filter(r -> r.item().subject().startsWith(prefix)).findFirst().orElseThrow();
  }

  @Test
  void aSeriesCreatedInPacificTimeReadsCorrectlyInTheCrm() {
    calendar.create(event("Weekly pipeline review", monday9Pacific, Duration.ofHours(1), "Pacific Standard Time",
        EventType.SERIES_MASTER, null, "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10"));
    bench.round(syncer(TwoWayOptions.builder()));

    CalendarEvent inCrm = crm.items(mailbox).get(0);
    assertThat(inCrm.start()).isEqualTo(monday9Pacific);
    assertThat(inCrm.originalTimeZone()).isEqualTo("Pacific Standard Time");
    assertThat(inCrm.start().atZone(ZoneId.of("America/Los_Angeles")).toLocalTime()).isEqualTo(LocalTime.of(9, 0));
    assertThat(inCrm.type()).isEqualTo(EventType.SERIES_MASTER);
    assertThat(inCrm.recurrence()).isEqualTo("RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10");
  }

  @Test
  void aSeriesWithAnEditedAndADeletedOccurrenceSurvivesFiveEditRoundsOnBothSides() {
    String rrule = "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10;EXDATE=20260126T170000Z"; // the 3rd occurrence deleted
    String masterId = calendar.create(event("Series", monday9Pacific, Duration.ofHours(1), "Pacific Standard Time",
        EventType.SERIES_MASTER, null, rrule)).id();
    String exceptionId = calendar.create(event("Moved occurrence", monday9Pacific.plus(Duration.ofDays(7)).plus(Duration.ofHours(2)),
        Duration.ofHours(1), "Pacific Standard Time", EventType.EXCEPTION, masterId, null)).id();
    ResourceSyncer<CalendarEvent> syncer = syncer(TwoWayOptions.builder());
    bench.round(syncer);

    for (int round = 1; round <= 5; round++) {
      CrmRecord<CalendarEvent> crmMaster = crmBySubjectPrefix("Series");
      CrmRecord<CalendarEvent> crmException = crmBySubjectPrefix("Moved");
      if (round % 2 == 1) {
        StoredItem<CalendarEvent> m = calendar.get(masterId).orElseThrow();
        calendar.update(masterId, m.changeKey(), withSubject(m.item(), "Series v" + round));
        crm.save(mailbox, crmException.crmId(), withSubject(crmException.item(), "Moved occurrence v" + round));
      } else {
        crm.save(mailbox, crmMaster.crmId(), withSubject(crmMaster.item(), "Series v" + round));
        StoredItem<CalendarEvent> e = calendar.get(exceptionId).orElseThrow();
        calendar.update(exceptionId, e.changeKey(), withSubject(e.item(), "Moved occurrence v" + round));
      }
      bench.round(syncer);

      assertThat(calendar.all()).hasSize(2);
      assertThat(crm.list(mailbox)).hasSize(2);
      CalendarEvent msMaster = calendar.get(masterId).orElseThrow().item();
      CalendarEvent msException = calendar.get(exceptionId).orElseThrow().item();
      assertThat(msMaster.subject()).isEqualTo("Series v" + round);
      assertThat(msException.subject()).isEqualTo("Moved occurrence v" + round);
      assertThat(msMaster.recurrence()).isEqualTo(rrule);
      assertThat(msException.seriesMasterId()).isEqualTo(masterId);
      assertThat(msException.type()).isEqualTo(EventType.EXCEPTION);
      CrmRecord<CalendarEvent> m = crmBySubjectPrefix("Series");
      CrmRecord<CalendarEvent> e = crmBySubjectPrefix("Moved");
      assertThat(m.item().subject()).isEqualTo("Series v" + round);
      assertThat(m.item().recurrence()).isEqualTo(rrule);
      assertThat(e.item().subject()).isEqualTo("Moved occurrence v" + round);
      assertThat(e.item().seriesMasterId()).as("the CRM's exception points at the CRM's master").isEqualTo(m.crmId());
      assertThat(e.item().start()).isEqualTo(monday9Pacific.plus(Duration.ofDays(7)).plus(Duration.ofHours(2)));
    }
    assertThat(journal.entries(mailbox)).isEmpty();
    assertThat(crm.creates()).isEqualTo(2);
  }

  @Test
  void theWindowSlidesForwardWithoutRecreatingAnythingAndLeavingItIsNotADeletion() {
    Instant now = bench.m365.clock().instant();
    calendar.create(CalendarEvent.simple("A soon", now.plus(Duration.ofDays(2)), now.plus(Duration.ofDays(2)).plusSeconds(3600)));
    calendar.create(CalendarEvent.simple("B later", now.plus(Duration.ofDays(9)), now.plus(Duration.ofDays(9)).plusSeconds(3600)));
    calendar.create(CalendarEvent.simple("C far", now.plus(Duration.ofDays(20)), now.plus(Duration.ofDays(20)).plusSeconds(3600)));
    ResourceSyncer<CalendarEvent> syncer = syncer(TwoWayOptions.<CalendarEvent>builder()
        .eventWindow(Duration.ofDays(1), Duration.ofDays(10)));
    bench.round(syncer);
    assertThat(crm.items(mailbox)).extracting(CalendarEvent::subject).containsExactlyInAnyOrder("A soon", "B later");

    bench.m365.clock().advance(Duration.ofDays(5)); // window now [+4d, +15d]: A left it
    var slid = bench.round(syncer);
    assertThat(slid.fullResync()).isTrue();
    assertThat(crm.items(mailbox)).extracting(CalendarEvent::subject).containsExactlyInAnyOrder("A soon", "B later");

    bench.m365.clock().advance(Duration.ofDays(10)); // window now [+14d, +25d]: C entered, B left
    bench.round(syncer);
    bench.round(syncer);
    assertThat(crm.items(mailbox)).extracting(CalendarEvent::subject)
        .containsExactlyInAnyOrder("A soon", "B later", "C far");
    assertThat(crm.creates()).isEqualTo(3);
    assertThat(crm.deletes()).isZero();
    assertThat(calendar.all()).hasSize(3);
  }

  @Test
  void crmUpdatesNeverResendInvitationsUnlessTheHostAsks() {
    String id = calendar.create(event("Demo", monday9Pacific, Duration.ofHours(1), "UTC", EventType.SINGLE_INSTANCE,
        null, null)).id();
    ResourceSyncer<CalendarEvent> quiet = syncer(TwoWayOptions.builder());
    bench.round(quiet);
    CrmRecord<CalendarEvent> rec = crm.list(mailbox).get(0);
    crm.save(mailbox, rec.crmId(), withSubject(rec.item(), "Demo (agenda added)"));
    crm.save(mailbox, null, event("Created in the CRM", monday9Pacific.plusSeconds(7200), Duration.ofHours(1), "UTC",
        EventType.SINGLE_INSTANCE, null, null));
    bench.round(quiet);

    CalendarEvent updated = calendar.get(id).orElseThrow().item();
    assertThat(updated.subject()).isEqualTo("Demo (agenda added)");
    assertThat(updated.extensions()).containsEntry(TwoWayOptions.NOTIFY_ATTENDEES, "false");
    CalendarEvent created = calendar.all().stream().map(StoredItem::item)
        .filter(e -> e.subject().equals("Created in the CRM")).findFirst().orElseThrow();
    assertThat(created.extensions()).containsEntry(TwoWayOptions.NOTIFY_ATTENDEES, "true");

    ResourceSyncer<CalendarEvent> loud = syncer(TwoWayOptions.<CalendarEvent>builder().notifyAttendeesOnUpdate(true));
    rec = crm.find(mailbox, rec.crmId()).orElseThrow();
    crm.save(mailbox, rec.crmId(), withSubject(rec.item(), "Demo (moved room)"));
    bench.round(loud);
    assertThat(calendar.get(id).orElseThrow().item().extensions()).containsEntry(TwoWayOptions.NOTIFY_ATTENDEES, "true");
    assertThat(crm.items(mailbox))
        .allSatisfy(e -> assertThat(SyncItems.withoutReservedExtensions(e).extensions()).isEmpty());
  }
}

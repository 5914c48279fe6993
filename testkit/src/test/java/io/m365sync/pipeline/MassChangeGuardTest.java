package io.m365sync.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.sync.TwoWayOptions;
import io.m365sync.testkit.InMemoryCrmStore;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** A round that would wipe more than half of a mailbox's synced items is quarantined, not applied. */
class MassChangeGuardTest {
  final SyncBench bench = new SyncBench(EnumSet.of(Resource.CONTACTS, Resource.EVENTS));
  final MailboxId mailbox = bench.mailbox.id();

  @Test
  void aWipedCrmTableIsQuarantinedAndNothingIsDeletedInMicrosoft365() {
    InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
    for (int i = 0; i < 12; i++) {
      bench.box.contacts().create(Contact.of("C", "" + i, "c" + i + "@example.com"));
    }
    ResourceSyncer<Contact> syncer = ResourceSyncers.twoWay(ResourceType.CONTACTS, crm);
    bench.round(syncer);
    assertThat(crm.list(mailbox)).hasSize(12);

    for (CrmRecord<Contact> r : crm.list(mailbox)) {
      crm.delete(mailbox, r.crmId());
    }
    ResourceResult r = bench.round(syncer);
    assertThat(r.outcome()).isEqualTo(ResourceResult.Outcome.QUARANTINED);
    assertThat(r.detail()).contains("quarantined").contains("12 of 12").contains("MICROSOFT");
    assertThat(bench.box.contacts().all()).hasSize(12);
    assertThat(bench.round(syncer).outcome()).as("stays quarantined").isEqualTo(ResourceResult.Outcome.QUARANTINED);

    ResourceSyncer<Contact> released = ResourceSyncers.twoWay(ResourceType.CONTACTS, crm,
        TwoWayOptions.<Contact>builder().releaseQuarantine(q -> q.side().equals("MICROSOFT")).build());
    assertThat(bench.round(released).outcome()).isEqualTo(ResourceResult.Outcome.SYNCED);
    assertThat(bench.box.contacts().all()).isEmpty();
  }

  @Test
  void aWipedCalendarIsQuarantinedAndNothingIsDeletedInTheCrm() {
    InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("event");
    Instant now = bench.m365.clock().instant();
    for (int i = 0; i < 12; i++) {
      Instant start = now.plus(Duration.ofDays(i + 1));
      bench.box.calendar().create(CalendarEvent.simple("Meeting " + i, start, start.plusSeconds(1800)));
    }
    ResourceSyncer<CalendarEvent> syncer = ResourceSyncers.twoWay(ResourceType.EVENTS, crm);
    bench.round(syncer);
    assertThat(crm.list(mailbox)).hasSize(12);

    bench.box.calendar().clear();
    ResourceResult r = bench.round(syncer);
    assertThat(r.outcome()).isEqualTo(ResourceResult.Outcome.QUARANTINED);
    assertThat(r.detail()).contains("quarantined").contains("CRM");
    assertThat(crm.list(mailbox)).hasSize(12);
    assertThat(crm.deletes()).isZero();
  }

  @Test
  void ordinaryDeletionsBelowTheShareGoThrough() {
    InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
    for (int i = 0; i < 12; i++) {
      bench.box.contacts().create(Contact.of("C", "" + i, "c" + i + "@example.com"));
    }
    ResourceSyncer<Contact> syncer = ResourceSyncers.twoWay(ResourceType.CONTACTS, crm);
    bench.round(syncer);
    bench.box.contacts().all().stream().limit(5).forEach(s -> bench.box.contacts().delete(s.id(), null));
    ResourceResult r = bench.round(syncer);
    assertThat(r.outcome()).isEqualTo(ResourceResult.Outcome.SYNCED);
    assertThat(r.deleted()).isEqualTo(5);
    assertThat(crm.list(mailbox)).hasSize(7);
  }
}

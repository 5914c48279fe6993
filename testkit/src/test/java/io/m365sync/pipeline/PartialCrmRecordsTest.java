package io.m365sync.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.Attendee;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.EmailAddress;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ConflictPolicy;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.sync.TwoWayOptions;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.StoredItem;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A CRM that keeps only the fields it has columns for: its edits go to Microsoft 365 as patches of
 * what it changed, and the fields it does not store survive in Outlook.
 */
class PartialCrmRecordsTest {
  final SyncBench bench = new SyncBench(Set.of(Resource.CONTACTS, Resource.EVENTS));
  final MailboxId mailbox = bench.mailbox.id();

  /** First name, last name, email and company: no job title, phones, display name or extensions. */
  static Contact contactColumns(Contact c) {
    return new Contact(c.givenName(), c.surname(), null, c.emailAddresses(), List.of(), c.companyName(), null, Map.of());
  }

  /** Subject and times: no body, location, attendees or organizer. */
  static CalendarEvent eventColumns(CalendarEvent e) {
    return new CalendarEvent(e.subject(), null, e.start(), e.end(), e.originalTimeZone(), e.allDay(), null, null,
        List.of(), e.type(), e.seriesMasterId(), e.recurrence(), e.iCalUid(), Map.of());
  }

  @Test
  void aCrmEditOfTheLastNameKeepsTheJobTitleAndPhonesInOutlook() {
    InMemoryCrmStore<Contact> crm = InMemoryCrmStore.keeping("contact", PartialCrmRecordsTest::contactColumns);
    ResourceSyncer<Contact> syncer = ResourceSyncers.twoWay(ResourceType.CONTACTS, crm);
    String id = bench.box.contacts().create(new Contact("Ada", "Lovelace", null, List.of("ada@example.com"),
        List.of("+44 20 7946 0000"), "Analytical Engines", "Countess", Map.of())).id();
    bench.round(syncer);
    CrmRecord<Contact> rec = crm.list(mailbox).get(0);
    assertThat(rec.item().jobTitle()).isNull();

    Contact k = rec.item();
    crm.save(mailbox, rec.crmId(), new Contact(k.givenName(), "King", null, k.emailAddresses(), k.phones(),
        k.companyName(), k.jobTitle(), k.extensions()));
    bench.round(syncer);

    Contact inOutlook = bench.box.contacts().get(id).orElseThrow().item();
    assertThat(inOutlook.surname()).isEqualTo("King");
    assertThat(inOutlook.displayName()).isEqualTo("Ada King");
    assertThat(inOutlook.jobTitle()).isEqualTo("Countess");
    assertThat(inOutlook.phones()).containsExactly("+44 20 7946 0000");
    assertThat(inOutlook.companyName()).isEqualTo("Analytical Engines");

    // quiet afterwards: the echo is neither applied back nor pushed again
    String changeKey = bench.box.contacts().get(id).orElseThrow().changeKey();
    long saves = crm.saves();
    bench.round(syncer);
    bench.round(syncer);
    assertThat(bench.box.contacts().get(id).orElseThrow().changeKey()).isEqualTo(changeKey);
    assertThat(crm.saves()).isEqualTo(saves);
  }

  @Test
  void aCrmEditOfTheSubjectKeepsTheBodyLocationAndAttendeesInOutlook() {
    InMemoryCrmStore<CalendarEvent> crm = InMemoryCrmStore.keeping("event", PartialCrmRecordsTest::eventColumns);
    ResourceSyncer<CalendarEvent> syncer = ResourceSyncers.twoWay(ResourceType.EVENTS, crm);
    Instant start = bench.m365.clock().instant().plus(Duration.ofDays(2));
    Attendee guest = new Attendee(EmailAddress.of("guest@example.com"), "required", null);
    String id = bench.box.calendar().create(new CalendarEvent("Pipeline review", "Agenda: Q3 numbers", start,
        start.plus(Duration.ofHours(1)), "UTC", false, "Room 1", EmailAddress.of("bench@contoso.com"),
        List.of(guest), CalendarEvent.EventType.SINGLE_INSTANCE, null, null, "uid-review", Map.of())).id();
    bench.round(syncer);
    CrmRecord<CalendarEvent> rec = crm.list(mailbox).get(0);
    assertThat(rec.item().attendees()).isEmpty();

    crm.save(mailbox, rec.crmId(), rec.item().withSubject("Pipeline review (moved to Room 2)"));
    bench.round(syncer);

    CalendarEvent inOutlook = bench.box.calendar().get(id).orElseThrow().item();
    assertThat(inOutlook.subject()).isEqualTo("Pipeline review (moved to Room 2)");
    assertThat(inOutlook.body()).isEqualTo("Agenda: Q3 numbers");
    assertThat(inOutlook.location()).isEqualTo("Room 1");
    assertThat(inOutlook.attendees()).extracting(a -> a.email().address()).containsExactly("guest@example.com");
    assertThat(inOutlook.start()).isEqualTo(start);
  }

  @Test
  void aCrmThatKeepsEveryFieldStillClearsAndSetsWhatItChanged() {
    InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
    ResourceSyncer<Contact> syncer = ResourceSyncers.twoWay(ResourceType.CONTACTS, crm);
    String id = bench.box.contacts().create(new Contact("Ada", "Lovelace", null, List.of("ada@example.com"),
        List.of("+44 20 7946 0000"), "Analytical Engines", "Countess", Map.of())).id();
    bench.round(syncer);
    CrmRecord<Contact> rec = crm.list(mailbox).get(0);

    Map<String, String> ext = new HashMap<>(rec.item().extensions());
    ext.put("crm.accountId", "42");
    Contact k = rec.item();
    crm.save(mailbox, rec.crmId(), new Contact(k.givenName(), k.surname(), k.displayName(), k.emailAddresses(),
        List.of(), k.companyName(), null, ext));
    bench.round(syncer);

    StoredItem<Contact> inOutlook = bench.box.contacts().get(id).orElseThrow();
    assertThat(inOutlook.item().jobTitle()).as("cleared in the CRM").isNull();
    assertThat(inOutlook.item().phones()).as("cleared in the CRM").isEmpty();
    assertThat(inOutlook.item().surname()).isEqualTo("Lovelace");
    assertThat(inOutlook.item().extensions()).containsEntry("crm.accountId", "42");
  }

  @Test
  void whenTheCrmWinsAConflictItsChangedFieldsAreWrittenAndOutlooksOtherEditsComeBack() {
    InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
    ResourceSyncer<Contact> syncer = ResourceSyncers.twoWay(ResourceType.CONTACTS, crm,
        TwoWayOptions.<Contact>builder().policy(ConflictPolicy.CRM_WINS).build());
    String id = bench.box.contacts().create(new Contact("Ada", "Lovelace", null, List.of("ada@example.com"),
        List.of(), "Analytical Engines", "Analyst", Map.of())).id();
    bench.round(syncer);
    CrmRecord<Contact> rec = crm.list(mailbox).get(0);
    Contact k = rec.item();
    crm.save(mailbox, rec.crmId(), new Contact(k.givenName(), "King", null, k.emailAddresses(), k.phones(),
        k.companyName(), k.jobTitle(), k.extensions()));
    StoredItem<Contact> cur = bench.box.contacts().get(id).orElseThrow();
    bench.box.contacts().update(id, cur.changeKey(), cur.item().withJobTitle("Countess"));
    bench.round(syncer);
    bench.round(syncer);

    Contact inOutlook = bench.box.contacts().get(id).orElseThrow().item();
    Contact inCrm = crm.find(mailbox, rec.crmId()).orElseThrow().item();
    assertThat(inOutlook.surname()).isEqualTo("King");
    assertThat(inOutlook.jobTitle()).isEqualTo("Countess");
    assertThat(inCrm.surname()).isEqualTo("King");
    assertThat(inCrm.jobTitle()).isEqualTo("Countess");

    long saves = crm.saves();
    String changeKey = bench.box.contacts().get(id).orElseThrow().changeKey();
    bench.round(syncer);
    assertThat(crm.saves()).isEqualTo(saves);
    assertThat(bench.box.contacts().get(id).orElseThrow().changeKey()).isEqualTo(changeKey);
  }
}

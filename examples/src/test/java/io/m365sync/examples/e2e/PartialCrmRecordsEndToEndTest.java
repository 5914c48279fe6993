package io.m365sync.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.Attendee;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.EmailAddress;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.emulator.EmulatorRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A CRM table with columns for only some fields, through SyncEngine + MSAL4J + the Graph SDK gateway
 * + the emulator: a CRM edit PATCHes what the CRM changed, and Outlook keeps the fields the CRM does
 * not store.
 */
class PartialCrmRecordsEndToEndTest {
  final E2eWorld world = new E2eWorld();

  @AfterEach
  void close() {
    world.close();
  }

  @Test
  void aContactEditedInTheCrmKeepsItsJobTitleAndPhones() {
    InMemoryCrmStore<Contact> crm = InMemoryCrmStore.keeping("contact", c -> new Contact(c.givenName(), c.surname(),
        null, c.emailAddresses(), List.of(), c.companyName(), null, Map.of()));
    String id = world.box.contacts().create(new Contact("Ada", "Lovelace", null, List.of("ada@example.com"),
        List.of("+44 20 7946 0000"), "Analytical Engines", "Countess", Map.of())).id();
    MailboxId mailbox = world.signIn(ResourceSyncers.twoWay(ResourceType.CONTACTS, crm)).id();
    world.sync();

    CrmRecord<Contact> rec = crm.list(mailbox).get(0);
    Contact k = rec.item();
    crm.save(mailbox, rec.crmId(), new Contact(k.givenName(), "King", null, k.emailAddresses(), k.phones(),
        k.companyName(), k.jobTitle(), k.extensions()));
    world.sync();

    Contact inOutlook = world.box.contacts().get(id).orElseThrow().item();
    assertThat(inOutlook.surname()).isEqualTo("King");
    assertThat(inOutlook.jobTitle()).isEqualTo("Countess");
    assertThat(inOutlook.phones()).containsExactly("+44 20 7946 0000");
    assertThat(inOutlook.companyName()).isEqualTo("Analytical Engines");
    List<EmulatorRequest> patches = world.requests("PATCH", "/contacts/");
    assertThat(patches).singleElement().satisfies(p -> assertThat(p.body())
        .contains("\"surname\"").doesNotContain("jobTitle", "businessPhones", "companyName", "givenName"));
  }

  @Test
  void anEventEditedInTheCrmKeepsItsBodyAndAttendees() {
    InMemoryCrmStore<CalendarEvent> crm = InMemoryCrmStore.keeping("event", e -> new CalendarEvent(e.subject(), null,
        e.start(), e.end(), e.originalTimeZone(), e.allDay(), null, null, List.of(), e.type(), e.seriesMasterId(),
        e.recurrence(), e.iCalUid(), Map.of()));
    Instant start = world.clock.instant().plus(Duration.ofDays(2));
    String id = world.box.calendar().create(new CalendarEvent("Pipeline review", "Agenda: Q3 numbers", start,
        start.plus(Duration.ofHours(1)), "UTC", false, "Room 1", EmailAddress.of("alice@contoso.com"),
        List.of(new Attendee(EmailAddress.of("buyer@customer.com"), "required", null)),
        CalendarEvent.EventType.SINGLE_INSTANCE, null, null, null, Map.of())).id();
    MailboxId mailbox = world.signIn(ResourceSyncers.twoWay(ResourceType.EVENTS, crm)).id();
    world.sync();

    CrmRecord<CalendarEvent> rec = crm.list(mailbox).get(0);
    crm.save(mailbox, rec.crmId(), rec.item().withSubject("Pipeline review (Q3)"));
    world.sync();

    CalendarEvent inOutlook = world.box.calendar().get(id).orElseThrow().item();
    assertThat(inOutlook.subject()).isEqualTo("Pipeline review (Q3)");
    assertThat(inOutlook.body()).isEqualTo("Agenda: Q3 numbers");
    assertThat(inOutlook.location()).isEqualTo("Room 1");
    assertThat(inOutlook.attendees()).extracting(a -> a.email().address()).containsExactly("buyer@customer.com");
    assertThat(world.requests("PATCH", "/events/")).singleElement().satisfies(p -> assertThat(p.body())
        .contains("\"subject\"").doesNotContain("attendees", "\"body\"", "location"));
  }
}

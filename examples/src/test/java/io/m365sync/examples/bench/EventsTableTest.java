package io.m365sync.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.TenantId;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.Attendee;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.EmailAddress;
import io.m365sync.testkit.InMemoryCrmStore;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmarks' CRM table keeps only an event's key columns, and still tells duplicates apart. */
class EventsTableTest {
  private static final MailboxId MAILBOX = new MailboxId(TenantId.of("tenant"), "user");
  private static final Instant NINE = Instant.parse("2026-12-03T09:00:00Z");

  private static CalendarEvent event(String iCalUid, String subject) {
    return CalendarEvent.builder().subject(subject).start(NINE).end(NINE.plusSeconds(1800)).iCalUid(iCalUid)
        .body("an agenda long enough to matter when 200,000 of them stay on the heap")
        .attendees(List.of(new Attendee(new EmailAddress("a@example.com", "A"), "required", "none")))
        .build();
  }

  @Test
  void keepsTheMatchKeyAndDropsTheRest() {
    InMemoryCrmStore<CalendarEvent> table = FullStackPath.eventsTable();
    CalendarEvent given = event("uid-1", "Review");

    CrmRecord<CalendarEvent> saved = table.save(MAILBOX, null, given);

    assertThat(saved.item().matchKey()).isEqualTo(given.matchKey());
    assertThat(saved.item().body()).isNull();
    assertThat(saved.item().attendees()).isEmpty();
  }

  @Test
  void aSecondRecordOfTheSameEventIsADuplicateAndAnotherEventIsNot() {
    InMemoryCrmStore<CalendarEvent> table = FullStackPath.eventsTable();
    table.save(MAILBOX, null, event("uid-1", "Review"));
    table.save(MAILBOX, null, event("uid-2", "Review"));
    assertThat(table.duplicates(MAILBOX)).isZero();

    table.save(MAILBOX, null, event("uid-1", "Review"));

    assertThat(table.duplicates(MAILBOX)).isEqualTo(1);
  }
}

package io.m365sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.Attendee;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.EmailAddress;
import io.m365sync.testkit.CrmStoreContract;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFileCrmStoreTest extends CrmStoreContract<CalendarEvent> {
  @TempDir
  Path dir;

  @Override
  protected CrmStore<CalendarEvent> newStore() {
    return JsonFileCrmStore.open(dir.resolve("events.json"), CalendarEvent.class, "event");
  }

  @Override
  protected CalendarEvent item(int n) {
    Instant start = Instant.parse("2026-03-01T17:00:00Z").plusSeconds(3600L * n);
    return new CalendarEvent("Meeting " + n, "agenda", start, start.plusSeconds(1800), "Pacific Standard Time", false,
        "Room 1", EmailAddress.of("org@contoso.com"), List.of(new Attendee(EmailAddress.of("a@x.com"), "required", "accepted")),
        CalendarEvent.EventType.SINGLE_INSTANCE, null, null, "uid-" + n, Map.of("crm.opportunity", "42"));
  }

  @Override
  protected CalendarEvent changed(CalendarEvent item) {
    return item.withSubject(item.subject() + " (moved)");
  }

  @Test
  void aReopenedFileHoldsWhatWasWritten() {
    MailboxId alice = MailboxId.of("contoso", "alice");
    JsonFileCrmStore<CalendarEvent> first = JsonFileCrmStore.open(dir.resolve("e.json"), CalendarEvent.class, "event");
    String id = first.save(alice, null, item(1)).crmId();
    first.save(alice, null, item(2));

    JsonFileCrmStore<CalendarEvent> second = JsonFileCrmStore.open(dir.resolve("e.json"), CalendarEvent.class, "event");
    assertThat(second.find(alice, id).orElseThrow().item()).isEqualTo(item(1));
    assertThat(second.save(alice, null, item(3)).crmId()).isEqualTo("event-3");
    assertThat(second.size()).isEqualTo(3);
    assertThat(second.duplicates()).isZero();
  }
}

package io.m365sync.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.gateway.Change;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.Recurrence;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fake gateway's reads behave as the Graph adapter's do over the emulator. */
class FakeMailboxGatewayTest {

  @Test
  void oneEventIsReadByIdWhereverItLiesAndA404IsEmpty() {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser user = m365.addUser("amy");
    Mailbox mailbox = m365.signIn(user, Set.of(Resource.EVENTS));
    MailboxSession session = new MailboxSession(mailbox, m365.delegatedTokens().acquire(mailbox, Purpose.BACKGROUND_SYNC));
    Instant start = m365.clock().instant().plus(Duration.ofDays(900)); // far outside any calendar window
    String id = m365.mailbox(user).calendar().create(CalendarEvent.simple("Offsite", start, start.plus(Duration.ofHours(2)))).id();

    assertThat(m365.gateway().get(session, ResourceType.EVENTS, null, id))
        .hasValueSatisfying(e -> assertThat(e.start()).isEqualTo(start));
    m365.mailbox(user).calendar().delete(id, null);
    assertThat(m365.gateway().get(session, ResourceType.EVENTS, null, id)).isEmpty();
    assertThat(m365.cloud().log().graphRequests(user.objectId())).isEqualTo(2);
  }

  @Test
  void aSeriesMasterReadsAsItsOccurrencesInTheCalendarViewDeltaWithStableIds() {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser user = m365.addUser("amy");
    Mailbox mailbox = m365.signIn(user, Set.of(Resource.EVENTS));
    MailboxSession session = new MailboxSession(mailbox, m365.delegatedTokens().acquire(mailbox, Purpose.BACKGROUND_SYNC));
    ItemCollection<CalendarEvent> calendar = m365.mailbox(user).calendar();
    Instant now = m365.clock().instant();
    Instant first = Instant.parse("2026-03-02T09:00:00Z");
    CalendarEvent master = CalendarEvent.simple("Stand-up", first, first.plus(Duration.ofMinutes(15))).toBuilder()
        .type(CalendarEvent.EventType.SERIES_MASTER).recurrence("""
            {"pattern":{"type":"daily","interval":1},
             "range":{"type":"numbered","startDate":"2026-03-02","numberOfOccurrences":3}}""").build();
    String masterId = calendar.create(master).id();
    List<String> ids = List.of(Recurrence.occurrenceId(masterId, first),
        Recurrence.occurrenceId(masterId, first.plus(Duration.ofDays(1))),
        Recurrence.occurrenceId(masterId, first.plus(Duration.ofDays(2))));

    DeltaPage<CalendarEvent> full = m365.gateway().delta(session, ResourceType.EVENTS,
        new DeltaRequest(null, null, now.minus(Duration.ofDays(400)), now.plus(Duration.ofDays(400)), 10));
    assertThat(full.changes()).extracting(Change::remoteId).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(full.changes()).allSatisfy(c -> {
      assertThat(c.item().type()).isEqualTo(CalendarEvent.EventType.OCCURRENCE);
      assertThat(c.item().seriesMasterId()).isEqualTo(masterId);
      assertThat(c.item().subject()).isEqualTo("Stand-up");
    });

    calendar.update(masterId, null, master.withSubject("Daily stand-up"));
    DeltaPage<CalendarEvent> edited = m365.gateway().delta(session, ResourceType.EVENTS,
        new DeltaRequest(null, full.cursor(), null, null, 10));
    assertThat(edited.changes()).as("the occurrences keep their ids; the master never shows")
        .extracting(Change::remoteId).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(edited.changes()).allSatisfy(c -> assertThat(c.item().subject()).isEqualTo("Daily stand-up"));

    calendar.delete(masterId, null);
    DeltaPage<CalendarEvent> deleted = m365.gateway().delta(session, ResourceType.EVENTS,
        new DeltaRequest(null, edited.cursor(), null, null, 10));
    assertThat(deleted.changes()).allSatisfy(c -> assertThat(c.kind()).isEqualTo(Change.Kind.DELETE));
    assertThat(deleted.changes()).extracting(Change::remoteId).containsAll(ids);
    assertThat(calendar.all()).isEmpty();
  }
}

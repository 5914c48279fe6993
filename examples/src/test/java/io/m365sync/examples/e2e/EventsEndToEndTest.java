package io.m365sync.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmRecord;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.model.Attendee;
import io.m365sync.model.CalendarEvent.EventType;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.EmailAddress;
import io.m365sync.model.MailMessage;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.emulator.EmulatorRequest;
import io.m365sync.testkit.model.StoredItem;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Events, two-way, through SyncEngine + MSAL4J + the Graph SDK gateway + the emulator: a series
 * created in Pacific time, edits and a deleted occurrence over five rounds on both sides, and CRM
 * updates that never re-send invitations.
 */
class EventsEndToEndTest {
  static final ZoneId LOS_ANGELES = ZoneId.of("America/Los_Angeles");
  /** Monday 23 February 2026, 09:00 Pacific (PST, UTC-8); the series runs past the 8 March switch to PDT. */
  static final Instant FIRST = Instant.parse("2026-02-23T17:00:00Z");
  static final String WEEKLY_4 = """
      {"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday"],"firstDayOfWeek":"sunday"},
       "range":{"type":"numbered","startDate":"2026-02-23","numberOfOccurrences":4,
                "recurrenceTimeZone":"Pacific Standard Time"}}""";

  final E2eWorld world = new E2eWorld();
  final InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("event");

  @AfterEach
  void close() {
    world.close();
  }

  /** The series "as Outlook creates it": a POST to Graph in the user's own name. */
  String createPacificSeriesInOutlook() {
    CalendarEvent master = new CalendarEvent("Pipeline review", null, FIRST, FIRST.plus(Duration.ofHours(1)),
        "Pacific Standard Time", false, "Room 7", null,
        List.of(new Attendee(EmailAddress.of("buyer@customer.com"), "required", null)),
        EventType.SERIES_MASTER, null, WEEKLY_4, null, Map.of());
    MailboxSession outlook = world.userSession();
    return world.gateway.create(outlook, ResourceType.EVENTS, null, master).remoteId();
  }

  List<CrmRecord<CalendarEvent>> crmOccurrences(MailboxId id) {
    return crm.list(id).stream().filter(r -> r.item().subject().contains("Pipeline review"))
        .sorted(java.util.Comparator.comparing(r -> r.item().start())).toList();
  }

  @Test
  void aSeriesCreatedInPacificTimeReadsCorrectlyInTheCrmAndSurvivesFiveEditRoundsOnBothSides() {
    MailboxId id = world.signIn(ResourceSyncers.twoWay(ResourceType.EVENTS, crm)).id();
    String masterId = createPacificSeriesInOutlook();

    world.sync();
    // calendarView delta returns the occurrences (Graph sends no series master there)
    List<CrmRecord<CalendarEvent>> occ = crmOccurrences(id);
    assertThat(occ).hasSize(4);
    for (int week = 0; week < 4; week++) {
      CalendarEvent e = occ.get(week).item();
      assertThat(e.type()).isEqualTo(EventType.OCCURRENCE);
      assertThat(e.seriesMasterId()).isEqualTo(masterId);
      assertThat(e.originalTimeZone()).isEqualTo("Pacific Standard Time");
      assertThat(e.start().atZone(LOS_ANGELES).toLocalTime()).as("week %d", week).isEqualTo(LocalTime.of(9, 0));
      assertThat(e.end()).isEqualTo(e.start().plus(Duration.ofHours(1)));
    }
    assertThat(occ.get(0).item().start()).isEqualTo(FIRST);                                           // PST: 17:00 UTC
    assertThat(occ.get(3).item().start()).isEqualTo(Instant.parse("2026-03-16T16:00:00Z"));          // PDT: 16:00 UTC

    // Outlook deletes the third occurrence: the CRM deletes it too
    String third = remoteIdOfOccurrence(occ.get(2).item().start());
    world.gateway.delete(world.userSession(), ResourceType.EVENTS, null, third, null);
    world.sync();
    assertThat(crmOccurrences(id)).hasSize(3);

    // five rounds of edits, alternating sides, on the first two occurrences (the first becomes an exception)
    String first = remoteIdOfOccurrence(FIRST);
    String second = remoteIdOfOccurrence(FIRST.plus(Duration.ofDays(7)));
    for (int round = 1; round <= 5; round++) {
      List<CrmRecord<CalendarEvent>> now = crmOccurrences(id);
      if (round % 2 == 1) {
        CrmRecord<CalendarEvent> r = now.get(0);
        crm.save(id, r.crmId(), r.item().withSubject("Pipeline review (CRM v" + round + ")"));
        StoredItem<CalendarEvent> s = world.box.calendar().get(second).orElseThrow();
        world.box.calendar().update(second, s.changeKey(), s.item().withSubject("Pipeline review (Outlook v" + round + ")"));
      } else {
        CrmRecord<CalendarEvent> r = now.get(1);
        crm.save(id, r.crmId(), r.item().withSubject("Pipeline review (CRM v" + round + ")"));
        StoredItem<CalendarEvent> s = world.box.calendar().get(first).orElseThrow();
        world.box.calendar().update(first, s.changeKey(), s.item().withSubject("Pipeline review (Outlook v" + round + ")"));
      }
      world.sync();
      List<CrmRecord<CalendarEvent>> after = crmOccurrences(id);
      assertThat(after).hasSize(3);
      String expectFirst = round % 2 == 1 ? "Pipeline review (CRM v" + round + ")" : "Pipeline review (Outlook v" + round + ")";
      String expectSecond = round % 2 == 1 ? "Pipeline review (Outlook v" + round + ")" : "Pipeline review (CRM v" + round + ")";
      assertThat(after.get(0).item().subject()).isEqualTo(expectFirst);
      assertThat(after.get(1).item().subject()).isEqualTo(expectSecond);
      assertThat(world.box.calendar().get(first).orElseThrow().item().subject()).isEqualTo(expectFirst);
      assertThat(world.box.calendar().get(second).orElseThrow().item().subject()).isEqualTo(expectSecond);
      // times and zone never drift through the round trips
      assertThat(after.get(0).item().start()).isEqualTo(FIRST);
      assertThat(after.get(1).item().start().atZone(LOS_ANGELES).toLocalTime()).isEqualTo(LocalTime.of(9, 0));
      assertThat(after).allSatisfy(r -> assertThat(r.item().originalTimeZone()).isEqualTo("Pacific Standard Time"));
    }
    assertThat(world.box.calendar().get(first).orElseThrow().item().type()).isEqualTo(EventType.EXCEPTION);
    assertThat(world.box.calendar().get(masterId).orElseThrow().item().recurrence()).contains("numberOfOccurrences");
    assertThat(crm.duplicates(id)).isZero();
    assertThat(crm.creates()).isEqualTo(4);
  }

  private String remoteIdOfOccurrence(Instant start) {
    return world.box.calendar().all().stream()
        .filter(s -> s.item().type() != EventType.SERIES_MASTER && s.item().start().equals(start))
        .findFirst().orElseThrow().id();
  }

  @Test
  void crmUpdatesToAMeetingNeverReSendInvitations() {
    MailboxId id = world.signIn(ResourceSyncers.twoWay(ResourceType.EVENTS, crm)).id();
    Instant start = E2eWorld.START.plus(Duration.ofDays(3));
    CrmRecord<CalendarEvent> rec = crm.save(id, null, new CalendarEvent("Contract review", "Agenda: terms", start,
        start.plus(Duration.ofMinutes(30)), "Pacific Standard Time", false, "Teams", null,
        List.of(new Attendee(EmailAddress.of("buyer@customer.com"), "required", null)), EventType.SINGLE_INSTANCE,
        null, null, null, Map.of("crm.opportunity", "OPP-7")));

    world.sync(); // created in Microsoft 365: the invitation goes out then, as it should
    StoredItem<CalendarEvent> inOutlook = world.box.calendar().all().get(0);
    assertThat(inOutlook.item().attendees()).extracting(a -> a.email().address()).containsExactly("buyer@customer.com");
    assertThat(inOutlook.item().extensions())
        .as("extensions travel as single-value extended properties")
        .containsEntry("crm.opportunity", "OPP-7").containsEntry("m365sync.crmId", rec.crmId())
        .doesNotContainKey("m365sync.notifyAttendees");
    assertThat(expandedProperties(inOutlook.id(), "m365sync.crmId"))
        .as("served as Graph does, when asked with $expand=singleValueExtendedProperties($filter=...)")
        .contains("\"id\":\"String {00020329-0000-0000-C000-000000000046} Name m365sync.crmId\"")
        .contains("\"value\":\"" + rec.crmId() + "\"").doesNotContain("crm.opportunity");

    // 1. the CRM changes only its own field: the PATCH touches extended properties only, nobody is notified
    CrmRecord<CalendarEvent> cur = crm.find(id, rec.crmId()).orElseThrow();
    Map<String, String> ext = new HashMap<>(cur.item().extensions());
    ext.put("crm.opportunity", "OPP-8");
    crm.save(id, rec.crmId(), withExtensions(cur.item(), ext));
    world.sync();
    assertThat(world.box.calendar().get(inOutlook.id()).orElseThrow().item().extensions())
        .containsEntry("crm.opportunity", "OPP-8");
    assertThat(meetingUpdates()).isEmpty();

    // 2. the CRM moves the meeting: Graph sends attendees one update (it cannot be suppressed), but
    //    the attendees collection is not sent again, so no invitation is re-sent
    cur = crm.find(id, rec.crmId()).orElseThrow();
    crm.save(id, rec.crmId(), new CalendarEvent(cur.item().subject(), cur.item().body(), start.plus(Duration.ofHours(1)),
        start.plus(Duration.ofMinutes(90)), cur.item().originalTimeZone(), false, cur.item().location(), cur.item().organizer(),
        cur.item().attendees(), cur.item().type(), null, null, cur.item().iCalUid(), cur.item().extensions()));
    world.sync();
    assertThat(world.box.calendar().get(inOutlook.id()).orElseThrow().item().start()).isEqualTo(start.plus(Duration.ofHours(1)));
    assertThat(meetingUpdates()).singleElement()
        .satisfies(m -> assertThat(m.extensions().get("emulator.meetingUpdate")).isEqualTo("time"));

    // what went over the wire: no event PATCH carried attendees or the write flag
    List<EmulatorRequest> patches = world.requests("PATCH", "/events/");
    assertThat(patches).hasSize(2);
    assertThat(patches).allSatisfy(p -> {
      assertThat(p.body()).doesNotContain("\"attendees\"").doesNotContain("notifyAttendees").doesNotContain("\"subject\"");
      assertThat(p.header("If-Match")).isNotNull();
    });

    // echoes: nothing comes back, nothing is written again
    long saves = crm.saves();
    world.sync();
    assertThat(crm.saves()).isEqualTo(saves);
    assertThat(world.requests("PATCH", "/events/")).hasSize(2);
  }

  /** A plain PATCH of what the CRM changed: Exchange sends attendees the update, invitations are not re-sent. */
  @Test
  void aHostThatAsksForNotificationsSendsAMeetingUpdateOfWhatChanged() {
    MailboxId id = world.signIn(ResourceSyncers.twoWay(ResourceType.EVENTS, crm,
        io.m365sync.sync.TwoWayOptions.<CalendarEvent>builder().notifyAttendeesOnUpdate(true).build())).id();
    Instant start = E2eWorld.START.plus(Duration.ofDays(3));
    CrmRecord<CalendarEvent> rec = crm.save(id, null, new CalendarEvent("Kick-off", null, start, start.plus(Duration.ofMinutes(30)),
        "UTC", false, null, null, List.of(new Attendee(EmailAddress.of("buyer@customer.com"), "required", null)),
        EventType.SINGLE_INSTANCE, null, null, null, Map.of()));
    world.sync();
    CrmRecord<CalendarEvent> cur = crm.find(id, rec.crmId()).orElseThrow();
    crm.save(id, rec.crmId(), cur.item().withSubject("Kick-off (agenda attached)"));
    world.sync();
    assertThat(meetingUpdates()).singleElement()
        .satisfies(m -> assertThat(m.extensions().get("emulator.meetingUpdate")).contains("subject").doesNotContain("attendees"));
    assertThat(world.requests("GET", "/events/")).as("no read before a notifying update").isEmpty();
  }

  /** A plain Graph GET of one event expanding one of our extended properties (body as text). */
  private String expandedProperties(String eventId, String name) {
    String filter = "id eq 'String {00020329-0000-0000-C000-000000000046} Name " + name + "'";
    String url = world.emulator.graphBaseUrl() + "/users/" + world.user.objectId() + "/events/" + eventId
        + "?$expand=" + java.net.URLEncoder.encode("singleValueExtendedProperties($filter=" + filter + ")",
            java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    String token = world.delegated.acquire(world.mailbox(), io.m365sync.Purpose.BACKGROUND_SYNC).value();
    try {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).header("Authorization", "Bearer " + token).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return r.body();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private List<MailMessage> meetingUpdates() {
    return world.box.mail("sentitems").all().stream().map(StoredItem::item)
        .filter(m -> m.extensions().containsKey("emulator.meetingUpdate")).toList();
  }

  private static CalendarEvent withExtensions(CalendarEvent e, Map<String, String> ext) {
    return new CalendarEvent(e.subject(), e.body(), e.start(), e.end(), e.originalTimeZone(), e.allDay(), e.location(),
        e.organizer(), e.attendees(), e.type(), e.seriesMasterId(), e.recurrence(), e.iCalUid(), ext);
  }
}

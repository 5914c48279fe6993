package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365sync.Resource;
import io.m365sync.gateway.Change;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.ResourceType;
import io.m365sync.model.WindowsTimeZones;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.StoredItem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every Windows zone CLDR maps survives read and write-back, in the JSON shapes and over the emulator;
 * a zone the table does not know keeps its name through a CRM edit; a custom working-hours zone is kept whole.
 */
class WindowsTimeZonesOverGraphTest {
  static final Instant START = Instant.parse("2026-07-06T13:00:00Z");
  static final String CUSTOM_ZONE = """
      {"@odata.type":"#microsoft.graph.customTimeZone","bias":-200,"name":"Customized Time Zone",\
      "standardOffset":{"time":"02:00:00.0000000","dayOccurrence":1,"dayOfWeek":"sunday","month":5,"year":0},\
      "daylightOffset":{"daylightBias":100,"time":"02:00:00.0000000","dayOccurrence":2,"dayOfWeek":"sunday","month":10,"year":0}}""";

  private EmulatorFixture fx;

  @AfterEach
  void close() {
    if (fx != null) {
      fx.close();
    }
  }

  private static CalendarEvent event(String zone) {
    return CalendarEvent.builder().subject("Review").start(START).end(START.plus(Duration.ofHours(1)))
        .originalTimeZone(zone).build();
  }

  /** An event as calendarView delta returns it under {@code Prefer: outlook.timezone="UTC"}. */
  private static String graphEvent(String zone) {
    return "{\"id\":\"AAMk1\",\"subject\":\"Review\",\"originalStartTimeZone\":\"" + zone + "\","
        + "\"start\":{\"dateTime\":\"2026-07-06T13:00:00.0000000\",\"timeZone\":\"UTC\"},"
        + "\"end\":{\"dateTime\":\"2026-07-06T14:00:00.0000000\",\"timeZone\":\"UTC\"}}";
  }

  private static CalendarEvent read(String json) throws IOException {
    return GraphJsonReader.item(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), GraphJsonReader.EVENT)
        .item();
  }

  @Test
  void everyCldrWindowsZoneRoundTripsThroughTheReaderAndTheWriter() throws IOException {
    for (String name : WindowsTimeZones.windowsNames()) {
      CalendarEvent in = read(graphEvent(name));
      assertThat(in.originalTimeZone()).isEqualTo(name);
      JsonNode out = GraphJsonReader.MAPPER.readTree(GraphJsonWriter.patch(new ItemPatch<>(in, Set.of("start"), Set.of())));
      ZoneId zone = WindowsTimeZones.zone(name);
      assertThat(out.at("/start/timeZone").asText()).as(name).isEqualTo(name);
      assertThat(LocalDateTime.parse(out.at("/start/dateTime").asText()).atZone(zone).toInstant()).as(name).isEqualTo(START);
      CalendarEvent back = read(((com.fasterxml.jackson.databind.node.ObjectNode) GraphJsonReader.MAPPER.readTree(GraphJsonWriter.write(in))).put("id", "AAMk1").toString());
      assertThat(back.start()).as(name).isEqualTo(START);
      assertThat(back.end()).as(name).isEqualTo(START.plus(Duration.ofHours(1)));
      assertThat(back.originalTimeZone()).as(name).isEqualTo(name);
    }
  }

  @Test
  void everyCldrWindowsZoneRoundTripsOverTheEmulator() {
    fx = new EmulatorFixture();
    fx.grantApplication(Resource.values());
    MailboxSession session = fx.appSession(fx.mailbox(fx.tenant.addUser("amy")));
    Map<String, String> zoneById = new HashMap<>();
    for (String name : WindowsTimeZones.windowsNames()) {
      zoneById.put(fx.gateway.create(session, ResourceType.EVENTS, null, event(name)).remoteId(), name);
    }
    DeltaPage<CalendarEvent> page = fx.gateway.delta(session, ResourceType.EVENTS,
        new DeltaRequest(null, null, START.minus(Duration.ofDays(1)), START.plus(Duration.ofDays(1)), 1000));
    assertThat(page.changes()).hasSize(zoneById.size());
    for (Change<CalendarEvent> c : page.changes()) {
      String name = zoneById.get(c.remoteId());
      assertThat(c.item().originalTimeZone()).isEqualTo(name);
      assertThat(c.item().start()).as(name).isEqualTo(START);
      // a CRM move by an hour goes back in the meeting's own zone
      Instant moved = START.plus(Duration.ofHours(1));
      fx.gateway.update(session, ResourceType.EVENTS, null, c.remoteId(), null,
          new ItemPatch<>(c.item().withTimes(moved, moved.plus(Duration.ofHours(1))), Set.of("start", "end"), Set.of()));
    }
    ModelUser amy = fx.tenant.findUser("amy@contoso.com").orElseThrow();
    for (StoredItem<CalendarEvent> s : fx.tenant.mailbox(amy).calendar().all()) {
      assertThat(s.item().originalTimeZone()).isEqualTo(zoneById.get(s.id()));
      assertThat(s.item().start()).as(s.item().originalTimeZone()).isEqualTo(START.plus(Duration.ofHours(1)));
    }
  }

  @Test
  void aCrmEditToAMeetingInAZoneTheTableDoesNotKnowKeepsItsWindowsName() {
    fx = new EmulatorFixture();
    fx.grantApplication(Resource.values());
    ModelUser amy = fx.tenant.addUser("amy");
    MailboxSession session = fx.appSession(fx.mailbox(amy));
    // as Outlook left it: a zone newer than the table (Graph knows it, we do not)
    String id = fx.tenant.mailbox(amy).calendar().create(event("Mars Standard Time")).id();
    CalendarEvent read = fx.gateway.delta(session, ResourceType.EVENTS,
        new DeltaRequest(null, null, START.minus(Duration.ofDays(1)), START.plus(Duration.ofDays(1)), 50))
        .changes().get(0).item();
    assertThat(read.originalTimeZone()).isEqualTo("Mars Standard Time");

    // the CRM edits the subject and writes the record back whole (e.g. CRM wins a conflict)
    fx.gateway.update(session, ResourceType.EVENTS, null, id, null, ItemPatch.full(read.withSubject("Review (moved room)")));

    CalendarEvent after = fx.tenant.mailbox(amy).calendar().get(id).orElseThrow().item();
    assertThat(after.subject()).isEqualTo("Review (moved room)");
    assertThat(after.originalTimeZone()).as("never rewritten as UTC").isEqualTo("Mars Standard Time");
    assertThat(after.start()).isEqualTo(START);
  }

  @Test
  void aCustomWorkingHoursZoneIsReadAndWrittenBackWhole() throws IOException {
    String json = "{\"timeZone\":\"Customized Time Zone\",\"workingHours\":{\"daysOfWeek\":[\"monday\"],"
        + "\"startTime\":\"08:00:00.0000000\",\"endTime\":\"17:00:00.0000000\",\"timeZone\":" + CUSTOM_ZONE + "}}";
    MailboxSettings s = GraphJsonReader.settings(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    assertThat(s.timeZone()).isEqualTo("Customized Time Zone");
    assertThat(s.workingHours().timeZone()).isEqualTo("Customized Time Zone");
    JsonNode out = GraphJsonReader.MAPPER.readTree(GraphJsonWriter.write(s));
    assertThat(out.at("/workingHours/timeZone")).isEqualTo(GraphJsonReader.MAPPER.readTree(CUSTOM_ZONE));
    assertThat(out.get("timeZone").asText()).isEqualTo("Customized Time Zone");
  }

  @Test
  void aCustomWorkingHoursZoneSurvivesASettingsEditOverTheEmulator() {
    fx = new EmulatorFixture();
    fx.grantApplication(Resource.values());
    ModelUser amy = fx.tenant.addUser("amy");
    MailboxSession session = fx.appSession(fx.mailbox(amy));
    var box = fx.tenant.mailbox(amy);
    box.updateSettings(new MailboxSettings("Customized Time Zone", new MailboxSettings.WorkingHours(
        List.of("monday"), LocalTime.of(8, 0), LocalTime.of(17, 0), "Customized Time Zone", CUSTOM_ZONE), null, Map.of()));
    MailboxSettings read = fx.gateway.delta(session, ResourceType.MAILBOX_SETTINGS, new DeltaRequest(null, null, null, null, 1))
        .changes().get(0).item();
    assertThat(read.workingHours().customTimeZone()).isNotNull();

    MailboxSettings.WorkingHours later = new MailboxSettings.WorkingHours(List.of("monday", "tuesday"),
        LocalTime.of(9, 0), LocalTime.of(17, 0), read.workingHours().timeZone(), read.workingHours().customTimeZone());
    fx.gateway.update(session, ResourceType.MAILBOX_SETTINGS, null, "mailboxSettings", null,
        new ItemPatch<>(new MailboxSettings(read.timeZone(), later, read.automaticReplies(), Map.of()),
            Set.of("workingHours"), Set.of()));

    MailboxSettings.WorkingHours stored = box.settings().workingHours();
    assertThat(stored.daysOfWeek()).containsExactly("monday", "tuesday");
    assertThat(readTree(stored.customTimeZone())).isEqualTo(readTree(CUSTOM_ZONE));
    assertThat(box.settings().timeZone()).isEqualTo("Customized Time Zone");
  }

  private static JsonNode readTree(String json) {
    try {
      return GraphJsonReader.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

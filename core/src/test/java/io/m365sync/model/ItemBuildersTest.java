package io.m365sync.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hosts build items by name and change one field without restating the others. */
class ItemBuildersTest {
  private static final Instant T = Instant.parse("2026-12-01T09:00:00Z");

  @Test
  void anEventBuiltByNameEqualsTheRecordAndChangesOneFieldAtATime() {
    CalendarEvent e = CalendarEvent.builder().subject("Kick-off").start(T).end(T.plusSeconds(1800))
        .location("Room 1").attendees(List.of()).extensions(Map.of("crm.deal", "42")).build();
    assertThat(e.toBuilder().build()).isEqualTo(e);
    CalendarEvent moved = e.withTimes(T.plusSeconds(3600), T.plusSeconds(5400));
    assertThat(moved.start()).isEqualTo(T.plusSeconds(3600));
    assertThat(moved.withTimes(e.start(), e.end())).isEqualTo(e);
    assertThat(e.withLocation("Room 2").extensions()).containsEntry("crm.deal", "42");
  }

  @Test
  void anEventWithoutTimesNamesWhatIsMissing() {
    assertThatThrownBy(() -> CalendarEvent.builder().subject("x").end(T).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start");
    assertThatThrownBy(() -> CalendarEvent.builder().start(T).end(T.minusSeconds(1)).build())
        .hasMessageContaining("'end' must not be before 'start'");
  }

  @Test
  void aContactKeepsEveryOtherFieldWhenOneChanges() {
    Contact c = Contact.builder().givenName("Ada").surname("Lovelace").email("ada@example.com")
        .phones(List.of("+44 20 0000")).companyName("Analytical Engines").jobTitle("Engineer").build();
    assertThat(c.displayName()).isEqualTo("Ada Lovelace");
    Contact married = c.withSurname("King");
    assertThat(married.displayName()).isEqualTo("Ada King");
    assertThat(married.toBuilder().surname("Lovelace").displayName(null).build()).isEqualTo(c);
    assertThat(married.phones()).containsExactly("+44 20 0000");
    assertThat(married.jobTitle()).isEqualTo("Engineer");
  }
}

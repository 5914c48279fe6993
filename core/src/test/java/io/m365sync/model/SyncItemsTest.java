package io.m365sync.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hosts replace an item's extensions and drop the engine's keys without core's internals. */
class SyncItemsTest {
  private static final Instant T = Instant.parse("2026-12-01T09:00:00Z");
  private static final Map<String, String> STAMPED = Map.of("crm.deal", "42", "m365sync.base", "abc",
      "m365sync.crmId", "c-1");

  @Test
  void everyRecordReplacesOnlyItsExtensions() {
    List<SyncItem> items = List.of(
        CalendarEvent.builder().subject("Kick-off").start(T).end(T.plusSeconds(1800)).build(),
        Contact.of("Ada", "Lovelace", "ada@example.com"),
        TodoTask.of("Call back", T),
        MailMessage.of("Hi", "a@example.com", "b@example.com", T, "<m1@example.com>"),
        new MailboxSettings("UTC", null, null, Map.of()));
    for (SyncItem item : items) {
      SyncItem stamped = item.withExtensions(STAMPED);
      assertThat(stamped).isInstanceOf(item.getClass());
      assertThat(stamped.extensions()).isEqualTo(STAMPED);
      assertThat(stamped.withExtensions(Map.of())).isEqualTo(item);
      assertThat(SyncItems.withoutReservedExtensions(stamped)).isEqualTo(item.withExtensions(Map.of("crm.deal", "42")));
    }
  }

  @Test
  void theHostsOwnExtensionsAreEverythingOutsideTheReservedPrefix() {
    assertThat(SyncItems.hostExtensions(STAMPED)).isEqualTo(Map.of("crm.deal", "42"));
    assertThat(SyncItems.<Contact>withoutReservedExtensions(null)).isNull();
  }
}

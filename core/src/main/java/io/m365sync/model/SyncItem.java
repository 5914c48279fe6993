package io.m365sync.model;

import java.util.Map;

/**
 * An item of Microsoft 365 data as the CRM sees it: core records only, never Graph SDK models.
 * Every item carries an opaque extension map for fields a host wants to round-trip.
 */
public sealed interface SyncItem permits CalendarEvent, Contact, MailMessage, TodoTask, MailboxSettings {

  /** Host-defined extra fields; never null. */
  Map<String, String> extensions();

  /**
   * A key that identifies "the same item" by content, used to re-link items after a full resync
   * when no id link survives; null when the item has nothing stable to match on.
   */
  String matchKey();

  /**
   * A copy of this item with {@code newExtensions} as its extensions (every other field kept); each
   * record returns its own type. To drop the engine's reserved keys, see
   * {@link SyncItems#withoutReservedExtensions}.
   */
  SyncItem withExtensions(Map<String, String> newExtensions);
}

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
}

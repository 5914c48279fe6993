package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.state.CursorKey;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.SyncRound;
import java.util.Optional;

/**
 * Small durable notes kept in the state store's cursor table under reserved container names
 * ({@code m365sync:…}), fenced like cursors: the CRM watermark, the event window, captured
 * Internet Message-IDs, and each two-way CRM record's fields as last synced. Write-ahead notes of
 * creates are the {@link WriteAhead} note.
 */
final class Markers {
  static final String NS = "m365sync:";

  private final SyncStateStore state;
  private final MailboxId mailbox;
  private final Resource resource;
  private final long fence;

  Markers(SyncRound round, Resource resource) {
    this(round.state(), round.mailbox().id(), resource, round.fence());
  }

  Markers(SyncStateStore state, MailboxId mailbox, Resource resource, long fence) {
    this.state = state;
    this.mailbox = mailbox;
    this.resource = resource;
    this.fence = fence;
  }

  CursorKey key(String name) {
    return key(mailbox, resource, name);
  }

  static CursorKey key(MailboxId mailbox, Resource resource, String name) {
    return new CursorKey(mailbox, resource, name);
  }

  Optional<String> get(String name) {
    return state.cursor(key(name));
  }

  void put(String name, String value) {
    state.putCursor(key(name), value, fence);
  }

  void remove(String name) {
    state.removeCursor(key(name), fence);
  }

  // names are whole container names: the fixed ones are constants, so every mailbox's key shares one
  // string, which the in-memory store keeps per mailbox
  static String crmWatermark() {
    return NS + "crm-watermark";
  }

  static String window() {
    return NS + "event-window";
  }

  /**
   * Set while a calendar's first full read is read as time slices ({@link DeltaReader}); a round that
   * finds it set (that read failed) reads one chain instead, or, when Graph only throttled that read,
   * slices again with the fewer lanes the note names.
   */
  static String slicing() {
    return NS + "event-slicing";
  }

  /**
   * Capture: the CRM id of the record captured for an {@link ItemRules#identity} (mail's Internet
   * Message-ID), so that a copy of the item (another id, in any container) is not captured again.
   */
  static String identity(String identity) {
    return NS + "mail:" + Reserved.hash(identity);
  }

  /** The CRM record's fields as last synced ({@link SyncedFields}): the base of its next push. */
  static String base(String crmId) {
    return NS + "base:" + crmId;
  }
}

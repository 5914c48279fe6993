package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.state.CursorKey;
import io.m365sync.state.SyncStateStore;

/**
 * The host's release of a quarantined resource: a durable, fenced note in the state store that lets
 * the next round of that mailbox and resource through the mass-change guard once. Durable so that it
 * holds on whichever node runs the next round.
 */
public final class QuarantineRelease {
  private QuarantineRelease() {}

  /** Lets the next round of {@code resource} through the guard; written under the mailbox's lock. */
  public static void grant(SyncStateStore state, MailboxId mailbox, Resource resource, long fence) {
    state.putCursor(key(mailbox, resource), "released", fence);
  }

  static boolean granted(SyncStateStore state, MailboxId mailbox, Resource resource) {
    return state.cursor(key(mailbox, resource)).isPresent();
  }

  /**
   * Uses up the release once the round it let through has committed, or once a round of a
   * quarantined mailbox went through without needing it (the cause went away): a release never
   * lingers to let a later, unrelated mass change through.
   */
  public static void consume(SyncStateStore state, MailboxId mailbox, Resource resource, long fence) {
    if (granted(state, mailbox, resource)) {
      state.removeCursor(key(mailbox, resource), fence);
    }
  }

  static CursorKey key(MailboxId mailbox, Resource resource) {
    return new CursorKey(mailbox, resource, Markers.NS + "quarantine-release");
  }
}

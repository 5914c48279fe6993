package io.m365sync.internal.sync;

/** Which way a {@link SyncPipeline} lets changes flow: the one thing its modes differ in. */
enum Flow {
  /**
   * Microsoft 365 → CRM only: the CRM holds each item as Microsoft 365 has it, CRM edits are neither
   * read nor pushed, and nothing is ever written to Microsoft 365.
   */
  MIRROR,
  /** Both ways, with conflicts decided by the options' policy. */
  TWO_WAY,
  /**
   * Mail capture, Microsoft 365 → CRM only: the CRM keeps its record of correspondence. A captured
   * record is never deleted (deleting the item or moving it out of the synced containers leaves it)
   * nor re-created once the host removed it; an item is captured once per identity (Internet
   * Message-ID) across containers; new items pass the capture filter; the CRM form is stamped with
   * its origin. Nothing is ever written to Microsoft 365, and no round is quarantined: it never
   * deletes, and its overwrites are the same messages refiled.
   */
  CAPTURE;

  boolean pushes() {
    return this == TWO_WAY;
  }

  boolean captures() {
    return this == CAPTURE;
  }

  /** Whether the CRM form carries its origin and fingerprint ({@link Reserved#stamp}). */
  boolean stamps() {
    return this != MIRROR;
  }
}

package io.m365sync.internal.sync;

/** Which way a {@link SyncPipeline} lets changes flow: the one thing one-way and two-way sync differ in. */
enum Flow {
  /**
   * Microsoft 365 → CRM only: the CRM holds each item as Microsoft 365 has it, CRM edits are neither
   * read nor pushed, and nothing is ever written to Microsoft 365.
   */
  MIRROR,
  /** Both ways, with conflicts decided by the options' policy. */
  TWO_WAY;

  boolean pushes() {
    return this == TWO_WAY;
  }
}

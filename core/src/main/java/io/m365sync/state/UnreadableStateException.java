package io.m365sync.state;

import io.m365sync.M365SyncException;
import io.m365sync.MailboxId;

/**
 * A single-row read of a {@link SyncStateStore} found the row but could not read it (see
 * {@link UnreadableRow}). Not retryable: the row stays unreadable until it is rewritten (enrolling
 * the mailbox again rewrites its enrollment) or this library is upgraded to the version that wrote it.
 */
public final class UnreadableStateException extends M365SyncException {
  private static final long serialVersionUID = 1L;

  private final UnreadableRow row;

  /**
   * @param row the row and its problem
   * @param mailbox the mailbox the row belongs to, or null if unknown
   * @param cause what the store's reader threw, or null
   */
  public UnreadableStateException(UnreadableRow row, MailboxId mailbox, Throwable cause) {
    super("Unreadable state: " + row, null, mailbox, null, false, cause);
    this.row = row;
  }

  /** The row that could not be read. */
  public UnreadableRow row() {
    return row;
  }
}

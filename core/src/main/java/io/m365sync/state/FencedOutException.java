package io.m365sync.state;

import io.m365sync.M365SyncException;
import io.m365sync.MailboxId;

/** A write carried an older fence than the mailbox's current lease: this node lost the lease. */
public final class FencedOutException extends M365SyncException {
  private static final long serialVersionUID = 1L;

  public FencedOutException(MailboxId mailbox, long fence, long current) {
    super("Write for mailbox " + mailbox + " refused: fence " + fence + " is older than the current lease " + current,
        null, mailbox, null, false, null);
  }
}

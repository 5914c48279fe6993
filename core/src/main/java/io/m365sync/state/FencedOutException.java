package io.m365sync.state;

import io.m365sync.M365SyncException;
import io.m365sync.MailboxId;

/** A write carried an older fence than the mailbox's current lease: this node lost the lease. */
public final class FencedOutException extends M365SyncException {
  private static final long serialVersionUID = 1L;

  public FencedOutException(MailboxId mailbox, long fence, long current) {
    this(mailbox, "Write for mailbox " + mailbox + " refused: fence " + fence + " is older than the current lease "
        + current);
  }

  private FencedOutException(MailboxId mailbox, String message) {
    super(message, null, mailbox, null, false, null);
  }

  /** The mailbox was unenrolled while a round ran: the round stops before its next request. */
  public static FencedOutException unenrolled(MailboxId mailbox) {
    return new FencedOutException(mailbox, "Mailbox " + mailbox + " was unenrolled while its round ran; the round stopped");
  }
}

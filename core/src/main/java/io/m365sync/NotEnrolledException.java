package io.m365sync;

/**
 * The host asked to sync a mailbox whose owner never signed in to the CRM add-in (or was
 * unenrolled). No request was sent for it.
 */
public final class NotEnrolledException extends M365SyncException {
  private static final long serialVersionUID = 1L;

  public NotEnrolledException(MailboxId mailbox) {
    super("Mailbox " + mailbox + " is not enrolled: its owner has not signed in to the CRM add-in,"
        + " so m365sync sends no request for it in any mode", null, mailbox, null, false, null);
  }
}

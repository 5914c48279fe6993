package io.m365sync.sync;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.model.SyncItem;
import java.time.Instant;

/**
 * One conflict the syncer met and how it was decided: an entry of the {@link ConflictJournal}.
 *
 * @param mailbox whose mailbox
 * @param resource which resource
 * @param crmId the CRM record; null when it had no CRM id yet
 * @param remoteId the Microsoft 365 item; null when it had none yet
 * @param kind what collided
 * @param crmItem the CRM's version; null when the CRM deleted it
 * @param microsoftItem Microsoft 365's version; null when Microsoft 365 deleted it
 * @param winner who won
 * @param detectedAt when (the round's clock)
 */
public record Conflict(MailboxId mailbox, Resource resource, String crmId, String remoteId, Kind kind,
                       SyncItem crmItem, SyncItem microsoftItem, Winner winner, Instant detectedAt) {

  /** What collided. */
  public enum Kind {
    /** Both sides edited the item. */
    BOTH_CHANGED,
    /** The CRM deleted the record while Microsoft 365 edited the item. */
    CRM_DELETED,
    /** Microsoft 365 deleted the item while the CRM edited the record. */
    MICROSOFT_DELETED,
    /** Two items with the same content key but different content met without an id link (full resync). */
    UNLINKED_MATCH
  }

  /** Who won. */
  public enum Winner { MICROSOFT, CRM, MERGED }

  public Conflict {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(resource, "resource");
    Checks.requireNonNull(kind, "kind");
    Checks.requireNonNull(winner, "winner");
    Checks.requireNonNull(detectedAt, "detectedAt");
  }
}

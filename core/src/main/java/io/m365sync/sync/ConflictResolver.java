package io.m365sync.sync;

import io.m365sync.model.SyncItem;

/**
 * A host's conflict rule for {@link ConflictPolicy#CUSTOM}. Called on the syncing thread; must be
 * fast and must not call back into the engine. An exception from it fails the resource's round
 * (nothing of the round is applied; the next round asks again).
 *
 * @param <T> the item record
 */
@FunctionalInterface
public interface ConflictResolver<T extends SyncItem> {

  /** Decides a conflict; {@code conflict.crmItem()} or {@code conflict.microsoftItem()} is null for a deletion. */
  Resolution<T> resolve(Pending<T> conflict);

  /**
   * A conflict awaiting the host's decision.
   *
   * @param crmItem the CRM's version (reserved {@code m365sync.*} extensions removed); null when the CRM deleted it
   * @param microsoftItem Microsoft 365's version; null when Microsoft 365 deleted it
   */
  record Pending<T extends SyncItem>(io.m365sync.MailboxId mailbox, io.m365sync.Resource resource, String crmId,
                                     String remoteId, Conflict.Kind kind, T crmItem, T microsoftItem) {}

  /**
   * The decision.
   *
   * @param winner which side's version survives, or {@link Conflict.Winner#MERGED}
   * @param merged the item both sides get for {@code MERGED}; else null
   */
  record Resolution<T extends SyncItem>(Conflict.Winner winner, T merged) {
    public Resolution {
      io.m365sync.Checks.requireNonNull(winner, "winner");
      if ((winner == Conflict.Winner.MERGED) != (merged != null)) {
        throw new IllegalArgumentException("a MERGED resolution needs a merged item, the others none; got "
            + winner + " with " + merged);
      }
    }

    public static <T extends SyncItem> Resolution<T> microsoft() {
      return new Resolution<>(Conflict.Winner.MICROSOFT, null);
    }

    public static <T extends SyncItem> Resolution<T> crm() {
      return new Resolution<>(Conflict.Winner.CRM, null);
    }

    public static <T extends SyncItem> Resolution<T> merged(T item) {
      return new Resolution<>(Conflict.Winner.MERGED, item);
    }
  }
}

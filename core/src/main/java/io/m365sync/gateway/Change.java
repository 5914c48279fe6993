package io.m365sync.gateway;

import io.m365sync.Checks;
import io.m365sync.model.SyncItem;

/**
 * One change read from a delta page.
 *
 * @param kind upsert or delete ({@code @removed})
 * @param remoteId the Graph (immutable) id
 * @param changeKey the item's change key or etag; null for deletes
 * @param item the item for upserts; null for deletes
 */
public record Change<T extends SyncItem>(Kind kind, String remoteId, String changeKey, T item) {

  public enum Kind { UPSERT, DELETE }

  public Change {
    Checks.requireNonNull(kind, "kind");
    Checks.requireText(remoteId, "remoteId");
    if (kind == Kind.UPSERT && item == null) {
      throw new IllegalArgumentException("an UPSERT change needs an item (remoteId " + remoteId + ")");
    }
  }

  public static <T extends SyncItem> Change<T> upsert(String remoteId, String changeKey, T item) {
    return new Change<>(Kind.UPSERT, remoteId, changeKey, item);
  }

  public static <T extends SyncItem> Change<T> delete(String remoteId) {
    return new Change<>(Kind.DELETE, remoteId, null, null);
  }
}

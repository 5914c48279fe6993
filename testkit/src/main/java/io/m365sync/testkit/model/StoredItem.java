package io.m365sync.testkit.model;

import io.m365sync.model.SyncItem;

/**
 * An item as the mailbox holds it.
 *
 * @param id immutable id, stable across folder moves
 * @param changeKey changes on every update; the etag is {@code W/"changeKey"}
 */
public record StoredItem<T extends SyncItem>(String id, String changeKey, T item) {
  public String etag() {
    return "W/\"" + changeKey + "\"";
  }

  /** Whether {@code ifMatch} (an etag or a bare change key) names this version. */
  public boolean matches(String ifMatch) {
    return ifMatch == null || ifMatch.equals("*") || ifMatch.equals(etag()) || ifMatch.equals(changeKey)
        || ifMatch.equals("\"" + changeKey + "\"");
  }
}

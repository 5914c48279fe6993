package io.m365sync.testkit.model;

import io.m365sync.model.SyncItem;

/** One entry of a delta page: an item's current state, or its removal ({@code item} null). */
public record ModelChange<T extends SyncItem>(String id, String changeKey, T item, String removedReason) {
  public boolean removed() {
    return item == null;
  }
}

package io.m365sync.internal.sync;

import io.m365sync.gateway.Change;
import io.m365sync.model.SyncItem;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * What the pull step read from Microsoft 365: the latest change per item (an upsert seen in any
 * container beats a removal from another: a move), the delta links to commit per container, whether
 * it was a full round (then {@code seen} holds every item present), the window it used, and the
 * container each upserted item was read in (empty string: the default), which its link keeps.
 */
record Pulled<T extends SyncItem>(Map<String, Change<T>> changes, Map<String, String> cursors, boolean full,
                                  Set<String> seen, Window window, boolean windowMoved, Map<String, String> containers) {
  Collection<Change<T>> all() {
    return changes.values();
  }

  /** The container this round read {@code remoteId} in, else {@code otherwise}. */
  String containerOf(String remoteId, String otherwise) {
    return containers.getOrDefault(remoteId, otherwise);
  }
}

package io.m365sync.internal.sync;

import io.m365sync.gateway.Change;
import io.m365sync.model.SyncItem;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * What the pull step read from Microsoft 365: the latest change per item (an upsert seen in any
 * container beats a removal from another: a move), the delta links to commit per container, whether
 * it was a full round (then {@code seen} holds every item present), and the window it used.
 */
record Pulled<T extends SyncItem>(Map<String, Change<T>> changes, Map<String, String> cursors, boolean full,
                                  Set<String> seen, Window window, boolean windowMoved) {
  Collection<Change<T>> all() {
    return changes.values();
  }
}

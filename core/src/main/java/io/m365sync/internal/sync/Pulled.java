package io.m365sync.internal.sync;

import io.m365sync.gateway.Change;
import io.m365sync.gateway.SkippedItem;
import io.m365sync.model.SyncItem;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the pull step read from Microsoft 365: the latest change per item (an upsert seen in any
 * container beats a removal from another: a move), the delta links to commit per container, whether
 * it was a full round (then {@code seen} holds every item present), the window it used, the
 * container each upserted item was read in (empty string: the default), which its link keeps, and the
 * items it could not read ({@code skipped}: present, but neither changed nor deleted as far as the
 * round knows). {@code cursors} is what the round commits under its cursor keys' containers: the
 * chains' delta links, and notes of the read (null: removed).
 */
record Pulled<T extends SyncItem>(Map<String, Change<T>> changes, Map<String, String> cursors, boolean full,
                                  Set<String> seen, Window window, boolean windowMoved, Map<String, String> containers,
                                  List<SkippedItem> skipped) {
  Collection<Change<T>> all() {
    return changes.values();
  }

  /** The same read without the changes {@code done} (written already): the items stay seen. */
  Pulled<T> without(Predicate<Change<T>> done) {
    Map<String, Change<T>> rest = new LinkedHashMap<>();
    changes.forEach((id, c) -> {
      if (!done.test(c)) {
        rest.put(id, c);
      }
    });
    return new Pulled<>(rest, cursors, full, seen, window, windowMoved, containers, skipped);
  }

  /** The container this round read {@code remoteId} in, else {@code otherwise}. */
  String containerOf(String remoteId, String otherwise) {
    return containers.getOrDefault(remoteId, otherwise);
  }

  /**
   * Whether a full round proves the item gone by not listing it. Never when the round skipped an item
   * without an id: that item may be any of the linked ones, and a skipped item is never a deletion.
   */
  boolean absent(String remoteId) {
    return full && !seen.contains(remoteId) && skipped.stream().allMatch(s -> s.remoteId() != null);
  }
}

package io.m365sync.internal.sync;

import io.m365sync.model.SyncItem;
import io.m365sync.sync.Conflict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a round will do: conflicts to journal, then the writes in order, then the write-ahead notes
 * of earlier crashed creates that the writes settle.
 */
final class Plan<T extends SyncItem> {
  final List<Conflict> conflicts = new ArrayList<>();
  final List<Action<T>> actions = new ArrayList<>();
  final Set<String> settled = new LinkedHashSet<>();
  /** Capture only: new captures' remote ids → their identity marker ({@link Markers#identity}), noted as they land. */
  final Map<String, String> identities = new HashMap<>();
  int unchanged;

  void add(Action<T> action) {
    actions.add(action);
  }

  int destructive(Action.Side side) {
    return (int) actions.stream().filter(a -> a.destructiveOn() == side).count();
  }
}

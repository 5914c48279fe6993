package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.gateway.Change;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.SkippedItem;
import io.m365sync.gateway.SyncStateExpiredException;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.CursorKey;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.SyncRound;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Pull step: reads every container's delta from its stored link to the end of the round, without
 * committing anything. A missing link, an expired one (410, also mid-round), or an events window
 * that must slide makes it a full round over every container; with {@code startFromNow}, a resource
 * none of whose containers has a link yet starts from the present instead (no items, only links).
 * Items a page could not read are collected, and stand in the round as present and unchanged.
 */
final class DeltaReader<T extends SyncItem> {
  private final ResourceType<T> type;
  private final List<String> containers;
  private final boolean windowed;
  private final boolean startFromNow;

  DeltaReader(ResourceType<T> type, List<String> containers, boolean windowed, boolean startFromNow) {
    this.type = type;
    this.containers = containers.isEmpty() ? List.of("") : List.copyOf(containers);
    this.windowed = windowed;
    this.startFromNow = startFromNow;
  }

  List<String> containers() {
    return containers;
  }

  Pulled<T> read(SyncRound round, Markers markers, Window desired, java.time.Duration slide) {
    Window stored = windowed ? markers.get(Markers.window()).map(Window::decode).orElse(null) : null;
    if (startFromNow && (!windowed || stored == null) && containers.stream().allMatch(c -> cursor(round, c).isEmpty())) {
      // a first round "from now on": only delta links marking the present, nothing to reconcile
      return readAll(round, false, windowed ? desired : null, windowed);
    }
    boolean slideNow = windowed && slides(stored, desired, slide);
    boolean full = slideNow || containers.stream().anyMatch(c -> cursor(round, c).isEmpty());
    if (!full) {
      try {
        return readAll(round, false, stored, false);
      } catch (SyncStateExpiredException expired) {
        // the delta link died (Outlook evicted it): read everything again and re-link
      }
    }
    Window window = windowed ? (slideNow ? desired : stored) : null;
    return readAll(round, true, window, slideNow);
  }

  /**
   * The first request of each container's read when a round would only follow stored links: one per
   * container, from its link; empty when the round would read more (a link missing, the window due
   * to slide), which no probe of the links can stand for.
   */
  Optional<List<DeltaRequest>> probes(SyncStateStore state, MailboxId mailbox, Markers markers, Window desired,
                                      java.time.Duration slide, int pageSize) {
    Window stored = windowed ? markers.get(Markers.window()).map(Window::decode).orElse(null) : null;
    if (windowed && slides(stored, desired, slide)) {
      return Optional.empty();
    }
    List<DeltaRequest> requests = new ArrayList<>(containers.size());
    for (String container : containers) {
      Optional<String> cursor = state.cursor(new CursorKey(mailbox, type.resource(), container));
      if (cursor.isEmpty()) {
        return Optional.empty();
      }
      requests.add(new DeltaRequest(container.isEmpty() ? null : container, cursor.get(),
          stored == null ? null : stored.start(), stored == null ? null : stored.end(), pageSize, false));
    }
    return Optional.of(requests);
  }

  /** Whether the events window must move (none stored yet, or the desired one is a slide away). */
  private static boolean slides(Window stored, Window desired, java.time.Duration slide) {
    return stored == null
        || !desired.start().isBefore(stored.start().plus(slide)) || desired.end().isAfter(stored.end().plus(slide));
  }

  private Optional<String> cursor(SyncRound round, String container) {
    return round.state().cursor(new CursorKey(round.mailbox().id(), type.resource(), container));
  }

  private Pulled<T> readAll(SyncRound round, boolean full, Window window, boolean windowMoved) {
    Map<String, Change<T>> latest = new LinkedHashMap<>();
    Map<String, String> cursors = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    Set<SkippedItem> skipped = new LinkedHashSet<>();
    Map<String, String> readIn = new HashMap<>();
    for (String container : containers) {
      Map<String, Change<T>> own = new LinkedHashMap<>();
      // not full and no link: a start from now (only then does a container lack one here)
      String cursor = full ? null : cursor(round, container).orElse(null);
      boolean fromNow = !full && cursor == null;
      while (true) {
        DeltaRequest request = new DeltaRequest(container.isEmpty() ? null : container, cursor,
            window == null ? null : window.start(), window == null ? null : window.end(), round.pageSize(), fromNow);
        DeltaPage<T> page = round.gateway().delta(round.session(), type, request);
        for (Change<T> c : page.changes()) {
          own.remove(c.remoteId()); // keep server order of the latest change
          own.put(c.remoteId(), c);
        }
        for (SkippedItem s : page.skipped()) {
          if (s.remoteId() != null) {
            own.remove(s.remoteId()); // its latest state is unreadable: what an earlier page said is stale
          }
          skipped.add(s);
        }
        cursor = page.cursor();
        if (!page.more()) {
          break;
        }
      }
      cursors.put(container, cursor);
      for (Change<T> c : own.values()) {
        Change<T> earlier = latest.get(c.remoteId());
        // a move between containers reads as a removal in one and an upsert in the other
        if (earlier == null || c.kind() == Change.Kind.UPSERT) {
          latest.put(c.remoteId(), c);
        }
        if (c.kind() == Change.Kind.UPSERT) {
          seen.add(c.remoteId());
          readIn.put(c.remoteId(), container);
        }
      }
    }
    for (SkippedItem s : skipped) {
      // present but unreadable: never a deletion (not even a removal from another container), never absent
      String id = s.remoteId();
      if (id != null && !seen.contains(id)) {
        latest.remove(id);
        seen.add(id);
      }
    }
    return new Pulled<>(latest, cursors, full, seen, window, windowMoved, readIn, List.copyOf(skipped));
  }
}

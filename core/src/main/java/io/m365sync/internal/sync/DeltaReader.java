package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.gateway.Change;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.SkippedItem;
import io.m365sync.gateway.SyncStateExpiredException;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.internal.Fork;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.CursorKey;
import io.m365sync.sync.SyncRound;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Pull step: reads every delta chain of the resource from its stored link to the end of the round,
 * without committing anything. A chain is a container's delta (contact folders, mail folders), or
 * the events window; a round reads its chains at once, as many as the mailbox may have requests in
 * flight ({@link SyncRound#maxRequestsInFlight}), and merges them in the chains' order, whatever order
 * they ended in. A missing link, an expired one (410, also
 * mid-round), or an events window that must slide makes it a full round over every chain; with
 * {@code startFromNow}, a resource none of whose chains has a link yet starts from the present
 * instead: its chains are read to their links and what they return is dropped, since Outlook has no
 * documented "from now" link (Graph documents {@code $deltatoken=latest} for directory objects only, and
 * Outlook answers it with every item). Items a page could not read are collected, and stand in the round
 * as present and unchanged.
 *
 * <p>The events window keeps one chain, whose link later rounds and idle probes follow, except in
 * the first full read of a calendar larger than {@link #PAGES_BEFORE_CUTTING} pages: one chain is its
 * pages one after another, so at Graph's latency a large calendar would take its pages × the latency
 * whatever else the engine does. That read cuts the window into time slices ({@link Slices}), each a
 * chain of its own, and reads them as many at once as the mailbox may have requests in flight, keeping
 * no link: a slice's link would cost a request per slice in every later round and idle probe, and
 * Graph has no way to merge links. So the round after it reads the window whole, as after a 410: what
 * changed meanwhile, or moved across a boundary between two slices' reads, comes then. A large
 * calendar's first sync costs its pages twice in requests, the first time at a fraction of the latency.
 * The caller may take each slice as it is read ({@link SliceWrites}: a mirror writes it meanwhile).
 */
final class DeltaReader<T extends SyncItem> {
  private final ResourceType<T> type;
  private final List<String> containers;
  private final boolean windowed;
  private final boolean startFromNow;
  private final Function<T, Instant> startOf;

  /** A calendar's first full read cuts its window when it holds more than this many pages. */
  static final int PAGES_BEFORE_CUTTING = 2;
  /** How the slicing note begins after Graph throttled the sliced read: the lanes the next one may use follow. */
  private static final String THROTTLED = "throttled, lanes=";

  /** {@code startOf}: an item's start, for a windowed resource, to cut its window where slices hold about as many. */
  DeltaReader(ResourceType<T> type, List<String> containers, boolean windowed, boolean startFromNow,
              Function<T, Instant> startOf) {
    this.type = type;
    this.containers = containers.isEmpty() ? List.of("") : List.copyOf(containers);
    this.windowed = windowed;
    this.startFromNow = startFromNow;
    this.startOf = startOf;
  }

  List<String> containers() {
    return containers;
  }

  /** One delta chain: the container of its cursor key (null: its link is not kept), the container the gateway reads, and its window. */
  private record Chain(String key, String container, Window window) {
    DeltaRequest request(String cursor, int pageSize) {
      return new DeltaRequest(container.isEmpty() ? null : container, cursor, window == null ? null : window.start(),
          window == null ? null : window.end(), pageSize);
    }
  }

  /** What one chain read: the latest change per item in server order, the items it skipped, its last link. */
  private record Read<T extends SyncItem>(Chain chain, Map<String, Change<T>> changes, List<SkippedItem> skipped,
                                          String cursor) {}

  /**
   * The round's read. {@code slicesRead}, if not null, takes what each slice of a sliced read held (as a
   * read of that slice alone, in the round's window) as soon as it is read, one at a time, while lanes
   * read later slices; it is not called for reads of one chain.
   */
  Pulled<T> read(SyncRound round, Markers markers, Window desired, Duration slide, Consumer<Pulled<T>> slicesRead) {
    Window stored = windowed ? markers.get(Markers.window()).map(Window::decode).orElse(null) : null;
    List<Chain> chains = chains(windowed && stored == null ? desired : stored);
    Map<String, String> links = links(round, chains);
    if (startFromNow && (!windowed || stored == null) && links.isEmpty()) {
      // a first round "from now on": only delta links marking the present, nothing to reconcile
      return merge(readChains(round, chains, links, true), false, windowed ? desired : null, windowed);
    }
    boolean slideNow = windowed && slides(stored, desired, slide);
    boolean full = slideNow || links.size() < chains.size();
    if (!full) {
      try {
        return merge(readChains(round, chains, links, false), false, stored, false);
      } catch (SyncStateExpiredException expired) {
        // a delta link died (Outlook evicted it): read everything again and re-link
      }
    }
    if (!windowed) {
      return merge(readChains(round, chains, Map.of(), false), true, null, false);
    }
    return readWindow(round, markers, slideNow ? slid(stored, desired, slide) : stored, slideNow, stored == null,
        slicesRead);
  }

  /**
   * A full read of the events window along its chain. In the window's first full read its first
   * request asks for {@link #PAGES_BEFORE_CUTTING} pages at once (Graph gives up to 200 Outlook items a
   * page): when more remain, what it read is dropped and the window is read again as time slices
   * ({@link Slices}: cut from that page's starts and from what the slices read hold), as many at once as
   * the mailbox may have requests in flight and the round's share of the engine allows
   * ({@link SyncRound#requestShare}); with room for one, the chain goes on from that page and keeps its
   * link. A sliced read is many requests, each a chance to fail: if it fails, the next round reads one
   * chain; if Graph throttled it (the mailbox had more requests at Graph than it allows: another client
   * of the app, Graph's own load), the next round slices again with half as many lanes, down to one chain.
   */
  private Pulled<T> readWindow(SyncRound round, Markers markers, Window window, boolean windowMoved, boolean first,
                               Consumer<Pulled<T>> slicesRead) {
    Chain whole = whole(window);
    // as many slices at once as the mailbox may send requests, within its share of the engine
    int lanes = Math.max(1, Math.min(round.maxRequestsInFlight(), round.requestShare().getAsInt()));
    boolean mayCut = first && lanes > 1;
    // two pages at once: a calendar of up to two pages costs one request, sliced or not
    DeltaPage<T> page = round.gateway().delta(round.session(), type,
        whole.request(null, first ? PAGES_BEFORE_CUTTING * round.pageSize() : round.pageSize()));
    // a sliced read that failed is read as one chain, however many pages the calendar holds by then;
    // one that Graph throttled, with half its lanes
    Optional<String> failedBefore = first ? markers.get(Markers.slicing()) : Optional.empty();
    int mayRead = failedBefore.map(note -> Math.min(lanes, lanesAfter(note))).orElse(lanes);
    if (!mayCut || !page.more() || mayRead < 2) {
      // the page read is the chain's first: go on from it (the failed sliced read is done with then)
      Map<String, String> commit =
          failedBefore.isPresent() ? Collections.singletonMap(Markers.slicing(), null) : Map.of();
      return merge(List.of(readChain(round, whole, null, false, page)), true, window, windowMoved, commit);
    }
    markers.put(Markers.slicing(), window.encode());
    Slices slices = Slices.plan(window, starts(page), mayRead, round.pageSize());
    try {
      return merge(readSlices(round, slices, mayRead, window, slicesRead), true, window, windowMoved,
          Collections.singletonMap(Markers.slicing(), null));
    } catch (ThrottledException throttled) {
      try {
        markers.put(Markers.slicing(), THROTTLED + mayRead / 2 + ";" + window.encode());
      } catch (RuntimeException notNoted) {
        throttled.addSuppressed(notNoted); // the note says "failed": one chain next
      }
      throw throttled;
    }
  }

  /** The lanes a sliced read may use after the one its note tells of: one (a chain) unless Graph throttled it. */
  private static int lanesAfter(String note) {
    if (!note.startsWith(THROTTLED)) {
      return 1;
    }
    int end = note.indexOf(';', THROTTLED.length());
    try {
      return end < 0 ? 1 : Integer.parseInt(note, THROTTLED.length(), end, 10);
    } catch (NumberFormatException unreadable) {
      return 1;
    }
  }

  /**
   * Every slice read to its end, {@code lanes} at once: each lane takes the next
   * slice as it frees up, and tells the plan what its last one held; in window order. One slice's failure
   * fails the read (the slices being read end first; no further one starts). With {@code slicesRead}, one
   * more step hands it each slice read, in the order they end, until every lane has ended; its failure
   * stops the read as a slice's does.
   */
  private List<Read<T>> readSlices(SyncRound round, Slices slices, int lanes, Window window,
                                   Consumer<Pulled<T>> slicesRead) {
    // a lane's reads, one at a time, then an empty one when the lane ends
    BlockingQueue<Optional<Read<T>>> ended = new LinkedBlockingQueue<>();
    Supplier<List<Read<T>>> lane = () -> {
      List<Read<T>> read = new ArrayList<>();
      try {
        for (Window slice = slices.next(); slice != null; slice = slices.next()) {
          // one calendar: every slice reads the default one, and keeps no link
          Read<T> r = readChain(round, new Chain(null, "", slice), null, false, null);
          slices.read(slice, r.changes().size() + r.skipped().size());
          read.add(r);
          ended.add(Optional.of(r));
        }
      } catch (RuntimeException e) {
        slices.stop();
        throw e;
      } finally {
        ended.add(Optional.empty());
      }
      return read;
    };
    List<Supplier<List<Read<T>>>> steps = new ArrayList<>(Collections.nCopies(lanes, lane));
    if (slicesRead != null) {
      // last: on a direct executor or a saturated pool the lanes run first, on the caller
      steps.add(() -> {
        handOver(ended, lanes, slices, read -> slicesRead.accept(merge(List.of(read), false, window, false)));
        return List.of();
      });
    }
    return Fork.all(round.executor(), steps).stream()
        .flatMap(List::stream).sorted(Comparator.comparing((Read<T> r) -> r.chain().window().start())).toList();
  }

  /** Hands {@code to} each slice read as lanes end it, until {@code lanes} lanes have ended or the read stopped. */
  private static <T extends SyncItem> void handOver(BlockingQueue<Optional<Read<T>>> ended, int lanes, Slices slices,
                                                     Consumer<Read<T>> to) {
    try {
      for (int done = 0; done < lanes; ) {
        Optional<Read<T>> read = ended.take();
        if (read.isEmpty()) {
          done++;
        } else if (!slices.stopped()) {
          to.accept(read.get());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      slices.stop();
      throw new IllegalStateException("interrupted while writing a sliced read", e);
    } catch (RuntimeException e) {
      slices.stop();
      throw e;
    }
  }

  /** The starts of a page's items, in server order: a sample of the calendar to cut slices by. */
  private List<Instant> starts(DeltaPage<T> page) {
    List<Instant> starts = new ArrayList<>(page.changes().size());
    for (Change<T> c : page.changes()) {
      Instant start = c.item() == null ? null : startOf.apply(c.item());
      if (start != null) {
        starts.add(start);
      }
    }
    return starts;
  }

  /**
   * The first request of each chain's read when a round would only follow stored links: one per
   * chain, from its link; or, when the events window is due to slide, the first request of the full
   * read of the window it slides to (no link: its page is the round's first, never a quiet one);
   * empty when the round would read more (a link missing, no window yet), which no probe can stand for.
   */
  Optional<List<DeltaRequest>> probes(Map<CursorKey, String> read, MailboxId mailbox, String storedWindow, Window desired,
                                      Duration slide, int pageSize) {
    Window stored = windowed && storedWindow != null ? Window.decode(storedWindow) : null;
    if (windowed && slides(stored, desired, slide)) {
      return stored == null ? Optional.empty()
          : Optional.of(List.of(whole(slid(stored, desired, slide)).request(null, pageSize)));
    }
    List<Chain> chains = chains(stored);
    List<DeltaRequest> requests = new ArrayList<>(chains.size());
    for (Chain chain : chains) {
      String cursor = read.get(new CursorKey(mailbox, type.resource(), chain.key()));
      if (cursor == null) {
        return Optional.empty();
      }
      requests.add(chain.request(cursor, pageSize));
    }
    return Optional.of(requests);
  }

  /** The cursor keys of the chains' links: the containers', or the events window's one. */
  List<CursorKey> chainKeys(MailboxId mailbox) {
    return chains(null).stream().map(c -> new CursorKey(mailbox, type.resource(), c.key())).toList();
  }

  /**
   * The window a slide moves to: the stored one moved on by whole slides, so that an idle probe and the
   * round after it, a moment apart, ask for the same window (the round then takes the probe's page);
   * the desired one for the first window, or where the options changed its width (or the clock went back).
   */
  private static Window slid(Window stored, Window desired, Duration slide) {
    if (stored == null) {
      return desired; // the first window
    }
    Duration width = Duration.between(stored.start(), stored.end());
    if (width.toMillis() != Duration.between(desired.start(), desired.end()).toMillis()
        || desired.start().isBefore(stored.start())) {
      return desired;
    }
    Duration by = slide.multipliedBy(Math.max(1, Duration.between(stored.start(), desired.start()).dividedBy(slide)));
    return new Window(stored.start().plus(by), stored.end().plus(by));
  }

  /** Whether the events window must move (none stored yet, or the desired one is a slide away). */
  private static boolean slides(Window stored, Window desired, Duration slide) {
    return stored == null
        || !desired.start().isBefore(stored.start().plus(slide)) || desired.end().isAfter(stored.end().plus(slide));
  }

  /** The chains stored links follow: the containers, or the events window whole. */
  private List<Chain> chains(Window window) {
    if (!windowed) {
      return containers.stream().map(c -> new Chain(c, c, null)).toList();
    }
    return List.of(whole(window));
  }

  private static Chain whole(Window window) {
    return new Chain("", "", window);
  }

  /** The stored link of each chain that has one, by its key. */
  private Map<String, String> links(SyncRound round, List<Chain> chains) {
    Map<String, String> links = new HashMap<>();
    for (Chain chain : chains) {
      round.state().cursor(new CursorKey(round.mailbox().id(), type.resource(), chain.key()))
          .ifPresent(link -> links.put(chain.key(), link));
    }
    return links;
  }

  /** Every chain read to its end, at once within the mailbox's request cap; in the chains' order. */
  private List<Read<T>> readChains(SyncRound round, List<Chain> chains, Map<String, String> links, boolean fromNow) {
    List<Supplier<Read<T>>> reads = chains.stream().<Supplier<Read<T>>>map(chain -> () -> {
      String link = chain.key() == null ? null : links.get(chain.key());
      return readChain(round, chain, link, fromNow && link == null, null);
    }).toList();
    return Fork.all(round.executor(), round.maxRequestsInFlight(), reads);
  }

  /**
   * One chain from {@code cursor} (null: from the start) to its delta link, from its {@code first} page
   * when that was read already (else null); {@code fromNow}: only to its link, what exists now dropped.
   */
  private Read<T> readChain(SyncRound round, Chain chain, String cursor, boolean fromNow, DeltaPage<T> first) {
    Map<String, Change<T>> own = new LinkedHashMap<>();
    List<SkippedItem> skipped = new ArrayList<>();
    for (DeltaPage<T> read = first; ; read = null) {
      DeltaPage<T> page = read != null ? read
          : round.gateway().delta(round.session(), type, chain.request(cursor, round.pageSize()));
      for (Change<T> c : fromNow ? List.<Change<T>>of() : page.changes()) {
        own.remove(c.remoteId()); // keep server order of the latest change
        own.put(c.remoteId(), c);
      }
      for (SkippedItem s : fromNow ? List.<SkippedItem>of() : page.skipped()) {
        if (s.remoteId() != null) {
          own.remove(s.remoteId()); // its latest state is unreadable: what an earlier page said is stale
        }
        skipped.add(s);
      }
      cursor = page.cursor();
      if (!page.more()) {
        return new Read<>(chain, own, skipped, cursor);
      }
    }
  }

  private Pulled<T> merge(List<Read<T>> reads, boolean full, Window window, boolean windowMoved) {
    return merge(reads, full, window, windowMoved, Map.of());
  }

  /**
   * The round's view of what its chains read, merged in the chains' order; {@code commit} is what the
   * round commits besides their links (null: removed).
   */
  private Pulled<T> merge(List<Read<T>> reads, boolean full, Window window, boolean windowMoved,
                          Map<String, String> commit) {
    Map<String, Change<T>> latest = new LinkedHashMap<>();
    Map<String, String> cursors = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    Set<SkippedItem> skipped = new LinkedHashSet<>();
    Map<String, String> readIn = new HashMap<>();
    for (Read<T> read : reads) {
      if (read.chain().key() != null) {
        cursors.put(read.chain().key(), read.cursor());
      }
      skipped.addAll(read.skipped());
      for (Change<T> c : read.changes().values()) {
        Change<T> earlier = latest.get(c.remoteId());
        // a move between containers or slices reads as a removal in one and an upsert in the other
        if (earlier == null || c.kind() == Change.Kind.UPSERT) {
          latest.put(c.remoteId(), c);
        }
        if (c.kind() == Change.Kind.UPSERT) {
          seen.add(c.remoteId());
          readIn.put(c.remoteId(), read.chain().container());
        }
      }
    }
    for (SkippedItem s : skipped) {
      // present but unreadable: never a deletion (not even a removal from another chain), never absent
      String id = s.remoteId();
      if (id != null && !seen.contains(id)) {
        latest.remove(id);
        seen.add(id);
      }
    }
    cursors.putAll(commit);
    return new Pulled<>(latest, cursors, full, seen, window, windowMoved, readIn, List.copyOf(skipped));
  }
}

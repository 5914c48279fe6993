package io.m365sync.testkit.model;

import io.m365sync.model.SyncItem;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiPredicate;
import java.util.function.UnaryOperator;

/**
 * One folder, calendar or list of a mailbox, with Graph's delta semantics: a full round pages
 * through the current items, ending in a delta token; later rounds return what changed since, the
 * latest state per item or {@code @removed}. Tokens are opaque strings bound to this collection;
 * {@link #evictDeltaTokens()} makes every outstanding token fail with 410 {@code SyncStateNotFound},
 * as Outlook does when its delta-token cache evicts them. An {@link Expansion} (a calendar's series)
 * keeps items derived from another stored beside it, in step with it, and leaves the source out of
 * delta rounds. Thread-safe.
 */
public final class ItemCollection<T extends SyncItem> {

  private final String id;
  private final String displayName;
  private final BiPredicate<T, DeltaWindow> inWindow;
  private final Expansion<T> expansion;
  private final TreeMap<String, StoredItem<T>> items = new TreeMap<>();
  private final List<String> log = new ArrayList<>(); // log.get(i) = id changed at seq i+1
  private int generation;
  private int replays;
  private volatile Observer observer;

  /** Told of every change of an item, on the changing thread, under the collection's lock. */
  interface Observer {
    void changed(String itemId, String changeType);
  }

  void observe(Observer o) {
    this.observer = o;
  }

  private void changed(String itemId, String changeType) {
    Observer o = observer;
    if (o != null) {
      o.changed(itemId, changeType);
    }
  }

  ItemCollection(String id, String displayName, BiPredicate<T, DeltaWindow> inWindow) {
    this(id, displayName, inWindow, null);
  }

  ItemCollection(String id, String displayName, BiPredicate<T, DeltaWindow> inWindow, Expansion<T> expansion) {
    this.id = id;
    this.displayName = displayName;
    this.inWindow = inWindow;
    this.expansion = expansion;
  }

  /**
   * Items that stand for others derived from them, as a series master stands for its occurrences:
   * delta rounds list the derived items, never the source.
   */
  interface Expansion<T> {
    /** Whether {@code item} stands for derived items rather than for itself; false for null. */
    boolean expands(T item);

    /** The items derived from {@code item} stored under {@code id}, by their ids. */
    Map<String, T> expand(String id, T item);

    /** The id of the item {@code item} was derived from; null for an item of its own. */
    String expandedFrom(T item);
  }

  /** The container id (folder, list or calendar). */
  public String id() {
    return id;
  }

  public String displayName() {
    return displayName;
  }

  /** Whether delta rounds need a calendar view window. */
  public boolean windowed() {
    return inWindow != null;
  }

  public synchronized StoredItem<T> create(T item) {
    return put(newId(), item);
  }

  /** Stores {@code item} under an existing immutable id (a move from another folder keeps its id). */
  synchronized StoredItem<T> put(String itemId, T item) {
    StoredItem<T> previous = items.get(itemId);
    StoredItem<T> stored = store(itemId, item);
    reexpand(itemId, previous == null ? null : previous.item(), item);
    return stored;
  }

  private StoredItem<T> store(String itemId, T item) {
    StoredItem<T> stored = new StoredItem<>(itemId, newChangeKey(), item);
    boolean existed = items.put(itemId, stored) != null;
    log.add(itemId);
    changed(itemId, existed ? "updated" : "created");
    return stored;
  }

  /**
   * Brings the items derived from {@code itemId} in step with its new content ({@code item}; null
   * once deleted): derived items it no longer yields go, new ones come, changed ones are replaced
   * under their ids, unchanged ones stay as they are.
   */
  private void reexpand(String itemId, T previous, T item) {
    if (expansion == null || !(expansion.expands(previous) || expansion.expands(item))) {
      return;
    }
    Map<String, T> next = expansion.expands(item) ? expansion.expand(itemId, item) : Map.of();
    for (StoredItem<T> s : List.copyOf(items.values())) {
      if (itemId.equals(expansion.expandedFrom(s.item())) && !next.containsKey(s.id())) {
        items.remove(s.id());
        log.add(s.id());
        changed(s.id(), "deleted");
      }
    }
    next.forEach((derivedId, derived) -> {
      StoredItem<T> current = items.get(derivedId);
      if (current == null || !current.item().equals(derived)) {
        store(derivedId, derived);
      }
    });
  }

  /** Whether delta rounds leave {@code item} out (it stands for derived items). */
  private boolean hidden(T item) {
    return expansion != null && expansion.expands(item);
  }

  /** Replaces an item; {@code ifMatch} (nullable) must name its current version or 412 follows. */
  public synchronized StoredItem<T> update(String itemId, String ifMatch, T item) {
    StoredItem<T> current = require(itemId);
    if (!current.matches(ifMatch)) {
      throw new GraphError(412, "ErrorIrresolvableConflict",
          "The change key passed in the request does not match the current change key for the item.");
    }
    return put(itemId, item);
  }

  /**
   * Updates an item with {@code change} applied to its current content, in one step (a Graph PATCH,
   * which merges); {@code ifMatch} as for {@link #update}.
   */
  public synchronized StoredItem<T> patch(String itemId, String ifMatch, UnaryOperator<T> change) {
    return update(itemId, ifMatch, change.apply(require(itemId).item()));
  }

  public synchronized void delete(String itemId, String ifMatch) {
    StoredItem<T> current = require(itemId);
    if (!current.matches(ifMatch)) {
      throw new GraphError(412, "ErrorIrresolvableConflict",
          "The change key passed in the request does not match the current change key for the item.");
    }
    items.remove(itemId);
    log.add(itemId);
    changed(itemId, "deleted");
    reexpand(itemId, current.item(), null);
  }

  public synchronized Optional<StoredItem<T>> get(String itemId) {
    return Optional.ofNullable(items.get(itemId));
  }

  public synchronized List<StoredItem<T>> all() {
    return List.copyOf(items.values());
  }

  public synchronized int size() {
    return items.size();
  }

  /** Deletes every item (a wiped calendar or folder). */
  public synchronized void clear() {
    for (String itemId : List.copyOf(items.keySet())) {
      items.remove(itemId);
      log.add(itemId);
      changed(itemId, "deleted");
    }
  }

  /** Invalidates every outstanding next and delta token. */
  public synchronized void evictDeltaTokens() {
    generation++;
  }

  /** Later incremental rounds also resend the last {@code n} changes before their token (replays). */
  public synchronized void replayLast(int n) {
    this.replays = n;
  }

  /**
   * Reads a delta page.
   *
   * @param token a next or delta token from an earlier page; null to start a full round
   * @param window the calendar view window of a first round of a windowed collection; else ignored
   * @param pageSize the most changes to return
   * @throws GraphError 410 for an evicted token, 400 for a foreign or malformed one, 400 for a
   *     windowed collection's first round without a window
   */
  public synchronized ModelDeltaPage<T> delta(String token, DeltaWindow window, int pageSize) {
    Token t;
    if (token == null) {
      if (windowed() && window == null) {
        throw new GraphError(400, "ErrorInvalidParameter",
            "startDateTime and endDateTime are required on the first calendarView delta request");
      }
      t = new Token('F', 0, log.size(), "", window);
    } else {
      t = Token.decode(token, id, generation);
      if (t.kind == 'D') {
        // a stored delta link: start an incremental round over what changed since
        t = new Token('I', Math.max(0, t.toSeq - replays), log.size(), "", t.window);
      }
    }
    int limit = Math.max(1, pageSize);
    List<ModelChange<T>> changes = new ArrayList<>();
    String lastId = t.after;
    boolean more = false;
    if (t.kind == 'F') {
      for (StoredItem<T> s : items.tailMap(t.after, false).values()) {
        if (changes.size() == limit) {
          more = true;
          break;
        }
        if (!hidden(s.item()) && (inWindow == null || inWindow.test(s.item(), t.window))) {
          changes.add(new ModelChange<>(s.id(), s.changeKey(), s.item(), null));
        }
        lastId = s.id();
      }
    } else {
      TreeSet<String> changed = new TreeSet<>(log.subList((int) t.fromSeq, (int) t.toSeq));
      for (String itemId : changed.tailSet(t.after, false)) {
        if (changes.size() == limit) {
          more = true;
          break;
        }
        StoredItem<T> s = items.get(itemId);
        if (s != null && hidden(s.item())) {
          lastId = itemId;
          continue;
        }
        if (s == null || (inWindow != null && !inWindow.test(s.item(), t.window))) {
          // Graph reports deletions and out-of-window changes alike as @removed "deleted"
          changes.add(new ModelChange<>(itemId, null, null, "deleted"));
        } else {
          changes.add(new ModelChange<>(s.id(), s.changeKey(), s.item(), null));
        }
        lastId = itemId;
      }
    }
    if (more) {
      return new ModelDeltaPage<>(changes, new Token(t.kind, t.fromSeq, t.toSeq, lastId, t.window).encode(id, generation), null);
    }
    return new ModelDeltaPage<>(changes, null, new Token('D', 0, t.toSeq, "", t.window).encode(id, generation));
  }

  private StoredItem<T> require(String itemId) {
    StoredItem<T> s = items.get(itemId);
    if (s == null) {
      throw GraphError.itemNotFound();
    }
    return s;
  }

  private static String newId() {
    // Graph ids are long base64 strings that may contain '/', '+' and '='
    return "AAMk" + Base64.getEncoder().encodeToString(UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII))
        .substring(0, 40) + "=";
  }

  /** Unique per collection and version; deterministic, so a restored snapshot goes on without collisions. */
  private String newChangeKey() {
    return "CQAAAB" + Integer.toUnsignedString(id.hashCode(), 36) + "." + Integer.toString(log.size(), 36);
  }

  /** The state a snapshot keeps: items, change log, token generation and replay setting. */
  record State<T extends SyncItem>(List<StoredItem<T>> items, List<String> log, int generation, int replays) {}

  synchronized State<T> state() {
    return new State<>(List.copyOf(items.values()), List.copyOf(log), generation, replays);
  }

  synchronized void restore(State<T> state) {
    items.clear();
    state.items().forEach(s -> items.put(s.id(), s));
    log.clear();
    log.addAll(state.log());
    generation = state.generation();
    replays = state.replays();
  }

  /** F: full round paging after {@code after}; I: incremental over log (fromSeq, toSeq]; D: delta link at toSeq. */
  private record Token(char kind, long fromSeq, long toSeq, String after, DeltaWindow window) {
    String encode(String collection, int generation) {
      String raw = String.join("|", "v1", collection, Integer.toString(generation), String.valueOf(kind),
          Long.toString(fromSeq), Long.toString(toSeq), after,
          window == null ? "" : Long.toString(window.start().getEpochSecond()),
          window == null ? "" : Long.toString(window.end().getEpochSecond()));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static Token decode(String token, String collection, int generation) {
      String[] f;
      try {
        f = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split("\\|", -1);
      } catch (IllegalArgumentException e) {
        throw new GraphError(400, "ErrorInvalidUrlQuery", "The delta token is malformed.");
      }
      if (f.length != 9 || !"v1".equals(f[0]) || f[3].length() != 1) {
        throw new GraphError(400, "ErrorInvalidUrlQuery", "The delta token is malformed.");
      }
      if (!f[1].equals(collection)) {
        throw new GraphError(400, "ErrorInvalidUrlQuery", "The delta token belongs to another collection.");
      }
      if (Integer.parseInt(f[2]) != generation) {
        throw GraphError.syncStateNotFound("generation=" + f[2] + ";[highest=" + generation + "]");
      }
      DeltaWindow window = f[7].isEmpty() ? null
          : new DeltaWindow(Instant.ofEpochSecond(Long.parseLong(f[7])), Instant.ofEpochSecond(Long.parseLong(f[8])));
      return new Token(f[3].charAt(0), Long.parseLong(f[4]), Long.parseLong(f[5]), f[6], window);
    }
  }
}

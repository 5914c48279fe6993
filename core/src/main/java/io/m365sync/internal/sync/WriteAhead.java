package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import io.m365sync.state.SyncStateStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The pipeline's one write-ahead note per mailbox and resource: creates whose id-map link is not
 * written yet, kept in the state store's cursor table under a reserved container name. Pulls note
 * remote id → content key before CRM creates; pushes note content-key hash → CRM id before
 * Microsoft 365 creates. Normally empty: an entry lives from just before a create until its link is
 * written, and survives only a crash in between, when it tells the replay to re-link the orphan
 * instead of creating it twice. Read once per round.
 *
 * <p>It is also the round's one way to write links: a batch's links ({@link #link}) and the links its
 * deletions remove ({@link #unlink}) are held here and go to the store with the next write, in one
 * transaction with it: the next batch's note, or the round's final commit ({@link #commit}). So a
 * batch of creates ({@link CrmApplier#batchSize}) costs one commit, and each commit holds what the
 * crash-safety above needs: a note reaches the store before the creates it covers (it is written
 * before them, and never cleared before their links are in), and an entry is cleared only in the
 * transaction that writes its link. Links lost with a crash are those of a round that committed no
 * cursor: its replay writes them again. A removal lost with a crash leaves a link to a deleted record
 * or item, which the replay finds and removes (an unlink).
 */
final class WriteAhead {
  private static final String CONTAINER = "m365sync:pending-creates";
  private static final String PUSH = "push";

  private final SyncStateStore state;
  private final CursorKey key;
  private final long fence;
  private final Map<String, String> pulls = new LinkedHashMap<>();
  private final Map<String, String> pushes = new LinkedHashMap<>();
  /** Links not in the store yet, in the order the round wrote them; {@link #fresh} link unlinked ids. */
  private final List<IdLink> replacing = new ArrayList<>();
  private final List<IdLink> fresh = new ArrayList<>();
  /** The CRM ids of the links held. */
  private final Set<String> heldCrmIds = new HashSet<>();
  /** Links to remove with the next write, before the links held are written. */
  private final List<IdLink> removed = new ArrayList<>();
  /** Cursor writes held for the next commit, as links are (a null value removes one). */
  private final Map<CursorKey, String> heldCursors = new LinkedHashMap<>();
  /** Whether the note differs from the stored one. */
  private boolean changed;

  WriteAhead(SyncStateStore state, MailboxId mailbox, Resource resource, long fence) {
    this.state = state;
    this.key = key(mailbox, resource);
    this.fence = fence;
    state.cursor(key).ifPresent(this::parse);
  }

  /** Where the note of the mailbox and resource is kept: present only while a crash left one (its round must run). */
  static CursorKey key(MailboxId mailbox, Resource resource) {
    return new CursorKey(mailbox, resource, CONTAINER);
  }

  boolean pulling(String remoteId) {
    return pulls.containsKey(remoteId);
  }

  /** The content key noted before the CRM create from {@code remoteId} (null: none noted). */
  String pulledKey(String remoteId) {
    String k = pulls.get(remoteId);
    return k == null || k.isEmpty() ? null : k;
  }

  Set<String> pulledIds() {
    return Set.copyOf(pulls.keySet());
  }

  /** The CRM id noted before a Microsoft 365 create of content with key {@code matchKey}. */
  String pushedCrmId(String matchKey) {
    return pushes.isEmpty() || matchKey == null ? null : pushes.get(Reserved.hash(matchKey));
  }

  /** Notes CRM creates (remote id → content key) in one write, with the links held; nothing is written for none. */
  void notePulls(Map<String, String> creates) {
    if (!creates.isEmpty()) {
      creates.forEach((id, match) -> pulls.put(id, match == null ? "" : match));
      changed = true;
      commit(Map.of());
    }
  }

  /**
   * Notes Microsoft 365 creates (content key → CRM id) in one write, with the links held; nothing is
   * written for none.
   */
  void notePushes(Map<String, String> creates) {
    if (!creates.isEmpty()) {
      creates.forEach((matchKey, crmId) -> pushes.put(Reserved.hash(matchKey), crmId));
      changed = true;
      commit(Map.of());
    }
  }

  /** Clears a push's note with the next write: the one that writes its link. */
  void clearPush(String matchKey) {
    changed |= pushes.remove(Reserved.hash(matchKey)) != null;
  }

  /**
   * Holds links ({@code freshLinks}: ids not linked before, by the store or by links held here) and
   * clears the pull notes of {@code done}: both reach the store with the next write, together.
   */
  void link(List<IdLink> links, List<IdLink> freshLinks, Collection<String> done) {
    for (String id : done) {
      changed |= pulls.remove(id) != null;
    }
    if (!links.isEmpty()) {
      // written after the fresh links held, as if one by one: those must be looked up too now
      replacing.addAll(fresh);
      fresh.clear();
      replacing.addAll(links);
    }
    fresh.addAll(freshLinks);
    links.forEach(l -> heldCrmIds.add(l.crmId()));
    freshLinks.forEach(l -> heldCrmIds.add(l.crmId()));
  }

  /**
   * Removes {@code link} (the one its CRM id has) with the next write. The store removes before it
   * writes the links held, which is their order here unless a link of the same CRM id is held: that one
   * is written first (its write may have replaced other links), so the store ends as if each write had
   * reached it at once.
   */
  void unlink(IdLink link) {
    if (heldCrmIds.contains(link.crmId())) {
      commit(Map.of());
    }
    removed.add(link);
  }

  /**
   * Holds a cursor write ({@code value} null: its removal) for the next write, with the links held: a
   * note that belongs with a batch's links (the base a two-way record's next push is diffed against)
   * costs no commit of its own, and is never in the store without them.
   */
  void hold(CursorKey cursor, String value) {
    heldCursors.put(cursor, value);
  }

  /** {@code cursor}'s value as the next write leaves it: the one held, else what {@code stored} reads. */
  Optional<String> cursor(CursorKey cursor, Supplier<Optional<String>> stored) {
    return heldCursors.containsKey(cursor) ? Optional.ofNullable(heldCursors.get(cursor)) : stored.get();
  }

  /**
   * Writes the removals, links and cursors held, the note if it changed, and {@code cursors} (a null value
   * removes one) in one store call, which stores make one transaction. Writes before any other write of the
   * round's links, so that they reach the store in the order the round made them.
   */
  void commit(Map<CursorKey, String> cursors) {
    Map<CursorKey, String> all = new LinkedHashMap<>();
    if (changed) {
      all.put(key, text());
    }
    all.putAll(heldCursors);
    all.putAll(cursors);
    if (all.isEmpty() && removed.isEmpty() && replacing.isEmpty() && fresh.isEmpty()) {
      return;
    }
    state.putLinksAndCursors(List.copyOf(removed), List.copyOf(replacing), List.copyOf(fresh), all, fence);
    removed.clear();
    replacing.clear();
    fresh.clear();
    heldCrmIds.clear();
    heldCursors.clear();
    changed = false;
  }

  /** The note as stored (a line per pull: id, key; per push: "push", hash, CRM id), or null for none. */
  private String text() {
    if (pulls.isEmpty() && pushes.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    pulls.forEach((id, match) -> sb.append(escape(id)).append('\t').append(escape(match)).append('\n'));
    pushes.forEach((hash, crmId) -> sb.append(PUSH).append('\t').append(hash).append('\t').append(escape(crmId)).append('\n'));
    return sb.toString();
  }

  private void parse(String text) {
    for (String line : text.split("\n")) {
      String[] f = line.split("\t", -1);
      if (f.length == 3 && f[0].equals(PUSH)) {
        pushes.put(f[1], unescape(f[2]));
      } else if (f.length == 2 && !f[0].isEmpty()) {
        pulls.put(unescape(f[0]), unescape(f[1]));
      }
    }
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
  }

  private static String unescape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        sb.append(n == 't' ? '\t' : n == 'n' ? '\n' : n);
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}

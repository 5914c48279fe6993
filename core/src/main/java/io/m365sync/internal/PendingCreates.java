package io.m365sync.internal;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import io.m365sync.state.SyncStateStore;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Write-ahead notes of CRM creates not yet linked in the id map (remote id → content key), kept in
 * the state store's cursor table under a reserved container name. Normally empty: an entry lives
 * from just before a create until its link is written, and survives only a crash in between.
 */
final class PendingCreates {
  private static final String CONTAINER = "m365sync:pending-creates";

  private final SyncStateStore state;
  private final CursorKey key;
  private final long fence;
  private final Map<String, String> entries = new LinkedHashMap<>();

  PendingCreates(SyncStateStore state, MailboxId mailbox, Resource resource, long fence) {
    this.state = state;
    this.key = new CursorKey(mailbox, resource, CONTAINER);
    this.fence = fence;
    state.cursor(key).ifPresent(this::parse);
  }

  boolean contains(String remoteId) {
    return entries.containsKey(remoteId);
  }

  String matchKey(String remoteId) {
    return entries.get(remoteId);
  }

  Set<String> remoteIds() {
    return Set.copyOf(entries.keySet());
  }

  /** Notes creates (remote id → content key) in one write; nothing is written for none. */
  void addAll(Map<String, String> creates) {
    if (!creates.isEmpty()) {
      creates.forEach((id, match) -> entries.put(id, match == null ? "" : match));
      write();
    }
  }

  void remove(String remoteId) {
    removeAll(List.of(remoteId));
  }

  /** Clears notes in one write; nothing is written when none of them was noted. */
  void removeAll(Collection<String> remoteIds) {
    boolean changed = false;
    for (String id : remoteIds) {
      changed |= entries.remove(id) != null;
    }
    if (changed) {
      write();
    }
  }

  /**
   * Writes a page's links ({@code freshLinks}: ids not linked before) and clears the notes of
   * {@code done} in one store call, which stores make one transaction.
   */
  void link(List<IdLink> links, List<IdLink> freshLinks, Collection<String> done) {
    boolean changed = false;
    for (String id : done) {
      changed |= entries.remove(id) != null;
    }
    if (changed || !links.isEmpty() || !freshLinks.isEmpty()) {
      state.putLinksAndCursor(links, freshLinks, changed ? key : null, changed ? text() : null, fence);
    }
  }

  private void write() {
    String text = text();
    if (text == null) {
      state.removeCursor(key, fence);
    } else {
      state.putCursor(key, text, fence);
    }
  }

  /** The note as stored, or null when there is nothing to note. */
  private String text() {
    if (entries.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    entries.forEach((id, match) -> sb.append(escape(id)).append('\t').append(escape(match)).append('\n'));
    return sb.toString();
  }

  private void parse(String text) {
    for (String line : text.split("\n")) {
      int tab = line.indexOf('\t');
      if (tab > 0) {
        entries.put(unescape(line.substring(0, tab)), unescape(line.substring(tab + 1)));
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

package io.m365sync.internal;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.resource.Change;
import io.m365sync.resource.CrmRecord;
import io.m365sync.resource.CrmStore;
import io.m365sync.resource.DeltaPage;
import io.m365sync.resource.DeltaRequest;
import io.m365sync.resource.ResourceResult;
import io.m365sync.resource.ResourceSyncer;
import io.m365sync.resource.ResourceType;
import io.m365sync.resource.SyncItem;
import io.m365sync.resource.SyncRound;
import io.m365sync.resource.SyncStateExpiredException;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import io.m365sync.state.SyncStateStore;
import java.time.Instant;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Microsoft 365 → CRM for one resource: reads each container's delta, applies every page to the CRM
 * through the id map, then commits the page's cursor. Replays (same change key) are skipped; an
 * expired delta link restarts a full round over every container whose items re-link by id or by
 * content instead of being created again, and whose end deletes what was deleted meanwhile.
 */
public final class OneWaySyncer<T extends SyncItem> implements ResourceSyncer<T> {
  private final ResourceType<T> type;
  private final CrmStore<T> crm;
  private final List<String> containers;

  public OneWaySyncer(ResourceType<T> type, CrmStore<T> crm, List<String> containers) {
    this.type = type;
    this.crm = crm;
    this.containers = containers.isEmpty() ? List.of("") : List.copyOf(containers);
  }

  @Override
  public ResourceType<T> type() {
    return type;
  }

  @Override
  public ResourceResult sync(SyncRound round) {
    Counts counts = new Counts();
    SyncStateStore state = round.state();
    boolean full = containers.stream().anyMatch(c -> state.cursor(key(round, c)).isEmpty());
    if (!full) {
      try {
        for (String container : containers) {
          pull(round, key(round, container), state.cursor(key(round, container)).orElseThrow(), counts, null, null);
        }
      } catch (SyncStateExpiredException expired) {
        full = true;
      }
    }
    if (full) {
      fullRound(round, counts);
    }
    return new ResourceResult(type.resource(), round.session().mode(), ResourceResult.Outcome.SYNCED,
        counts.created, counts.updated, counts.deleted, counts.unchanged, counts.fullResync, null);
  }

  /**
   * Reads every container from scratch, re-linking what the id map or the content already knows,
   * then deletes CRM records whose items were not seen: they were deleted while no delta link was
   * valid, and an incremental round would never report them. The new delta links are committed
   * only after that, and a full round commits no next links: interrupted, it starts over (cheaply:
   * unchanged items are skipped), so the deletions at its end are never skipped.
   */
  private void fullRound(SyncRound round, Counts counts) {
    Set<String> seen = new HashSet<>();
    Map<CursorKey, String> deltaLinks = new LinkedHashMap<>();
    MailboxId mailbox = round.mailbox().id();
    // the round is the mailbox's only writer (fenced): one read of its links serves every page
    KnownLinks known = new KnownLinks(round.state().links(mailbox, type.resource()));
    for (String container : containers) {
      CursorKey key = key(round, container);
      round.state().removeCursor(key, round.fence());
      deltaLinks.put(key, pull(round, key, null, counts, seen, known));
    }
    for (IdLink link : known.all()) {
      if (!seen.contains(link.remoteId())) {
        crm.delete(mailbox, link.crmId());
        round.state().removeLink(mailbox, type.resource(), link.crmId(), round.fence());
        counts.deleted++;
      }
    }
    PendingCreates pending = new PendingCreates(round.state(), mailbox, type.resource(), round.fence());
    for (String remoteId : pending.remoteIds()) {
      if (!seen.contains(remoteId) && removeOrphan(round, pending, remoteId)) {
        counts.deleted++;
      }
    }
    deltaLinks.forEach((key, link) -> round.state().putCursor(key, link, round.fence()));
  }

  /**
   * A create whose link was lost in a crash left an unlinked CRM record; its item is gone from
   * Microsoft 365 now, so the record goes too (found by the content key noted before the create).
   */
  private boolean removeOrphan(SyncRound round, PendingCreates pending, String remoteId) {
    MailboxId mailbox = round.mailbox().id();
    String orphan = linkedIn(mailbox, round.state()).claimKey(pending.matchKey(remoteId));
    if (orphan != null) {
      crm.delete(mailbox, orphan);
    }
    pending.remove(remoteId);
    return orphan != null;
  }

  private CursorKey key(SyncRound round, String container) {
    return new CursorKey(round.mailbox().id(), type.resource(), container);
  }

  /** Reads pages until the delta link, which it returns; incremental rounds commit each page's cursor. */
  private String pull(SyncRound round, CursorKey key, String cursor, Counts counts, Set<String> seen, KnownLinks known) {
    boolean full = cursor == null;
    counts.fullResync |= full;
    Instant now = round.clock().instant();
    ContentIndex index = full ? new ContentIndex(round.mailbox().id(), known::crmIds) : null;
    PendingCreates pending = new PendingCreates(round.state(), round.mailbox().id(), type.resource(), round.fence());
    while (true) {
      DeltaRequest request = new DeltaRequest(key.container().isEmpty() ? null : key.container(), cursor,
          now.minus(round.eventWindowPast()), now.plus(round.eventWindowFuture()), round.pageSize());
      DeltaPage<T> page = round.gateway().delta(round.session(), type, request);
      applyPage(round, page.changes(), counts, index, pending, known);
      for (Change<T> change : page.changes()) {
        if (seen != null) {
          if (change.kind() == Change.Kind.UPSERT) {
            seen.add(change.remoteId());
          } else {
            seen.remove(change.remoteId());
          }
        }
      }
      cursor = page.cursor();
      if (!full) {
        // committed only after the page reached the CRM: a crash before this line replays the page
        round.state().putCursor(key, cursor, round.fence());
      }
      if (!page.more()) {
        return cursor;
      }
    }
  }

  /**
   * Applies one page with a handful of state-store calls whatever its size: one look-up of the
   * page's links (none in a full round, which knows them), one write-ahead note of its creates, the
   * CRM writes, one batch of links, one clearing of the note.
   */
  private void applyPage(SyncRound round, List<Change<T>> changes, Counts counts, ContentIndex index,
                         PendingCreates pending, KnownLinks known) {
    MailboxId mailbox = round.mailbox().id();
    Resource resource = type.resource();
    SyncStateStore state = round.state();
    // Graph may repeat an item within a page: its last entry is its current state
    Map<String, Change<T>> latest = new LinkedHashMap<>();
    changes.forEach(c -> latest.put(c.remoteId(), c));
    Map<String, IdLink> links = known != null ? known.byRemoteIds(latest.keySet())
        : state.linksByRemoteIds(mailbox, resource, latest.keySet());
    List<Change<T>> writes = new ArrayList<>();
    List<String> crmIds = new ArrayList<>();
    Map<String, String> creates = new LinkedHashMap<>();
    List<String> recovered = new ArrayList<>();
    ContentIndex recovery = null;
    for (Change<T> change : latest.values()) {
      IdLink link = links.get(change.remoteId());
      boolean crashedMidCreate = link == null && pending.contains(change.remoteId());
      if (change.kind() == Change.Kind.DELETE) {
        if (link != null) {
          crm.delete(mailbox, link.crmId());
          state.removeLink(mailbox, resource, link.crmId(), round.fence());
          if (known != null) {
            known.remove(link);
          }
          counts.deleted++;
        } else if (crashedMidCreate && removeOrphan(round, pending, change.remoteId())) {
          counts.deleted++;
        } else {
          counts.unchanged++;
        }
        continue;
      }
      if (link != null && change.changeKey() != null && change.changeKey().equals(link.changeKey())) {
        counts.unchanged++;
        continue;
      }
      String crmId;
      if (link != null) {
        crmId = link.crmId();
      } else if (crashedMidCreate) {
        // the orphan holds the content noted before the crash; the item may have changed since
        ContentIndex orphans = index != null ? index : (recovery = recovery != null ? recovery : linkedIn(mailbox, state));
        crmId = orphans.claimKey(pending.matchKey(change.remoteId()));
        crmId = crmId != null ? crmId : orphans.claim(change.item());
        recovered.add(change.remoteId());
      } else if (index != null) {
        crmId = index.claim(change.item());
      } else {
        crmId = null;
      }
      if (crmId == null) {
        creates.put(change.remoteId(), change.item().matchKey());
      }
      writes.add(change);
      crmIds.add(crmId);
    }
    // write-ahead: a crash between a CRM create and its link leaves the note, so the replay looks
    // for the orphaned record by content instead of creating it twice
    pending.addAll(creates);
    List<IdLink> newLinks = new ArrayList<>(writes.size());
    for (int i = 0; i < writes.size(); i++) {
      Change<T> change = writes.get(i);
      CrmRecord<T> saved = crm.save(mailbox, crmIds.get(i), change.item());
      newLinks.add(new IdLink(mailbox, resource, saved.crmId(), change.remoteId(), change.changeKey(), saved.version()));
      if (crmIds.get(i) == null) {
        counts.created++;
      } else {
        counts.updated++;
      }
    }
    // links whose ids a full round knows to be unlinked need no look-up for old links to replace
    // (only when no two of them share an id, so that the order they are written in cannot matter)
    List<IdLink> replacing = new ArrayList<>();
    List<IdLink> fresh = new ArrayList<>();
    boolean distinct = newLinks.stream().map(IdLink::crmId).distinct().count() == newLinks.size()
        && newLinks.stream().map(IdLink::remoteId).distinct().count() == newLinks.size();
    for (IdLink link : newLinks) {
      (known != null && distinct && known.unlinked(link) ? fresh : replacing).add(link);
    }
    List<String> done = new ArrayList<>(creates.keySet());
    done.addAll(recovered);
    pending.link(replacing, fresh, done);
    if (known != null) {
      known.putAll(newLinks);
    }
  }

  /** A content index over the CRM records the store's links do not name (read when first needed). */
  private ContentIndex linkedIn(MailboxId mailbox, SyncStateStore state) {
    return new ContentIndex(mailbox, () -> {
      Set<String> linked = new HashSet<>();
      state.links(mailbox, type.resource()).forEach(l -> linked.add(l.crmId()));
      return linked;
    });
  }

  /** CRM records without a link, by content key: lets a full round re-link instead of duplicating. */
  private final class ContentIndex {
    private final MailboxId mailbox;
    private final Supplier<Set<String>> linkedCrmIds;
    private Map<String, String> unlinkedByKey;

    ContentIndex(MailboxId mailbox, Supplier<Set<String>> linkedCrmIds) {
      this.mailbox = mailbox;
      this.linkedCrmIds = linkedCrmIds;
    }

    String claim(T item) {
      return claimKey(item.matchKey());
    }

    String claimKey(String key) {
      if (key == null || key.isEmpty()) {
        return null;
      }
      if (unlinkedByKey == null) {
        unlinkedByKey = new HashMap<>();
        Set<String> linked = linkedCrmIds.get();
        for (CrmRecord<T> r : crm.list(mailbox)) {
          if (!linked.contains(r.crmId()) && r.item() != null && r.item().matchKey() != null) {
            unlinkedByKey.putIfAbsent(r.item().matchKey(), r.crmId());
          }
        }
      }
      return unlinkedByKey.remove(key);
    }
  }

  /**
   * A full round's copy of the mailbox's links for this resource: read once at its start and kept
   * current by the round's own writes, the same way the store applies them.
   */
  private final class KnownLinks {
    private final LinkIndex index = new LinkIndex();

    KnownLinks(List<IdLink> links) {
      putAll(links);
    }

    Map<String, IdLink> byRemoteIds(Set<String> remoteIds) {
      Map<String, IdLink> found = new HashMap<>();
      for (String id : remoteIds) {
        IdLink link = index.byRemoteId(type.resource(), id);
        if (link != null) {
          found.put(id, link);
        }
      }
      return found;
    }

    boolean unlinked(IdLink link) {
      return index.unlinked(link);
    }

    Set<String> crmIds() {
      Set<String> ids = new HashSet<>();
      index.all(type.resource()).forEach(l -> ids.add(l.crmId()));
      return ids;
    }

    List<IdLink> all() {
      return index.all(type.resource());
    }

    void putAll(List<IdLink> links) {
      links.forEach(index::put);
    }

    void remove(IdLink link) {
      index.remove(link.resource(), link.crmId());
    }
  }

  private static final class Counts {
    int created;
    int updated;
    int deleted;
    int unchanged;
    boolean fullResync;
  }
}

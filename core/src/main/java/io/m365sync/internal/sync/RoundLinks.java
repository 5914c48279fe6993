package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.internal.LinkIndex;
import io.m365sync.state.IdLink;
import io.m365sync.state.SyncStateStore;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One round's view of the id map for its mailbox and resource, kept current by the round's own
 * writes (the round is the mailbox's only writer: fenced). A full round reads every link once; an
 * incremental round reads the links of the items it pulled in one look-up; anything else is looked
 * up when first asked and remembered. So links written in batches (see {@link CrmApplier}) are seen
 * by the steps after them before they reach the store.
 */
final class RoundLinks {
  private final SyncStateStore state;
  private final MailboxId mailbox;
  private final Resource resource;
  private final LinkIndex index = new LinkIndex();
  /** Ids known to have no link (looked up, or unlinked by this round). */
  private final Set<String> noCrm = new HashSet<>();
  private final Set<String> noRemote = new HashSet<>();
  private boolean complete;
  private int storedBefore;

  private RoundLinks(SyncStateStore state, MailboxId mailbox, Resource resource) {
    this.state = state;
    this.mailbox = mailbox;
    this.resource = resource;
  }

  /** Every link of the mailbox's resource, read in one call. */
  static RoundLinks all(SyncStateStore state, MailboxId mailbox, Resource resource) {
    RoundLinks l = new RoundLinks(state, mailbox, resource);
    l.loadAll();
    return l;
  }

  /** The links of {@code remoteIds}, read in one call; other ids are looked up when asked. */
  static RoundLinks of(SyncStateStore state, MailboxId mailbox, Resource resource, Collection<String> remoteIds) {
    RoundLinks l = new RoundLinks(state, mailbox, resource);
    if (!remoteIds.isEmpty()) {
      state.linksByRemoteIds(mailbox, resource, remoteIds).values().forEach(l.index::put);
      for (String id : remoteIds) {
        if (l.index.byRemoteId(resource, id) == null) {
          l.noRemote.add(id);
        }
      }
    }
    return l;
  }

  /** Whether this view holds every link (so a link it lacks does not exist). */
  boolean complete() {
    return complete;
  }

  IdLink byRemoteId(String remoteId) {
    IdLink l = index.byRemoteId(resource, remoteId);
    if (l != null || complete || noRemote.contains(remoteId)) {
      return l;
    }
    l = state.linkByRemoteId(mailbox, resource, remoteId).filter(x -> !noCrm.contains(x.crmId())).orElse(null);
    remember(l, null, remoteId);
    return l;
  }

  IdLink byCrmId(String crmId) {
    IdLink l = index.byCrmId(resource, crmId);
    if (l != null || complete || noCrm.contains(crmId)) {
      return l;
    }
    l = state.linkByCrmId(mailbox, resource, crmId).filter(x -> !noRemote.contains(x.remoteId())).orElse(null);
    remember(l, crmId, null);
    return l;
  }

  private void remember(IdLink found, String crmId, String remoteId) {
    if (found != null) {
      index.put(found);
    } else if (crmId != null) {
      noCrm.add(crmId);
    } else {
      noRemote.add(remoteId);
    }
  }

  /** Every link; read from the store once if this view is not complete yet. */
  List<IdLink> all() {
    if (!complete) {
      loadAll();
    }
    return index.all(resource);
  }

  /**
   * How many links the store held when this view first read them all: the items synced before the
   * round, for the mass-change guard, whatever the round wrote before asking (a sliced read's early creates).
   */
  int storedBefore() {
    if (!complete) {
      loadAll();
    }
    return storedBefore;
  }

  /** Whether neither of the link's ids is linked (known only to a complete view; else false). */
  boolean unlinked(IdLink link) {
    return complete && index.unlinked(link);
  }

  /** Records a link the round wrote (or is about to write in its batch). */
  void put(IdLink link) {
    IdLink sameCrm = index.byCrmId(resource, link.crmId());
    IdLink sameRemote = index.byRemoteId(resource, link.remoteId());
    if (sameCrm != null) {
      noRemote.add(sameCrm.remoteId());
    }
    if (sameRemote != null) {
      noCrm.add(sameRemote.crmId());
    }
    index.put(link);
    noCrm.remove(link.crmId());
    noRemote.remove(link.remoteId());
  }

  /** Records the removal of {@code crmId}'s link. */
  void remove(String crmId) {
    IdLink old = index.byCrmId(resource, crmId);
    if (old != null) {
      noRemote.add(old.remoteId());
    }
    index.remove(resource, crmId);
    noCrm.add(crmId);
  }

  private void loadAll() {
    // the round's own changes win over what the store holds (batched links may not be there yet)
    List<IdLink> mine = index.all(resource);
    List<IdLink> stored = state.links(mailbox, resource);
    storedBefore = stored.size();
    for (IdLink l : stored) {
      if (!noCrm.contains(l.crmId()) && !noRemote.contains(l.remoteId())) {
        index.put(l);
      }
    }
    mine.forEach(index::put);
    complete = true;
  }
}

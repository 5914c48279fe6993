package io.m365sync.internal;

import io.m365sync.Resource;
import io.m365sync.state.IdLink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One mailbox's links by CRM id and by remote id, each id linked at most once per resource: a put
 * replaces whatever either of its ids was linked to, as {@code SyncStateStore.putLink} does. Up to
 * {@value #SMALL} links sit in one array that lookups scan (most mailboxes' stored links, and the
 * in-memory store holds one index per mailbox: two hash maps with their nodes and keys cost ~10x the
 * heap); past that, two hash maps. Not thread-safe. Public only for core's sync package.
 */
public final class LinkIndex {
  private static final int SMALL = 8;
  private static final IdLink[] NONE = new IdLink[0];

  private record Key(Resource resource, String id) {}

  /** The links while there are at most {@link #SMALL}; null once the maps hold them. */
  private IdLink[] small = NONE;
  private Map<Key, IdLink> byCrm;
  private Map<Key, IdLink> byRemote;

  public IdLink byCrmId(Resource resource, String crmId) {
    if (small == null) {
      return byCrm.get(new Key(resource, crmId));
    }
    for (IdLink l : small) {
      if (l.resource() == resource && l.crmId().equals(crmId)) {
        return l;
      }
    }
    return null;
  }

  public IdLink byRemoteId(Resource resource, String remoteId) {
    if (small == null) {
      return byRemote.get(new Key(resource, remoteId));
    }
    for (IdLink l : small) {
      if (l.resource() == resource && l.remoteId().equals(remoteId)) {
        return l;
      }
    }
    return null;
  }

  /** Whether neither of the link's ids is linked yet. */
  public boolean unlinked(IdLink link) {
    return byCrmId(link.resource(), link.crmId()) == null && byRemoteId(link.resource(), link.remoteId()) == null;
  }

  /** The resource's links, in no particular order. */
  public List<IdLink> all(Resource resource) {
    List<IdLink> result = new ArrayList<>();
    for (IdLink l : small == null ? byCrm.values() : Arrays.asList(small)) {
      if (l.resource() == resource) {
        result.add(l);
      }
    }
    return result;
  }

  public void put(IdLink link) {
    IdLink sameCrm = byCrmId(link.resource(), link.crmId());
    if (sameCrm != null) {
      remove(sameCrm);
    }
    IdLink sameRemote = byRemoteId(link.resource(), link.remoteId());
    if (sameRemote != null) {
      remove(sameRemote);
    }
    if (small != null && small.length < SMALL) {
      small = Arrays.copyOf(small, small.length + 1);
      small[small.length - 1] = link;
      return;
    }
    if (small != null) {
      byCrm = new HashMap<>();
      byRemote = new HashMap<>();
      for (IdLink l : small) {
        index(l);
      }
      small = null;
    }
    index(link);
  }

  /** Removes the link of {@code crmId}, if any. */
  public void remove(Resource resource, String crmId) {
    IdLink old = byCrmId(resource, crmId);
    if (old != null) {
      remove(old);
    }
  }

  private void index(IdLink link) {
    byCrm.put(new Key(link.resource(), link.crmId()), link);
    byRemote.put(new Key(link.resource(), link.remoteId()), link);
  }

  /** Removes {@code link}, which is held. */
  private void remove(IdLink link) {
    if (small == null) {
      byCrm.remove(new Key(link.resource(), link.crmId()));
      byRemote.remove(new Key(link.resource(), link.remoteId()));
      return;
    }
    IdLink[] kept = new IdLink[small.length - 1];
    int i = 0;
    for (IdLink l : small) {
      if (l != link) {
        kept[i++] = l;
      }
    }
    small = kept.length == 0 ? NONE : kept;
  }
}

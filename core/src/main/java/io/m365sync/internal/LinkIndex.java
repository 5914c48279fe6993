package io.m365sync.internal;

import io.m365sync.Resource;
import io.m365sync.state.IdLink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One mailbox's links by CRM id and by remote id, each id linked at most once per resource: a put
 * replaces whatever either of its ids was linked to, as {@code SyncStateStore.putLink} does. Not
 * thread-safe. Public only for core's sync package.
 */
public final class LinkIndex {
  private record Key(Resource resource, String id) {}

  private final Map<Key, IdLink> byCrm = new HashMap<>();
  private final Map<Key, IdLink> byRemote = new HashMap<>();

  public IdLink byCrmId(Resource resource, String crmId) {
    return byCrm.get(new Key(resource, crmId));
  }

  public IdLink byRemoteId(Resource resource, String remoteId) {
    return byRemote.get(new Key(resource, remoteId));
  }

  /** Whether neither of the link's ids is linked yet. */
  public boolean unlinked(IdLink link) {
    return byCrmId(link.resource(), link.crmId()) == null && byRemoteId(link.resource(), link.remoteId()) == null;
  }

  /** The resource's links, in no particular order. */
  public List<IdLink> all(Resource resource) {
    List<IdLink> result = new ArrayList<>();
    byCrm.forEach((k, v) -> {
      if (k.resource() == resource) {
        result.add(v);
      }
    });
    return result;
  }

  public void put(IdLink link) {
    IdLink sameCrm = byCrm.get(new Key(link.resource(), link.crmId()));
    if (sameCrm != null) {
      byRemote.remove(new Key(sameCrm.resource(), sameCrm.remoteId()));
    }
    IdLink sameRemote = byRemote.get(new Key(link.resource(), link.remoteId()));
    if (sameRemote != null) {
      byCrm.remove(new Key(sameRemote.resource(), sameRemote.crmId()));
    }
    byCrm.put(new Key(link.resource(), link.crmId()), link);
    byRemote.put(new Key(link.resource(), link.remoteId()), link);
  }

  /** Removes the link of {@code crmId}, if any. */
  public void remove(Resource resource, String crmId) {
    IdLink old = byCrm.remove(new Key(resource, crmId));
    if (old != null) {
      byRemote.remove(new Key(resource, old.remoteId()));
    }
  }
}

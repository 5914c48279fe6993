package io.m365sync.internal;

import io.m365sync.Resource;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which resources one round reads. Without change notifications, or when the host asked, every
 * resource; with them, the polled ones, the dirty ones and the push-fed ones whose safety-net read
 * is due, so an idle push-fed mailbox costs no request at all. A cycle's idle probe then leaves out
 * the resources whose links read nothing new ({@link #without}).
 *
 * @param resources the resources to read; null for every resource of the mailbox
 * @param dirty the resources that had a dirty mark when the round began (cleared after it)
 * @param renew the resources whose subscriptions Graph asked to reauthorize
 * @param startedAt when the round began: marks newer than this survive it
 * @param strays whether subscriptions of resources the mailbox no longer syncs wait to be deleted
 */
record RoundPlan(Set<Resource> resources, Set<Resource> dirty, Set<Resource> renew, Instant startedAt, boolean strays) {
  RoundPlan {
    resources = resources == null ? null : Set.copyOf(resources);
    dirty = Set.copyOf(dirty);
    renew = Set.copyOf(renew);
  }

  static RoundPlan everything(Instant startedAt) {
    return new RoundPlan(null, Set.of(), Set.of(), startedAt, false);
  }

  /**
   * Without the resources an idle probe found unchanged ({@code quiet}), out of {@code all} the
   * mailbox's: a dirty one stays (a notification came after the probe's look, or the probe ignored it).
   */
  RoundPlan without(Set<Resource> quiet, Collection<Resource> all) {
    if (quiet.isEmpty()) {
      return this;
    }
    Set<Resource> rest = EnumSet.noneOf(Resource.class);
    for (Resource r : resources == null ? all : resources) {
      if (!quiet.contains(r) || dirty.contains(r)) {
        rest.add(r);
      }
    }
    return new RoundPlan(rest, dirty, renew, startedAt, strays);
  }

  boolean includes(Resource resource) {
    return resources == null || resources.contains(resource);
  }

  /** Nothing to read or delete: the round does not run (no fence, no request, no status write). */
  boolean empty() {
    return resources != null && resources.isEmpty() && !strays;
  }
}

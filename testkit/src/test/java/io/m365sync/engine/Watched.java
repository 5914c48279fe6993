package io.m365sync.engine;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.crm.CrmChanges;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.notify.Subscription;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.RunRecord;
import io.m365sync.state.SyncStateStore;
import io.m365sync.testkit.ForwardingSyncStateStore;
import io.m365sync.state.TenantSettings;
import io.m365sync.state.UnreadableRow;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The gateway, a CRM table and the state store, each reporting what the engine does to a {@link HostActionWitness}. */
final class Watched {
  private Watched() {}

  /** The Graph side: each call takes its mailbox-resource's slot (two at once means two rounds at once). */
  static final class Gateway implements MailboxGateway {
    private final MailboxGateway d;
    private final HostActionWitness w;

    /** Batches read through {@link #deltaBatch}. */
    final java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();

    Gateway(MailboxGateway d, HostActionWitness w) {
      this.d = d;
      this.w = w;
    }

    /** Which resource each subscription serves: renewals and deletes name only its id. */
    private final Map<String, String> subscriptionLanes = new ConcurrentHashMap<>();

    private <R> R call(MailboxSession session, ResourceType<?> type, Supplier<R> body) {
      return call(session, type.resource().name(), body);
    }

    private <R> R call(MailboxSession session, String lane, Supplier<R> body) {
      MailboxId m = session.mailbox().id();
      boolean owner = w.enterCall(m, lane, true);
      try {
        return body.get();
      } finally {
        w.leaveCall(m, lane, owner);
      }
    }

    @Override
    public <T extends SyncItem> DeltaPage<T> delta(MailboxSession s, ResourceType<T> type, DeltaRequest request) {
      return call(s, type, () -> d.delta(s, type, request));
    }

    /**
     * A batch is one request in flight for each mailbox it reads (a {@code $batch}): watched once per
     * mailbox, and held whole when the pause falls on it.
     */
    @Override
    public List<io.m365sync.gateway.BatchedDelta<?>> deltaBatch(List<? extends io.m365sync.gateway.DeltaProbe<?>> probes) {
      batches.incrementAndGet();
      Map<MailboxId, Integer> steps = new java.util.LinkedHashMap<>();
      probes.forEach(p -> steps.merge(p.session().mailbox().id(), 1, Integer::sum));
      Map<MailboxId, Boolean> owners = new java.util.LinkedHashMap<>();
      try {
        steps.forEach((m, n) -> owners.put(m, w.enterCall(m, "probe", true, n)));
        return d.deltaBatch(probes);
      } finally {
        owners.forEach((m, owner) -> w.leaveCall(m, "probe", owner));
      }
    }

    @Override
    public <T extends SyncItem> Optional<T> get(MailboxSession s, ResourceType<T> type, String container, String remoteId) {
      return call(s, type, () -> d.get(s, type, container, remoteId));
    }

    @Override
    public <T extends SyncItem> WriteResult create(MailboxSession s, ResourceType<T> type, String container, T item) {
      return call(s, type, () -> d.create(s, type, container, item));
    }

    @Override
    public <T extends SyncItem> WriteResult update(MailboxSession s, ResourceType<T> type, String container, String remoteId,
                                                   String ifMatch, ItemPatch<T> patch) {
      return call(s, type, () -> d.update(s, type, container, remoteId, ifMatch, patch));
    }

    @Override
    public void delete(MailboxSession s, ResourceType<?> type, String container, String remoteId, String ifMatch) {
      call(s, type, () -> {
        d.delete(s, type, container, remoteId, ifMatch);
        return null;
      });
    }

    @Override
    public io.m365sync.gateway.RemoteSubscription createSubscription(MailboxSession s, ResourceType<?> type,
        String container, java.net.URI url, java.net.URI lifecycleUrl, String clientState, java.time.Instant expiresAt) {
      io.m365sync.gateway.RemoteSubscription sub =
          call(s, type, () -> d.createSubscription(s, type, container, url, lifecycleUrl, clientState, expiresAt));
      subscriptionLanes.put(sub.id(), type.resource().name());
      return sub;
    }

    @Override
    public io.m365sync.gateway.RemoteSubscription renewSubscription(MailboxSession s, String id, java.time.Instant expiresAt) {
      return call(s, subscriptionLanes.getOrDefault(id, "subscription"), () -> d.renewSubscription(s, id, expiresAt));
    }

    @Override
    public void deleteSubscription(MailboxSession s, String id) {
      call(s, subscriptionLanes.getOrDefault(id, "subscription"), () -> {
        d.deleteSubscription(s, id);
        return null;
      });
    }
  }

  /** A CRM table whose writes after unenroll, and overlapping calls for one mailbox, are breaches. */
  static final class Crm<T extends SyncItem> implements CrmStore<T> {
    private final CrmStore<T> d;
    private final HostActionWitness w;

    /** One table serves one resource: its calls for a mailbox never overlap. */
    private final String lane = "crm@" + Integer.toHexString(System.identityHashCode(this));

    Crm(CrmStore<T> d, HostActionWitness w) {
      this.d = d;
      this.w = w;
    }

    private <R> R call(MailboxId m, String write, Supplier<R> body) {
      boolean owner = w.enterCall(m, lane, false);
      try {
        if (write != null) {
          w.write(m, write);
        }
        return body.get();
      } finally {
        w.leaveCall(m, lane, owner);
      }
    }

    @Override
    public CrmRecord<T> save(MailboxId m, String crmId, T item) {
      return call(m, "CRM save", () -> d.save(m, crmId, item));
    }

    @Override
    public void delete(MailboxId m, String crmId) {
      call(m, "CRM delete", () -> {
        d.delete(m, crmId);
        return null;
      });
    }

    @Override
    public Optional<CrmRecord<T>> find(MailboxId m, String crmId) {
      return call(m, null, () -> d.find(m, crmId));
    }

    @Override
    public List<CrmRecord<T>> list(MailboxId m) {
      return call(m, null, () -> d.list(m));
    }

    @Override
    public CrmChanges<T> changesSince(MailboxId m, String watermark) {
      return call(m, null, () -> d.changesSince(m, watermark));
    }
  }

  /**
   * The state store: remembers every cursor key and link it was given, so that {@link #leftovers}
   * can ask each read method whether anything of an unenrolled mailbox is left; a fence claim opens
   * a round (closed by the listener's {@code mailboxSynced}). Not final: a test may step in, as another node would.
   */
  static class Store extends ForwardingSyncStateStore {
    private final SyncStateStore d;
    private final HostActionWitness w;
    private final Set<CursorKey> cursorKeys = ConcurrentHashMap.newKeySet();
    private final Set<IdLink> linksSeen = ConcurrentHashMap.newKeySet();

    Store(HostActionWitness w) {
      super(SyncStateStore.inMemory());
      this.d = delegate;
      this.w = w;
    }

    /** Every row the store still answers for the mailbox, by read method; empty when purged. */
    List<String> leftovers(MailboxId m) {
      List<String> rows = new ArrayList<>();
      d.enrollment(m).ifPresent(e -> rows.add("enrollment"));
      if (d.enrollments().stream().anyMatch(e -> e.id().equals(m))) {
        rows.add("enrollments()");
      }
      d.status(m).ifPresent(s -> rows.add("status " + s.status()));
      if (d.statuses().stream().anyMatch(s -> s.mailbox().equals(m))) {
        rows.add("statuses()");
      }
      cursorKeys.stream().filter(k -> k.mailbox().equals(m))
          .forEach(k -> d.cursor(k).ifPresent(c -> rows.add("cursor " + k.resource() + "/" + k.container())));
      for (Resource r : Resource.values()) {
        if (!d.links(m, r).isEmpty()) {
          rows.add("links " + r);
        }
        List<IdLink> seen = linksSeen.stream().filter(l -> l.mailbox().equals(m) && l.resource() == r).toList();
        for (IdLink l : seen) {
          d.linkByCrmId(m, r, l.crmId()).ifPresent(x -> rows.add("linkByCrmId " + r + " " + l.crmId()));
          d.linkByRemoteId(m, r, l.remoteId()).ifPresent(x -> rows.add("linkByRemoteId " + r + " " + l.remoteId()));
        }
        if (!d.linksByRemoteIds(m, r, seen.stream().map(IdLink::remoteId).toList()).isEmpty()) {
          rows.add("linksByRemoteIds " + r);
        }
      }
      d.tokenCache(m).ifPresent(b -> rows.add("token cache"));
      if (!d.runs(m, Integer.MAX_VALUE).isEmpty()) {
        rows.add("runs");
      }
      d.subscriptions(m).forEach(sub -> rows.add("subscription " + sub.id()));
      return rows;
    }

    @Override
    public long claimFence(MailboxId mailbox) {
      long fence = d.claimFence(mailbox);
      w.roundStarted(mailbox);
      return fence;
    }

    @Override
    public void putStatus(MailboxState state) {
      w.write(state.mailbox(), "status write");
      d.putStatus(state);
    }

    @Override
    public void putCursor(CursorKey key, String cursor, long fence) {
      w.write(key.mailbox(), "cursor write");
      cursorKeys.add(key);
      d.putCursor(key, cursor, fence);
    }

    @Override
    public void removeCursor(CursorKey key, long fence) {
      w.write(key.mailbox(), "cursor removal");
      d.removeCursor(key, fence);
    }

    @Override
    public void putLink(IdLink link, long fence) {
      w.write(link.mailbox(), "link write");
      linksSeen.add(link);
      d.putLink(link, fence);
    }

    @Override
    public void putLinks(List<IdLink> links, long fence) {
      links.forEach(l -> w.write(l.mailbox(), "link write"));
      linksSeen.addAll(links);
      d.putLinks(links, fence);
    }

    @Override
    public void putLinksAndCursors(List<IdLink> removedLinks, List<IdLink> links, List<IdLink> freshLinks,
                                   Map<CursorKey, String> cursors, long fence) {
      removedLinks.forEach(l -> w.write(l.mailbox(), "link removal"));
      links.forEach(l -> w.write(l.mailbox(), "link write"));
      freshLinks.forEach(l -> w.write(l.mailbox(), "link write"));
      for (CursorKey key : cursors.keySet()) {
        w.write(key.mailbox(), "cursor write");
        cursorKeys.add(key);
      }
      linksSeen.addAll(links);
      linksSeen.addAll(freshLinks);
      d.putLinksAndCursors(removedLinks, links, freshLinks, cursors, fence);
    }

    @Override
    public void removeLink(MailboxId m, Resource r, String crmId, long fence) {
      w.write(m, "link removal");
      d.removeLink(m, r, crmId, fence);
    }

    @Override
    public void putTokenCache(MailboxId mailbox, byte[] blob) {
      w.write(mailbox, "token cache write");
      d.putTokenCache(mailbox, blob);
    }

    @Override
    public void recordRun(RunRecord run) {
      w.write(run.mailbox(), "run record");
      d.recordRun(run);
    }

    @Override
    public void putSubscription(Subscription subscription) {
      w.write(subscription.mailbox(), "subscription write");
      d.putSubscription(subscription);
    }
  }
}

package io.m365sync.testkit;

import io.m365sync.Checks;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.notify.Subscription;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.CursorKey;
import io.m365sync.state.DirtyMark;
import io.m365sync.state.EnrollmentPeriod;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.RunRecord;
import io.m365sync.state.StatusCount;
import io.m365sync.state.StatusPage;
import io.m365sync.state.StatusQuery;
import io.m365sync.state.SyncStateStore;
import io.m365sync.state.TenantSettings;
import io.m365sync.state.UnreadableRow;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@link SyncStateStore} that hands every call to another one: extend it to watch, slow down or
 * fail the calls a test cares about and override only those.
 *
 * <p>What the interface's default methods (batch writes, batch reads, the monitor's queries) do is
 * chosen at construction ({@link Defaults}): by default they stay the interface's, so a batch write
 * still passes through an overridden single write; a wrapper that only watches a durable store
 * passes {@link Defaults#DELEGATE}, or every batch write becomes a transaction per link.
 */
public abstract class ForwardingSyncStateStore implements SyncStateStore {
  /** What the interface's default methods do in a forwarding store. */
  public enum Defaults {
    /**
     * The interface's own code, built on the single calls (which a subclass may override); only
     * {@code runsKept} and {@code runCount}, which describe the delegate's retention, and {@code upkeep},
     * its own housekeeping, always go to it.
     */
    INTERFACE,
    /** Handed to the delegate like every other call: its batched and indexed versions run. */
    DELEGATE
  }

  protected final SyncStateStore delegate;
  private final boolean forwardDefaults;

  /** Forwards every abstract method; the interface's default methods run the interface's code. */
  protected ForwardingSyncStateStore(SyncStateStore delegate) {
    this(delegate, Defaults.INTERFACE);
  }

  protected ForwardingSyncStateStore(SyncStateStore delegate, Defaults defaults) {
    this.delegate = Checks.requireNonNull(delegate, "delegate");
    this.forwardDefaults = Checks.requireNonNull(defaults, "defaults") == Defaults.DELEGATE;
  }

  // ---------------------------------------------------------------- the interface's default methods

  @Override
  public List<Mailbox> enrollments() {
    return forwardDefaults ? delegate.enrollments() : SyncStateStore.super.enrollments();
  }

  @Override
  public List<MailboxState> statuses() {
    return forwardDefaults ? delegate.statuses() : SyncStateStore.super.statuses();
  }

  @Override
  public List<StatusCount> statusCounts(TenantId tenant, Consumer<UnreadableRow> onUnreadable) {
    return forwardDefaults ? delegate.statusCounts(tenant, onUnreadable)
        : SyncStateStore.super.statusCounts(tenant, onUnreadable);
  }

  @Override
  public StatusPage statusPage(StatusQuery query, Consumer<UnreadableRow> onUnreadable) {
    return forwardDefaults ? delegate.statusPage(query, onUnreadable) : SyncStateStore.super.statusPage(query, onUnreadable);
  }

  @Override
  public Map<String, IdLink> linksByRemoteIds(MailboxId mailbox, Resource resource, Collection<String> remoteIds) {
    return forwardDefaults ? delegate.linksByRemoteIds(mailbox, resource, remoteIds)
        : SyncStateStore.super.linksByRemoteIds(mailbox, resource, remoteIds);
  }

  @Override
  public void putLinks(List<IdLink> links, long fence) {
    if (forwardDefaults) {
      delegate.putLinks(links, fence);
    } else {
      SyncStateStore.super.putLinks(links, fence);
    }
  }

  @Override
  public void putLinksAndCursors(List<IdLink> links, List<IdLink> freshLinks, Map<CursorKey, String> cursors,
                                 long fence) {
    if (forwardDefaults) {
      delegate.putLinksAndCursors(links, freshLinks, cursors, fence);
    } else {
      SyncStateStore.super.putLinksAndCursors(links, freshLinks, cursors, fence);
    }
  }

  @Override
  public void putLinksAndCursors(List<IdLink> removedLinks, List<IdLink> links, List<IdLink> freshLinks,
                                 Map<CursorKey, String> cursors, long fence) {
    if (forwardDefaults) {
      delegate.putLinksAndCursors(removedLinks, links, freshLinks, cursors, fence);
    } else {
      SyncStateStore.super.putLinksAndCursors(removedLinks, links, freshLinks, cursors, fence);
    }
  }

  @Override
  public List<Subscription> subscriptions(MailboxId mailbox) {
    return forwardDefaults ? delegate.subscriptions(mailbox) : SyncStateStore.super.subscriptions(mailbox);
  }

  @Override
  public List<Subscription> subscriptionsExpiringBefore(Instant cutoff) {
    return forwardDefaults ? delegate.subscriptionsExpiringBefore(cutoff)
        : SyncStateStore.super.subscriptionsExpiringBefore(cutoff);
  }

  @Override
  public Map<MailboxId, List<EnrollmentPeriod>> enrollmentPeriods(Collection<MailboxId> mailboxes, Instant from,
                                                                Instant to) {
    return forwardDefaults ? delegate.enrollmentPeriods(mailboxes, from, to)
        : SyncStateStore.super.enrollmentPeriods(mailboxes, from, to);
  }

  @Override
  public List<EnrollmentPeriod> enrollmentPeriods(MailboxId mailbox, Instant from, Instant to) {
    return forwardDefaults ? delegate.enrollmentPeriods(mailbox, from, to)
        : SyncStateStore.super.enrollmentPeriods(mailbox, from, to);
  }

  @Override
  public Map<MailboxId, Mailbox> enrollments(Collection<MailboxId> mailboxes, Consumer<UnreadableRow> onUnreadable) {
    return forwardDefaults ? delegate.enrollments(mailboxes, onUnreadable)
        : SyncStateStore.super.enrollments(mailboxes, onUnreadable);
  }

  @Override
  public Map<MailboxId, MailboxState> statuses(Collection<MailboxId> mailboxes, Consumer<UnreadableRow> onUnreadable) {
    return forwardDefaults ? delegate.statuses(mailboxes, onUnreadable)
        : SyncStateStore.super.statuses(mailboxes, onUnreadable);
  }

  @Override
  public Map<CursorKey, String> cursors(Collection<CursorKey> keys) {
    return forwardDefaults ? delegate.cursors(keys) : SyncStateStore.super.cursors(keys);
  }

  @Override
  public void recordAccess(List<AccessRecord> records) {
    if (forwardDefaults) {
      delegate.recordAccess(records);
    } else {
      SyncStateStore.super.recordAccess(records);
    }
  }

  // ---------------------------------------------------------------- every other method

  @Override
  public void putEnrollment(Mailbox mailbox) {
    delegate.putEnrollment(mailbox);
  }

  @Override
  public Optional<Mailbox> enrollment(MailboxId mailbox) {
    return delegate.enrollment(mailbox);
  }

  @Override
  public List<Mailbox> enrollments(Consumer<UnreadableRow> onUnreadable) {
    return delegate.enrollments(onUnreadable);
  }

  @Override
  public void purge(MailboxId mailbox) {
    delegate.purge(mailbox);
  }

  @Override
  public void putTenantSettings(TenantSettings settings) {
    delegate.putTenantSettings(settings);
  }

  @Override
  public Optional<TenantSettings> tenantSettings(TenantId tenant) {
    return delegate.tenantSettings(tenant);
  }

  @Override
  public void putStatus(MailboxState state) {
    delegate.putStatus(state);
  }

  @Override
  public Optional<MailboxState> status(MailboxId mailbox) {
    return delegate.status(mailbox);
  }

  @Override
  public List<MailboxState> statuses(Consumer<UnreadableRow> onUnreadable) {
    return delegate.statuses(onUnreadable);
  }

  @Override
  public long claimFence(MailboxId mailbox) {
    return delegate.claimFence(mailbox);
  }

  @Override
  public Optional<String> cursor(CursorKey key) {
    return delegate.cursor(key);
  }

  @Override
  public void putCursor(CursorKey key, String cursor, long fence) {
    delegate.putCursor(key, cursor, fence);
  }

  @Override
  public void removeCursor(CursorKey key, long fence) {
    delegate.removeCursor(key, fence);
  }

  @Override
  public Optional<IdLink> linkByRemoteId(MailboxId mailbox, Resource resource, String remoteId) {
    return delegate.linkByRemoteId(mailbox, resource, remoteId);
  }

  @Override
  public Optional<IdLink> linkByCrmId(MailboxId mailbox, Resource resource, String crmId) {
    return delegate.linkByCrmId(mailbox, resource, crmId);
  }

  @Override
  public List<IdLink> links(MailboxId mailbox, Resource resource) {
    return delegate.links(mailbox, resource);
  }

  @Override
  public void putLink(IdLink link, long fence) {
    delegate.putLink(link, fence);
  }

  @Override
  public void removeLink(MailboxId mailbox, Resource resource, String crmId, long fence) {
    delegate.removeLink(mailbox, resource, crmId, fence);
  }

  @Override
  public Optional<byte[]> tokenCache(MailboxId mailbox) {
    return delegate.tokenCache(mailbox);
  }

  @Override
  public void putTokenCache(MailboxId mailbox, byte[] blob) {
    delegate.putTokenCache(mailbox, blob);
  }

  @Override
  public void recordRun(RunRecord run) {
    delegate.recordRun(run);
  }

  @Override
  public void putStatusAndRun(MailboxState state, RunRecord run) {
    if (forwardDefaults) {
      delegate.putStatusAndRun(state, run);
    } else {
      SyncStateStore.super.putStatusAndRun(state, run);
    }
  }

  @Override
  public List<RunRecord> runs(MailboxId mailbox, int limit) {
    return delegate.runs(mailbox, limit);
  }

  @Override
  public int runsKept() {
    return delegate.runsKept();
  }

  @Override
  public long runCount(MailboxId mailbox) {
    return delegate.runCount(mailbox);
  }

  @Override
  public void putSubscription(Subscription subscription) {
    delegate.putSubscription(subscription);
  }

  @Override
  public Optional<Subscription> subscription(String id) {
    return delegate.subscription(id);
  }

  @Override
  public List<Subscription> subscriptions(MailboxId mailbox, Consumer<UnreadableRow> onUnreadable) {
    return delegate.subscriptions(mailbox, onUnreadable);
  }

  @Override
  public List<Subscription> subscriptionsExpiringBefore(Instant cutoff, Consumer<UnreadableRow> onUnreadable) {
    return delegate.subscriptionsExpiringBefore(cutoff, onUnreadable);
  }

  @Override
  public void removeSubscription(String id) {
    delegate.removeSubscription(id);
  }

  @Override
  public void markDirty(MailboxId mailbox, Resource resource, Instant at, boolean renew) {
    delegate.markDirty(mailbox, resource, at, renew);
  }

  @Override
  public List<DirtyMark> dirtyMarks(MailboxId mailbox) {
    return delegate.dirtyMarks(mailbox);
  }

  @Override
  public void clearDirty(MailboxId mailbox, Resource resource, Instant upTo) {
    delegate.clearDirty(mailbox, resource, upTo);
  }

  @Override
  public void endEnrollmentPeriod(MailboxId mailbox, Instant at) {
    delegate.endEnrollmentPeriod(mailbox, at);
  }

  @Override
  public List<EnrollmentPeriod> enrollmentPeriods(Instant from, Instant to) {
    return delegate.enrollmentPeriods(from, to);
  }

  @Override
  public void recordAccess(AccessRecord record) {
    delegate.recordAccess(record);
  }

  @Override
  public List<AccessRecord> accessRecords(Instant from, Instant to) {
    return delegate.accessRecords(from, to);
  }

  @Override
  public int pruneAccessAudit(Instant cutoff) {
    return delegate.pruneAccessAudit(cutoff);
  }

  @Override
  public void upkeep() {
    delegate.upkeep();
  }
}

package io.m365sync.pipeline;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.notify.Subscription;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.RunRecord;
import io.m365sync.state.SyncStateStore;
import io.m365sync.state.TenantSettings;
import io.m365sync.state.UnreadableRow;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A state store whose cursor and id-map writes die when its {@link Crash} fires. */
final class CrashingStateStore implements SyncStateStore {
  private final SyncStateStore d;
  private final Crash crash;

  CrashingStateStore(SyncStateStore delegate, Crash crash) {
    this.d = delegate;
    this.crash = crash;
  }

  @Override public void putEnrollment(Mailbox mailbox) { d.putEnrollment(mailbox); }
  @Override public Optional<Mailbox> enrollment(MailboxId mailbox) { return d.enrollment(mailbox); }
  @Override public List<Mailbox> enrollments(Consumer<UnreadableRow> onUnreadable) { return d.enrollments(onUnreadable); }
  @Override public void purge(MailboxId mailbox) { d.purge(mailbox); }
  @Override public void putTenantSettings(TenantSettings settings) { d.putTenantSettings(settings); }
  @Override public Optional<TenantSettings> tenantSettings(TenantId tenant) { return d.tenantSettings(tenant); }
  @Override public void putStatus(MailboxState state) { d.putStatus(state); }
  @Override public Optional<MailboxState> status(MailboxId mailbox) { return d.status(mailbox); }
  @Override public List<MailboxState> statuses(Consumer<UnreadableRow> onUnreadable) { return d.statuses(onUnreadable); }
  @Override public long claimFence(MailboxId mailbox) { return d.claimFence(mailbox); }
  @Override public Optional<String> cursor(CursorKey key) { return d.cursor(key); }

  @Override
  public void putCursor(CursorKey key, String cursor, long fence) {
    crash.around("state.putCursor", () -> d.putCursor(key, cursor, fence));
  }

  @Override
  public void removeCursor(CursorKey key, long fence) {
    crash.around("state.removeCursor", () -> d.removeCursor(key, fence));
  }

  @Override public Optional<IdLink> linkByRemoteId(MailboxId m, Resource r, String id) { return d.linkByRemoteId(m, r, id); }
  @Override public Optional<IdLink> linkByCrmId(MailboxId m, Resource r, String id) { return d.linkByCrmId(m, r, id); }
  @Override public List<IdLink> links(MailboxId mailbox, Resource resource) { return d.links(mailbox, resource); }

  @Override
  public void putLink(IdLink link, long fence) {
    crash.around("state.putLink", () -> d.putLink(link, fence));
  }

  @Override
  public void removeLink(MailboxId mailbox, Resource resource, String crmId, long fence) {
    crash.around("state.removeLink", () -> d.removeLink(mailbox, resource, crmId, fence));
  }

  @Override public Optional<byte[]> tokenCache(MailboxId mailbox) { return d.tokenCache(mailbox); }
  @Override public void putTokenCache(MailboxId mailbox, byte[] blob) { d.putTokenCache(mailbox, blob); }
  @Override public void recordRun(RunRecord run) { d.recordRun(run); }
  @Override public List<RunRecord> runs(MailboxId mailbox, int limit) { return d.runs(mailbox, limit); }
  @Override public void endEnrollmentPeriod(MailboxId mailbox, java.time.Instant at) { d.endEnrollmentPeriod(mailbox, at); }
  @Override public List<io.m365sync.state.EnrollmentPeriod> enrollmentPeriods(java.time.Instant from, java.time.Instant to) {
    return d.enrollmentPeriods(from, to);
  }
  @Override public void recordAccess(io.m365sync.state.AccessRecord record) { d.recordAccess(record); }
  @Override public List<io.m365sync.state.AccessRecord> accessRecords(java.time.Instant from, java.time.Instant to) {
    return d.accessRecords(from, to);
  }
  @Override public int pruneAccessAudit(java.time.Instant cutoff) { return d.pruneAccessAudit(cutoff); }
  @Override public void putSubscription(Subscription subscription) { d.putSubscription(subscription); }
  @Override public Optional<Subscription> subscription(String id) { return d.subscription(id); }
  @Override public List<Subscription> subscriptions(MailboxId m, Consumer<UnreadableRow> skipped) {
    return d.subscriptions(m, skipped);
  }
  @Override public List<Subscription> subscriptionsExpiringBefore(java.time.Instant cutoff, Consumer<UnreadableRow> skipped) {
    return d.subscriptionsExpiringBefore(cutoff, skipped);
  }
  @Override public void removeSubscription(String id) { d.removeSubscription(id); }
}

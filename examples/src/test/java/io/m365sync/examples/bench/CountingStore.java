package io.m365sync.examples.bench;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.notify.Subscription;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.RunRecord;
import io.m365sync.state.SyncStateStore;
import io.m365sync.state.TenantSettings;
import io.m365sync.testkit.ForwardingSyncStateStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the state store's write calls (each one transaction, one commit, in the JDBC store) and
 * hands every call, the batch ones included, to the store measured.
 */
final class CountingStore extends ForwardingSyncStateStore {
  private final LongAdder writes = new LongAdder();

  CountingStore(SyncStateStore delegate) {
    super(delegate, Defaults.DELEGATE);
  }

  long writes() {
    return writes.sum();
  }

  private void write() {
    writes.increment();
  }

  @Override
  public void putEnrollment(Mailbox mailbox) {
    write();
    super.putEnrollment(mailbox);
  }

  @Override
  public void purge(MailboxId mailbox) {
    write();
    super.purge(mailbox);
  }

  @Override
  public void putTenantSettings(TenantSettings settings) {
    write();
    super.putTenantSettings(settings);
  }

  @Override
  public void putStatus(MailboxState state) {
    write();
    super.putStatus(state);
  }

  @Override
  public long claimFence(MailboxId mailbox) {
    write();
    return super.claimFence(mailbox);
  }

  @Override
  public void putCursor(CursorKey key, String cursor, long fence) {
    write();
    super.putCursor(key, cursor, fence);
  }

  @Override
  public void removeCursor(CursorKey key, long fence) {
    write();
    super.removeCursor(key, fence);
  }

  @Override
  public void putLink(IdLink link, long fence) {
    write();
    super.putLink(link, fence);
  }

  @Override
  public void putLinks(List<IdLink> links, long fence) {
    write();
    super.putLinks(links, fence);
  }

  @Override
  public void putLinksAndCursors(List<IdLink> removedLinks, List<IdLink> links, List<IdLink> freshLinks,
                                 Map<CursorKey, String> cursors, long fence) {
    write();
    super.putLinksAndCursors(removedLinks, links, freshLinks, cursors, fence);
  }

  @Override
  public void removeLink(MailboxId mailbox, Resource resource, String crmId, long fence) {
    write();
    super.removeLink(mailbox, resource, crmId, fence);
  }

  @Override
  public void putTokenCache(MailboxId mailbox, byte[] blob) {
    write();
    super.putTokenCache(mailbox, blob);
  }

  @Override
  public void recordRun(RunRecord run) {
    write();
    super.recordRun(run);
  }

  @Override
  public void putStatusAndRun(MailboxState state, RunRecord run) {
    write();
    super.putStatusAndRun(state, run);
  }

  @Override
  public void putSubscription(Subscription subscription) {
    write();
    super.putSubscription(subscription);
  }

  @Override
  public void removeSubscription(String id) {
    write();
    super.removeSubscription(id);
  }

  @Override
  public void markDirty(MailboxId mailbox, Resource resource, Instant at, boolean renew) {
    write();
    super.markDirty(mailbox, resource, at, renew);
  }

  @Override
  public void clearDirty(MailboxId mailbox, Resource resource, Instant upTo) {
    write();
    super.clearDirty(mailbox, resource, upTo);
  }

  @Override
  public void endEnrollmentPeriod(MailboxId mailbox, Instant at) {
    write();
    super.endEnrollmentPeriod(mailbox, at);
  }

  @Override
  public void recordAccess(AccessRecord record) {
    write();
    super.recordAccess(record);
  }

  @Override
  public int pruneAccessAudit(Instant cutoff) {
    write();
    return super.pruneAccessAudit(cutoff);
  }
}

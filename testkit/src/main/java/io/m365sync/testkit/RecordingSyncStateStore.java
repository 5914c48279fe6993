package io.m365sync.testkit;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A {@link SyncStateStore} that records every write it is handed, then hands it on, unchanged, to
 * another store: for tests that assert which writes a round made, in which order and how batched
 * (in a durable store each write call is one transaction, so "one call per page" is "one commit per
 * page").
 *
 * <p>Every call goes to the delegate as it came, the batch writes included ({@link
 * ForwardingSyncStateStore.Defaults#DELEGATE}): a page's {@code putLinksAndCursors} is recorded, and
 * run, as one call, never split into a write per link. Reads are not recorded.
 *
 * <p>Thread-safe: calls from several threads are recorded in the order they reached this store, each
 * before it is handed on (a call the delegate refuses, such as a write with a stale fence, is still
 * recorded).
 *
 * <pre>{@code
 * RecordingSyncStateStore store = new RecordingSyncStateStore(SyncStateStore.inMemory());
 * SyncEngine engine = SyncEngine.builder().stateStore(store) ... .build();
 * engine.syncMailbox(alice);
 * assertThat(store.methods()).containsSubsequence("claimFence", "putLinksAndCursors", "putStatusAndRun");
 * }</pre>
 */
public final class RecordingSyncStateStore extends ForwardingSyncStateStore {
  /**
   * One write.
   *
   * @param method  the {@link SyncStateStore} method called, such as {@code "putLinksAndCursors"}
   * @param mailbox the mailbox it wrote for; null for the writes that name none (tenant settings, a
   *                subscription removed by id, the access audit's pruning, an empty batch) and for an
   *                audit batch of several mailboxes
   * @param links   how many id-map links it wrote or removed
   * @param cursors how many delta cursors it set or removed
   */
  public record Call(String method, MailboxId mailbox, int links, int cursors) {}

  private final List<Call> calls = new ArrayList<>();

  /** Records the writes made to this store and hands every call to {@code delegate}. */
  public RecordingSyncStateStore(SyncStateStore delegate) {
    super(delegate, Defaults.DELEGATE);
  }

  /** Every write so far, in order. */
  public List<Call> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  /** The method name of every write so far, in order. */
  public List<String> methods() {
    return calls().stream().map(Call::method).toList();
  }

  /** Forgets the writes recorded so far, so that a test can look at the next round alone. */
  public void clear() {
    synchronized (calls) {
      calls.clear();
    }
  }

  private void record(String method, MailboxId mailbox) {
    record(method, mailbox, 0, 0);
  }

  private void record(String method, MailboxId mailbox, int links, int cursors) {
    synchronized (calls) {
      calls.add(new Call(method, mailbox, links, cursors));
    }
  }

  @Override
  public void putEnrollment(Mailbox mailbox) {
    record("putEnrollment", mailbox.id());
    super.putEnrollment(mailbox);
  }

  @Override
  public void purge(MailboxId mailbox) {
    record("purge", mailbox);
    super.purge(mailbox);
  }

  @Override
  public void putTenantSettings(TenantSettings settings) {
    record("putTenantSettings", null);
    super.putTenantSettings(settings);
  }

  @Override
  public void putStatus(MailboxState state) {
    record("putStatus", state.mailbox());
    super.putStatus(state);
  }

  @Override
  public long claimFence(MailboxId mailbox) {
    record("claimFence", mailbox);
    return super.claimFence(mailbox);
  }

  @Override
  public void putCursor(CursorKey key, String cursor, long fence) {
    record("putCursor", key.mailbox(), 0, 1);
    super.putCursor(key, cursor, fence);
  }

  @Override
  public void removeCursor(CursorKey key, long fence) {
    record("removeCursor", key.mailbox(), 0, 1);
    super.removeCursor(key, fence);
  }

  @Override
  public void putLink(IdLink link, long fence) {
    record("putLink", link.mailbox(), 1, 0);
    super.putLink(link, fence);
  }

  @Override
  public void putLinks(List<IdLink> links, long fence) {
    record("putLinks", links.stream().map(IdLink::mailbox).findFirst().orElse(null), links.size(), 0);
    super.putLinks(links, fence);
  }

  @Override
  public void putLinksAndCursors(List<IdLink> links, List<IdLink> freshLinks, Map<CursorKey, String> cursors,
                                 long fence) {
    putLinksAndCursors(List.of(), links, freshLinks, cursors, fence);
  }

  @Override
  public void putLinksAndCursors(List<IdLink> removedLinks, List<IdLink> links, List<IdLink> freshLinks,
                                 Map<CursorKey, String> cursors, long fence) {
    MailboxId mailbox = Stream.of(removedLinks, links, freshLinks).flatMap(List::stream).map(IdLink::mailbox)
        .findFirst().orElseGet(() -> cursors.keySet().stream().map(CursorKey::mailbox).findFirst().orElse(null));
    record("putLinksAndCursors", mailbox, removedLinks.size() + links.size() + freshLinks.size(), cursors.size());
    super.putLinksAndCursors(removedLinks, links, freshLinks, cursors, fence);
  }

  @Override
  public void removeLink(MailboxId mailbox, Resource resource, String crmId, long fence) {
    record("removeLink", mailbox, 1, 0);
    super.removeLink(mailbox, resource, crmId, fence);
  }

  @Override
  public void putTokenCache(MailboxId mailbox, byte[] blob) {
    record("putTokenCache", mailbox);
    super.putTokenCache(mailbox, blob);
  }

  @Override
  public void recordRun(RunRecord run) {
    record("recordRun", run.mailbox());
    super.recordRun(run);
  }

  @Override
  public void putStatusAndRun(MailboxState state, RunRecord run) {
    record("putStatusAndRun", state.mailbox());
    super.putStatusAndRun(state, run);
  }

  @Override
  public void putSubscription(Subscription subscription) {
    record("putSubscription", subscription.mailbox());
    super.putSubscription(subscription);
  }

  @Override
  public void removeSubscription(String id) {
    record("removeSubscription", null);
    super.removeSubscription(id);
  }

  @Override
  public void markDirty(MailboxId mailbox, Resource resource, Instant at, boolean renew) {
    record("markDirty", mailbox);
    super.markDirty(mailbox, resource, at, renew);
  }

  @Override
  public void clearDirty(MailboxId mailbox, Resource resource, Instant upTo) {
    record("clearDirty", mailbox);
    super.clearDirty(mailbox, resource, upTo);
  }

  @Override
  public void endEnrollmentPeriod(MailboxId mailbox, Instant at) {
    record("endEnrollmentPeriod", mailbox);
    super.endEnrollmentPeriod(mailbox, at);
  }

  @Override
  public void recordAccess(AccessRecord access) {
    record("recordAccess", access.mailbox());
    super.recordAccess(access);
  }

  @Override
  public void recordAccess(List<AccessRecord> records) {
    List<MailboxId> mailboxes = records.stream().map(AccessRecord::mailbox).distinct().toList();
    record("recordAccess", mailboxes.size() == 1 ? mailboxes.get(0) : null);
    super.recordAccess(records);
  }

  @Override
  public int pruneAccessAudit(Instant cutoff) {
    record("pruneAccessAudit", null);
    return super.pruneAccessAudit(cutoff);
  }
}

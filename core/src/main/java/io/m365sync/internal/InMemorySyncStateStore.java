package io.m365sync.internal;

import io.m365sync.Checks;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.NotEnrolledException;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.notify.Subscription;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.CursorKey;
import io.m365sync.state.DirtyMark;
import io.m365sync.state.EnrollmentPeriod;
import io.m365sync.state.FencedOutException;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.RunRecord;
import io.m365sync.state.SyncStateStore;
import io.m365sync.state.TenantSettings;
import io.m365sync.state.UnreadableRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@link SyncStateStore} in this JVM's memory. One lock guards everything: state operations are tiny
 * next to Graph round trips, and one lock makes fenced multi-map updates trivially atomic. It keeps
 * values, not rows, so it never has an unreadable row to report.
 */
public final class InMemorySyncStateStore implements SyncStateStore {
  /** Run records kept per mailbox by default: enough to see a pattern, ~1 KB of heap at most. */
  public static final int RUNS_KEPT = 10;

  private final int runsKept;

  /** In the order enrolled (an enrollment after a purge moves to the end); purged ones keep fence and audit. */
  private final Map<MailboxId, StoredMailbox> mailboxes = new LinkedHashMap<>();
  private final Map<TenantId, TenantSettings> tenants = new HashMap<>();
  /** Every mailbox's, in the order opened; survive purge (the audit's memory of what was allowed when). */
  private final List<EnrollmentPeriod> periods = new ArrayList<>();
  /** In the order first written; survive purge. */
  private final List<StoredMailbox.AuditEntry> accessRecords = new ArrayList<>();
  private final Map<String, Subscription> subscriptions = new HashMap<>();

  /** The order both subscription lists promise: soonest expiry first, ties by id. */
  private static final Comparator<Subscription> BY_EXPIRY =
      Comparator.comparing(Subscription::expiresAt).thenComparing(Subscription::id);

  /** Never written to: what reads see for a mailbox without links. */
  private static final LinkIndex NO_LINKS = new LinkIndex();

  public InMemorySyncStateStore(int runsKept) {
    this.runsKept = Checks.requireAtLeast(runsKept, 1, "runsKept");
  }

  private StoredMailbox stored(MailboxId mailbox) {
    return mailboxes.computeIfAbsent(Checks.requireNonNull(mailbox, "mailbox"), m -> new StoredMailbox());
  }

  /** The mailbox's enrolled state, or null when it is not enrolled. */
  private StoredMailbox enrolled(MailboxId mailbox) {
    StoredMailbox m = mailboxes.get(mailbox);
    return m == null || m.enrollment == null ? null : m;
  }

  @Override
  public synchronized void putEnrollment(Mailbox mailbox) {
    StoredMailbox m = mailboxes.get(mailbox.id());
    if (m != null && m.enrollment == null) { // enrolled again: listed with the newest
      mailboxes.remove(mailbox.id());
      mailboxes.put(mailbox.id(), m);
    }
    m = stored(mailbox.id());
    m.enrollment = mailbox;
    if (m.openPeriod() == null) {
      EnrollmentPeriod period = new EnrollmentPeriod(mailbox.id(), periodStart(m, mailbox), null);
      m.addPeriod(period);
      periods.add(period);
    }
  }

  /** The sign-in time, but never inside an earlier closed period (an old {@code Mailbox} enrolled again). */
  private static Instant periodStart(StoredMailbox m, Mailbox mailbox) {
    Instant start = mailbox.signedInAt();
    for (EnrollmentPeriod p : m.periods) {
      if (p.unenrolledAt() != null && p.unenrolledAt().isAfter(start)) {
        start = p.unenrolledAt();
      }
    }
    return start;
  }

  @Override
  public synchronized Optional<Mailbox> enrollment(MailboxId mailbox) {
    StoredMailbox m = mailboxes.get(mailbox);
    return Optional.ofNullable(m == null ? null : m.enrollment);
  }

  @Override
  public synchronized List<Mailbox> enrollments(Consumer<UnreadableRow> onUnreadable) {
    Checks.requireNonNull(onUnreadable, "onUnreadable");
    List<Mailbox> result = new ArrayList<>();
    mailboxes.values().forEach(m -> {
      if (m.enrollment != null) {
        result.add(m.enrollment);
      }
    });
    return List.copyOf(result);
  }

  @Override
  public synchronized void purge(MailboxId mailbox) {
    StoredMailbox m = stored(mailbox);
    m.purge();
    subscriptions.values().removeIf(sub -> sub.mailbox().equals(mailbox));
    // the fence survives so that a round still in flight cannot write after the purge
    m.fence++;
  }

  @Override
  public synchronized void putTenantSettings(TenantSettings settings) {
    tenants.put(settings.tenant(), settings);
  }

  @Override
  public synchronized Optional<TenantSettings> tenantSettings(TenantId tenant) {
    return Optional.ofNullable(tenants.get(tenant));
  }

  @Override
  public synchronized void putStatus(MailboxState state) {
    stored(state.mailbox()).status = state;
  }

  @Override
  public synchronized Optional<MailboxState> status(MailboxId mailbox) {
    StoredMailbox m = mailboxes.get(mailbox);
    return Optional.ofNullable(m == null ? null : m.status);
  }

  @Override
  public synchronized List<MailboxState> statuses(Consumer<UnreadableRow> onUnreadable) {
    Checks.requireNonNull(onUnreadable, "onUnreadable");
    List<MailboxState> result = new ArrayList<>();
    mailboxes.values().forEach(m -> {
      if (m.status != null) {
        result.add(m.status);
      }
    });
    return List.copyOf(result);
  }

  @Override
  public synchronized long claimFence(MailboxId mailbox) {
    // under the lock purge takes: a claim either precedes the purge (and is fenced out by it) or fails
    StoredMailbox m = enrolled(mailbox);
    if (m == null) {
      throw new NotEnrolledException(mailbox);
    }
    return ++m.fence;
  }

  private StoredMailbox fenced(MailboxId mailbox, long fence) {
    StoredMailbox m = stored(mailbox);
    if (fence < m.fence) {
      throw new FencedOutException(mailbox, fence, m.fence);
    }
    return m;
  }

  @Override
  public synchronized Optional<String> cursor(CursorKey key) {
    StoredMailbox m = mailboxes.get(key.mailbox());
    return Optional.ofNullable(m == null ? null : m.cursor(key.resource(), key.container()));
  }

  @Override
  public synchronized Map<CursorKey, String> cursors(Collection<CursorKey> keys) {
    return SyncStateStore.super.cursors(keys); // under the lock once, not once per key
  }

  @Override
  public synchronized void putCursor(CursorKey key, String cursor, long fence) {
    fenced(key.mailbox(), fence).putCursor(key.resource(), key.container(), Checks.requireNonNull(cursor, "cursor"));
  }

  @Override
  public synchronized void removeCursor(CursorKey key, long fence) {
    fenced(key.mailbox(), fence).removeCursor(key.resource(), key.container());
  }

  private LinkIndex linksOrNone(MailboxId mailbox) {
    StoredMailbox m = mailboxes.get(mailbox);
    return m == null || m.links == null ? NO_LINKS : m.links;
  }

  @Override
  public synchronized Optional<IdLink> linkByRemoteId(MailboxId mailbox, Resource resource, String remoteId) {
    return Optional.ofNullable(linksOrNone(mailbox).byRemoteId(resource, remoteId));
  }

  @Override
  public synchronized Optional<IdLink> linkByCrmId(MailboxId mailbox, Resource resource, String crmId) {
    return Optional.ofNullable(linksOrNone(mailbox).byCrmId(resource, crmId));
  }

  @Override
  public synchronized List<IdLink> links(MailboxId mailbox, Resource resource) {
    List<IdLink> result = linksOrNone(mailbox).all(resource);
    result.sort(Comparator.comparing(IdLink::crmId));
    return result;
  }

  @Override
  public synchronized void putLink(IdLink link, long fence) {
    StoredMailbox m = fenced(link.mailbox(), fence);
    if (m.links == null) {
      m.links = new LinkIndex();
    }
    m.links.put(link);
  }

  @Override
  public synchronized void putLinks(List<IdLink> links, long fence) {
    SyncStateStore.oneMailbox("putLinks", List.of(), links, List.of(), Map.of());
    for (IdLink link : links) {
      fenced(link.mailbox(), fence);
    }
    links.forEach(link -> putLink(link, fence));
  }

  /**
   * All or nothing, as the interface asks of a store: the fence is checked once before any part is
   * written, and the parts are written under the store's lock, so no claim of the fence or purge falls
   * between them.
   */
  @Override
  public synchronized void putLinksAndCursors(List<IdLink> removedLinks, List<IdLink> links, List<IdLink> freshLinks,
                                             Map<CursorKey, String> cursors, long fence) {
    MailboxId mailbox = SyncStateStore.oneMailbox("putLinksAndCursors", removedLinks, links, freshLinks, cursors);
    if (mailbox == null) {
      return; // nothing to write
    }
    fenced(mailbox, fence);
    SyncStateStore.super.putLinksAndCursors(removedLinks, links, freshLinks, cursors, fence);
  }

  @Override
  public synchronized void removeLink(MailboxId mailbox, Resource resource, String crmId, long fence) {
    StoredMailbox m = fenced(mailbox, fence);
    if (m.links != null) {
      m.links.remove(resource, crmId);
    }
  }

  @Override
  public synchronized Optional<byte[]> tokenCache(MailboxId mailbox) {
    StoredMailbox m = mailboxes.get(mailbox);
    return Optional.ofNullable(m == null || m.tokenCache == null ? null : m.tokenCache.clone());
  }

  @Override
  public synchronized void putTokenCache(MailboxId mailbox, byte[] blob) {
    stored(mailbox).tokenCache = blob.clone();
  }

  @Override
  public synchronized void recordRun(RunRecord run) {
    StoredMailbox m = stored(run.mailbox());
    if (m.runs == null) {
      m.runs = new RunHistory();
    }
    m.runs.add(run, runsKept);
  }

  /** Both under the store's lock: a reader sees the status and its run, or neither. */
  @Override
  public synchronized void putStatusAndRun(MailboxState state, RunRecord run) {
    SyncStateStore.super.putStatusAndRun(state, run);
  }

  @Override
  public synchronized List<RunRecord> runs(MailboxId mailbox, int limit) {
    Checks.requireAtLeast(limit, 0, "limit");
    RunHistory history = runsOf(mailbox);
    return history == null ? List.of() : List.copyOf(history.newest(limit));
  }

  private RunHistory runsOf(MailboxId mailbox) {
    StoredMailbox m = mailboxes.get(mailbox);
    return m == null ? null : m.runs;
  }

  @Override
  public int runsKept() {
    return runsKept;
  }

  @Override
  public synchronized long runCount(MailboxId mailbox) {
    RunHistory history = runsOf(mailbox);
    return history == null ? 0 : history.count();
  }

  @Override
  public synchronized void putSubscription(Subscription subscription) {
    subscriptions.put(Checks.requireNonNull(subscription, "subscription").id(), subscription);
  }

  @Override
  public synchronized Optional<Subscription> subscription(String id) {
    return Optional.ofNullable(subscriptions.get(Checks.requireNonNull(id, "id")));
  }

  @Override
  public synchronized List<Subscription> subscriptions(MailboxId mailbox, Consumer<UnreadableRow> onUnreadable) {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(onUnreadable, "onUnreadable");
    return subscriptions.values().stream().filter(sub -> sub.mailbox().equals(mailbox)).sorted(BY_EXPIRY).toList();
  }

  @Override
  public synchronized List<Subscription> subscriptionsExpiringBefore(Instant cutoff,
                                                                     Consumer<UnreadableRow> onUnreadable) {
    Checks.requireNonNull(cutoff, "cutoff");
    Checks.requireNonNull(onUnreadable, "onUnreadable");
    return subscriptions.values().stream().filter(sub -> sub.expiresAt().isBefore(cutoff)).sorted(BY_EXPIRY).toList();
  }

  @Override
  public synchronized void removeSubscription(String id) {
    subscriptions.remove(Checks.requireNonNull(id, "id"));
  }

  @Override
  public synchronized void markDirty(MailboxId mailbox, Resource resource, Instant at, boolean renew) {
    Checks.requireNonNull(mailbox, "mailbox");
    DirtyMark mark = new DirtyMark(mailbox, resource, at, renew);
    StoredMailbox m = enrolled(mailbox);
    if (m == null) {
      return;
    }
    if (m.dirty == null) {
      m.dirty = new EnumMap<>(Resource.class);
    }
    m.dirty.merge(resource, mark, (old, now) ->
        new DirtyMark(mailbox, resource, old.at().isAfter(now.at()) ? old.at() : now.at(), old.renew() || now.renew()));
  }

  @Override
  public synchronized List<DirtyMark> dirtyMarks(MailboxId mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    StoredMailbox m = mailboxes.get(mailbox);
    return m == null || m.dirty == null ? List.of() : List.copyOf(m.dirty.values());
  }

  @Override
  public synchronized void clearDirty(MailboxId mailbox, Resource resource, Instant upTo) {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(resource, "resource");
    Checks.requireNonNull(upTo, "upTo");
    StoredMailbox m = mailboxes.get(mailbox);
    Map<Resource, DirtyMark> marks = m == null ? null : m.dirty;
    if (marks != null && marks.containsKey(resource) && !marks.get(resource).at().isAfter(upTo)) {
      marks.remove(resource);
      if (marks.isEmpty()) {
        m.dirty = null;
      }
    }
  }

  @Override
  public synchronized void endEnrollmentPeriod(MailboxId mailbox, Instant at) {
    Checks.requireNonNull(at, "at");
    StoredMailbox m = mailboxes.get(Checks.requireNonNull(mailbox, "mailbox"));
    EnrollmentPeriod open = m == null ? null : m.openPeriod();
    if (open != null) {
      EnrollmentPeriod closed = new EnrollmentPeriod(mailbox, open.enrolledAt(), at);
      m.periods[m.periods.length - 1] = closed;
      periods.set(periods.lastIndexOf(open), closed); // rare: a scan from the newest is fine
    }
  }

  @Override
  public synchronized List<EnrollmentPeriod> enrollmentPeriods(Instant from, Instant to) {
    return periods.stream().filter(p -> p.overlaps(from, to)).toList();
  }

  @Override
  public synchronized List<EnrollmentPeriod> enrollmentPeriods(MailboxId mailbox, Instant from, Instant to) {
    StoredMailbox m = mailboxes.get(Checks.requireNonNull(mailbox, "mailbox"));
    return m == null ? List.of() : Arrays.stream(m.periods).filter(p -> p.overlaps(from, to)).toList();
  }

  @Override
  public synchronized void recordAccess(AccessRecord record) {
    Checks.requireNonNull(record, "record");
    StoredMailbox m = stored(record.mailbox());
    StoredMailbox.AuditEntry into = m.foldTarget(record);
    if (into != null) {
      into.fold(record);
    } else {
      StoredMailbox.AuditEntry entry = new StoredMailbox.AuditEntry(record);
      accessRecords.add(entry);
      m.newestAccess(record.resource(), entry);
    }
  }

  @Override
  public synchronized List<AccessRecord> accessRecords(Instant from, Instant to) {
    return accessRecords.stream()
        .map(StoredMailbox.AuditEntry::record)
        .filter(r -> r.overlaps(from, to))
        .sorted(Comparator.comparing(AccessRecord::startedAt)) // stable: order first written within an instant
        .toList();
  }

  @Override
  public synchronized int pruneAccessAudit(Instant cutoff) {
    int before = accessRecords.size();
    accessRecords.removeIf(e -> {
      if (e.finishedAt().isBefore(cutoff)) {
        StoredMailbox m = mailboxes.get(e.mailbox());
        if (m != null) {
          m.forgetAccess(e); // nothing folds into a deleted record, and it leaves the heap
        }
        return true;
      }
      return false;
    });
    if (periods.removeIf(p -> StoredMailbox.closedBefore(p, cutoff))) {
      mailboxes.values().forEach(m -> m.prunePeriods(cutoff));
    }
    return before - accessRecords.size();
  }
}

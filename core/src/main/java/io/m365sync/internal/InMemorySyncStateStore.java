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

  private final Map<MailboxId, Mailbox> enrollments = new LinkedHashMap<>();
  private final Map<TenantId, TenantSettings> tenants = new HashMap<>();
  private final Map<MailboxId, MailboxState> statuses = new LinkedHashMap<>();
  private final Map<MailboxId, Long> fences = new HashMap<>();
  private final Map<CursorKey, String> cursors = new HashMap<>();
  /** Links per mailbox: a round reads only its own mailbox's. */
  private final Map<MailboxId, LinkIndex> links = new HashMap<>();
  private final Map<MailboxId, byte[]> tokenCaches = new HashMap<>();
  private final Map<MailboxId, RunHistory> runs = new HashMap<>();
  /** In the order opened; survive purge (the audit's memory of what was allowed when). */
  private final List<EnrollmentPeriod> periods = new ArrayList<>();
  /** In the order recorded; survive purge. */
  private final List<AccessRecord> accessRecords = new ArrayList<>();
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private final Map<MailboxId, Map<Resource, DirtyMark>> dirty = new HashMap<>();

  /** The order both subscription lists promise: soonest expiry first, ties by id. */
  private static final Comparator<Subscription> BY_EXPIRY =
      Comparator.comparing(Subscription::expiresAt).thenComparing(Subscription::id);

  /** Never written to: what reads see for a mailbox without links. */
  private static final LinkIndex NO_LINKS = new LinkIndex();

  public InMemorySyncStateStore(int runsKept) {
    this.runsKept = Checks.requireAtLeast(runsKept, 1, "runsKept");
  }

  private LinkIndex linksOf(MailboxId mailbox) {
    return links.computeIfAbsent(mailbox, m -> new LinkIndex());
  }

  @Override
  public synchronized void putEnrollment(Mailbox mailbox) {
    enrollments.put(mailbox.id(), mailbox);
    if (openPeriod(mailbox.id()) < 0) {
      periods.add(new EnrollmentPeriod(mailbox.id(), periodStart(mailbox), null));
    }
  }

  /** The sign-in time, but never inside an earlier closed period (an old {@code Mailbox} enrolled again). */
  private Instant periodStart(Mailbox mailbox) {
    Instant start = mailbox.signedInAt();
    for (EnrollmentPeriod p : periods) {
      if (p.mailbox().equals(mailbox.id()) && p.unenrolledAt() != null && p.unenrolledAt().isAfter(start)) {
        start = p.unenrolledAt();
      }
    }
    return start;
  }

  private int openPeriod(MailboxId mailbox) {
    for (int i = periods.size() - 1; i >= 0; i--) {
      if (periods.get(i).mailbox().equals(mailbox) && periods.get(i).unenrolledAt() == null) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public synchronized Optional<Mailbox> enrollment(MailboxId mailbox) {
    return Optional.ofNullable(enrollments.get(mailbox));
  }

  @Override
  public synchronized List<Mailbox> enrollments(Consumer<UnreadableRow> onUnreadable) {
    Checks.requireNonNull(onUnreadable, "onUnreadable");
    return List.copyOf(enrollments.values());
  }

  @Override
  public synchronized void purge(MailboxId mailbox) {
    enrollments.remove(mailbox);
    statuses.remove(mailbox);
    cursors.keySet().removeIf(k -> k.mailbox().equals(mailbox));
    links.remove(mailbox);
    tokenCaches.remove(mailbox);
    runs.remove(mailbox);
    subscriptions.values().removeIf(sub -> sub.mailbox().equals(mailbox));
    dirty.remove(mailbox);
    // the fence survives so that a round still in flight cannot write after the purge
    fences.merge(mailbox, 1L, Long::sum);
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
    statuses.put(state.mailbox(), state);
  }

  @Override
  public synchronized Optional<MailboxState> status(MailboxId mailbox) {
    return Optional.ofNullable(statuses.get(mailbox));
  }

  @Override
  public synchronized List<MailboxState> statuses(Consumer<UnreadableRow> onUnreadable) {
    Checks.requireNonNull(onUnreadable, "onUnreadable");
    return List.copyOf(statuses.values());
  }

  @Override
  public synchronized long claimFence(MailboxId mailbox) {
    // under the lock purge takes: a claim either precedes the purge (and is fenced out by it) or fails
    if (!enrollments.containsKey(mailbox)) {
      throw new NotEnrolledException(mailbox);
    }
    return fences.merge(mailbox, 1L, Long::sum);
  }

  private void checkFence(MailboxId mailbox, long fence) {
    long current = fences.getOrDefault(mailbox, 0L);
    if (fence < current) {
      throw new FencedOutException(mailbox, fence, current);
    }
  }

  @Override
  public synchronized Optional<String> cursor(CursorKey key) {
    return Optional.ofNullable(cursors.get(key));
  }

  @Override
  public synchronized void putCursor(CursorKey key, String cursor, long fence) {
    checkFence(key.mailbox(), fence);
    cursors.put(key, cursor);
  }

  @Override
  public synchronized void removeCursor(CursorKey key, long fence) {
    checkFence(key.mailbox(), fence);
    cursors.remove(key);
  }

  @Override
  public synchronized Optional<IdLink> linkByRemoteId(MailboxId mailbox, Resource resource, String remoteId) {
    return Optional.ofNullable(links.getOrDefault(mailbox, NO_LINKS).byRemoteId(resource, remoteId));
  }

  @Override
  public synchronized Optional<IdLink> linkByCrmId(MailboxId mailbox, Resource resource, String crmId) {
    return Optional.ofNullable(links.getOrDefault(mailbox, NO_LINKS).byCrmId(resource, crmId));
  }

  @Override
  public synchronized List<IdLink> links(MailboxId mailbox, Resource resource) {
    List<IdLink> result = links.getOrDefault(mailbox, NO_LINKS).all(resource);
    result.sort(Comparator.comparing(IdLink::crmId));
    return result;
  }


  @Override
  public synchronized void putLink(IdLink link, long fence) {
    checkFence(link.mailbox(), fence);
    linksOf(link.mailbox()).put(link);
  }


  @Override
  public synchronized void putLinks(List<IdLink> links, long fence) {
    for (IdLink link : links) {
      checkFence(link.mailbox(), fence);
    }
    links.forEach(link -> putLink(link, fence));
  }

  @Override
  public synchronized void removeLink(MailboxId mailbox, Resource resource, String crmId, long fence) {
    checkFence(mailbox, fence);
    linksOf(mailbox).remove(resource, crmId);
  }


  @Override
  public synchronized Optional<byte[]> tokenCache(MailboxId mailbox) {
    byte[] blob = tokenCaches.get(mailbox);
    return Optional.ofNullable(blob == null ? null : blob.clone());
  }

  @Override
  public synchronized void putTokenCache(MailboxId mailbox, byte[] blob) {
    tokenCaches.put(mailbox, blob.clone());
  }

  @Override
  public synchronized void recordRun(RunRecord run) {
    runs.computeIfAbsent(run.mailbox(), k -> new RunHistory()).add(run, runsKept);
  }

  @Override
  public synchronized List<RunRecord> runs(MailboxId mailbox, int limit) {
    Checks.requireAtLeast(limit, 0, "limit");
    RunHistory history = runs.get(mailbox);
    return history == null ? List.of() : List.copyOf(history.newest(limit));
  }

  @Override
  public int runsKept() {
    return runsKept;
  }

  @Override
  public synchronized long runCount(MailboxId mailbox) {
    RunHistory history = runs.get(mailbox);
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
    if (!enrollments.containsKey(mailbox)) {
      return;
    }
    dirty.computeIfAbsent(mailbox, m -> new EnumMap<>(Resource.class)).merge(resource, mark, (old, now) ->
        new DirtyMark(mailbox, resource, old.at().isAfter(now.at()) ? old.at() : now.at(), old.renew() || now.renew()));
  }

  @Override
  public synchronized List<DirtyMark> dirtyMarks(MailboxId mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    Map<Resource, DirtyMark> marks = dirty.get(mailbox);
    return marks == null ? List.of() : List.copyOf(marks.values());
  }

  @Override
  public synchronized void clearDirty(MailboxId mailbox, Resource resource, Instant upTo) {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(resource, "resource");
    Checks.requireNonNull(upTo, "upTo");
    Map<Resource, DirtyMark> marks = dirty.get(mailbox);
    if (marks != null && marks.containsKey(resource) && !marks.get(resource).at().isAfter(upTo)) {
      marks.remove(resource);
      if (marks.isEmpty()) {
        dirty.remove(mailbox);
      }
    }
  }

  @Override
  public synchronized void endEnrollmentPeriod(MailboxId mailbox, Instant at) {
    Checks.requireNonNull(at, "at");
    int i = openPeriod(Checks.requireNonNull(mailbox, "mailbox"));
    if (i >= 0) {
      EnrollmentPeriod open = periods.get(i);
      periods.set(i, new EnrollmentPeriod(mailbox, open.enrolledAt(), at));
    }
  }

  @Override
  public synchronized List<EnrollmentPeriod> enrollmentPeriods(Instant from, Instant to) {
    return periods.stream().filter(p -> p.overlaps(from, to)).toList();
  }

  @Override
  public synchronized void recordAccess(AccessRecord record) {
    accessRecords.add(Checks.requireNonNull(record, "record"));
  }

  @Override
  public synchronized List<AccessRecord> accessRecords(Instant from, Instant to) {
    return accessRecords.stream()
        .filter(r -> !r.startedAt().isBefore(from) && r.startedAt().isBefore(to))
        .sorted(Comparator.comparing(AccessRecord::startedAt)) // stable: recording order within an instant
        .toList();
  }

  @Override
  public synchronized int pruneAccessAudit(Instant cutoff) {
    int before = accessRecords.size();
    accessRecords.removeIf(r -> r.startedAt().isBefore(cutoff));
    periods.removeIf(p -> p.unenrolledAt() != null && p.unenrolledAt().isBefore(cutoff));
    return before - accessRecords.size();
  }
}

package io.m365sync.state;

import io.m365sync.Checks;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.internal.InMemorySyncStateStore;
import io.m365sync.notify.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Everything the engine must remember: enrollments, tenant settings, mailbox status, delta cursors,
 * the id map, encrypted token-cache blobs, run history and change-notification subscriptions. In
 * memory here; durable in the jdbc module. Every implementation passes the testkit's
 * {@code SyncStateStoreContract}.
 *
 * <p>Fencing: a round claims a fence with {@link #claimFence}, which fails for a mailbox that is not
 * enrolled; cursor and id-map writes carry it and are refused with {@link FencedOutException} once a
 * newer fence was claimed for that mailbox or the mailbox was {@linkplain #purge purged}.
 *
 * <p>Unreadable rows: a durable store may hold a row it cannot turn back into a value (an unknown
 * resource or status name written by a newer version before a rollback, an infinite timestamp, a
 * required value missing). Lists ({@link #enrollments(Consumer)}, {@link #statuses(Consumer)},
 * {@link #subscriptions(MailboxId, Consumer)}, {@link #subscriptionsExpiringBefore(Instant, Consumer)})
 * skip such a row and report it as an {@link UnreadableRow}, so that one bad row never hides the
 * others; single-row reads ({@link #enrollment}, {@link #status}, {@link #subscription}) throw
 * {@link UnreadableStateException}.
 * Failures of the store itself (a lost connection) are not unreadable rows: they are thrown.
 *
 * <p>Thread-safe.
 */
public interface SyncStateStore {

  /**
   * A thread-safe store in this JVM's memory: lost on restart. Keeps the newest
   * {@value InMemorySyncStateStore#RUNS_KEPT} runs per mailbox (and counts them all), so the run history
   * of a mailbox that syncs every cycle costs the heap a fixed amount.
   */
  static SyncStateStore inMemory() {
    return new InMemorySyncStateStore(InMemorySyncStateStore.RUNS_KEPT);
  }

  /**
   * {@link #inMemory()} keeping the newest {@code runsKept} runs per mailbox.
   *
   * @throws IllegalArgumentException if {@code runsKept} is less than 1
   */
  static SyncStateStore inMemory(int runsKept) {
    return new InMemorySyncStateStore(runsKept);
  }

  // enrollments
  /**
   * Inserts or replaces the enrollment. When the mailbox has no open {@link EnrollmentPeriod}, opens
   * one at {@code mailbox.signedInAt()} in the same step.
   */
  void putEnrollment(Mailbox mailbox);

  /**
   * The mailbox's enrollment, or empty if it is not enrolled.
   *
   * @throws UnreadableStateException if the enrollment row exists but cannot be read
   */
  Optional<Mailbox> enrollment(MailboxId mailbox);

  /**
   * Every enrollment that can be read, in first-enrollment order. Each row that cannot be read is
   * left out and passed to {@code onUnreadable}, on the calling thread before this method returns;
   * an exception {@code onUnreadable} throws propagates to the caller.
   */
  List<Mailbox> enrollments(Consumer<UnreadableRow> onUnreadable);

  /** {@link #enrollments(Consumer)} that drops unreadable rows without telling anyone. */
  default List<Mailbox> enrollments() {
    return enrollments(row -> {});
  }

  /**
   * The enrollments of {@code mailboxes} that are stored, by mailbox, in one call: what an idle cycle
   * reads of every mailbox it probes, so a store should answer it in a round trip per many mailboxes
   * rather than one per mailbox. A row that cannot be read is left out and passed to
   * {@code onUnreadable}, as {@link #enrollments(Consumer)} does. The default reads them one by one.
   */
  default Map<MailboxId, Mailbox> enrollments(Collection<MailboxId> mailboxes, Consumer<UnreadableRow> onUnreadable) {
    return oneByOne(mailboxes, this::enrollment, onUnreadable);
  }

  /** What {@code read} finds of each of {@code mailboxes}; a row it cannot read is left out and reported. */
  private static <T> Map<MailboxId, T> oneByOne(Collection<MailboxId> mailboxes,
                                                Function<MailboxId, Optional<T>> read,
                                                Consumer<UnreadableRow> onUnreadable) {
    Map<MailboxId, T> found = new HashMap<>();
    for (MailboxId mailbox : mailboxes) {
      try {
        read.apply(mailbox).ifPresent(value -> found.put(mailbox, value));
      } catch (UnreadableStateException e) {
        onUnreadable.accept(e.row());
      }
    }
    return found;
  }

  /**
   * Removes the enrollment and everything stored for the mailbox (status, cursors, id map, token
   * cache, run history, subscriptions), and raises the mailbox's fence in the same step, so that a
   * round in flight is refused with {@link FencedOutException} at its next fenced write and cannot
   * claim a new fence.
   * The fence counter remains, so that fences keep rising if the mailbox enrolls again, and so do the
   * access audit's records and enrollment periods: they say what was touched and when it was allowed,
   * and go only by {@link #pruneAccessAudit}. The open enrollment period is closed by
   * {@link #endEnrollmentPeriod}, which the engine calls right after the purge.
   */
  void purge(MailboxId mailbox);

  // tenant settings
  void putTenantSettings(TenantSettings settings);

  Optional<TenantSettings> tenantSettings(TenantId tenant);

  // status
  void putStatus(MailboxState state);

  /**
   * The mailbox's status, or empty if none was stored.
   *
   * @throws UnreadableStateException if the status row exists but cannot be read
   */
  Optional<MailboxState> status(MailboxId mailbox);

  /**
   * Every status that can be read, in first-write order. Each row that cannot be read is left out
   * and passed to {@code onUnreadable}, as {@link #enrollments(Consumer)} does.
   */
  List<MailboxState> statuses(Consumer<UnreadableRow> onUnreadable);

  /** {@link #statuses(Consumer)} that drops unreadable rows without telling anyone. */
  default List<MailboxState> statuses() {
    return statuses(row -> {});
  }

  /**
   * The statuses of {@code mailboxes} that are stored, by mailbox, in one call, as
   * {@link #enrollments(Collection, Consumer)} reads their enrollments. The default reads them one by one.
   */
  default Map<MailboxId, MailboxState> statuses(Collection<MailboxId> mailboxes, Consumer<UnreadableRow> onUnreadable) {
    return oneByOne(mailboxes, this::status, onUnreadable);
  }

  /**
   * How many mailboxes have each status, per tenant; {@code tenant} null: every tenant. Groups
   * without a mailbox are left out; the order is unspecified. A status row that cannot be read is
   * left out of the counts and reported to {@code onUnreadable}, as {@link #statuses(Consumer)} does
   * (a store that counts without reading rows may report a group of them as one, keyed by tenant).
   * This default reads every status; durable stores override it with one grouped, indexed query.
   */
  default List<StatusCount> statusCounts(TenantId tenant, Consumer<UnreadableRow> onUnreadable) {
    Map<TenantId, Map<MailboxStatus, Long>> counts = new TreeMap<>(Comparator.comparing(TenantId::value));
    for (MailboxState s : statuses(onUnreadable)) {
      if (tenant == null || tenant.equals(s.mailbox().tenant())) {
        counts.computeIfAbsent(s.mailbox().tenant(), t -> new EnumMap<>(MailboxStatus.class))
            .merge(s.status(), 1L, Long::sum);
      }
    }
    List<StatusCount> result = new ArrayList<>();
    counts.forEach((t, byStatus) -> byStatus.forEach((status, n) -> result.add(new StatusCount(t, status, n))));
    return result;
  }

  /**
   * One page of the statuses {@code query} selects, in mailbox-key order, starting after
   * {@code query.after()} (keyset paging: stable while mailboxes come and go). {@code next} is set
   * when more rows follow. A row that cannot be read is skipped, reported to {@code onUnreadable}
   * and still counts towards the page's limit, so a page can come back short but never stalls.
   *
   * <p>Key order is the store's: this default and the in-memory store compare keys as Java strings,
   * a database by its collation. Callers only pass {@link StatusPage#next()} back.
   *
   * <p>This default reads every status; durable stores override it with an index seek.
   */
  default StatusPage statusPage(StatusQuery query, Consumer<UnreadableRow> onUnreadable) {
    Checks.requireNonNull(query, "query");
    String after = query.after() == null ? null : query.after().key();
    List<MailboxState> matching = statuses(onUnreadable).stream()
        .filter(s -> query.matches(s) && (after == null || s.mailbox().key().compareTo(after) > 0))
        .sorted(Comparator.comparing(s -> s.mailbox().key())).limit(query.limit() + 1L).toList();
    if (matching.size() <= query.limit()) {
      return new StatusPage(matching, null);
    }
    List<MailboxState> page = matching.subList(0, query.limit());
    return new StatusPage(page, page.get(page.size() - 1).mailbox());
  }

  // fencing
  /**
   * Claims a new lease for an enrolled mailbox and returns its fence, greater than every earlier
   * one. The enrollment is checked in the same atomic step as the claim, against a concurrent
   * {@link #purge}: either the claim comes first and the purge then fences it out, or the purge comes
   * first and the claim fails.
   *
   * @throws io.m365sync.NotEnrolledException if the mailbox has no enrollment; nothing is written
   */
  long claimFence(MailboxId mailbox);

  // cursors
  Optional<String> cursor(CursorKey key);

  /**
   * The cursors stored under {@code keys}, keys with none left out: what an idle probe reads of a
   * mailbox before it decides whether to ask Microsoft 365 anything (its links, its events window,
   * its write-ahead notes), in one call, also for several mailboxes at once, so a store should answer
   * it in a round trip per many mailboxes rather than one per key. The default reads them one by one.
   */
  default Map<CursorKey, String> cursors(Collection<CursorKey> keys) {
    Map<CursorKey, String> found = new HashMap<>();
    for (CursorKey key : keys) {
      cursor(key).ifPresent(cursor -> found.put(key, cursor));
    }
    return found;
  }

  void putCursor(CursorKey key, String cursor, long fence);

  void removeCursor(CursorKey key, long fence);

  // id map
  Optional<IdLink> linkByRemoteId(MailboxId mailbox, Resource resource, String remoteId);

  Optional<IdLink> linkByCrmId(MailboxId mailbox, Resource resource, String crmId);

  List<IdLink> links(MailboxId mailbox, Resource resource);

  /** The links of those remote ids that have one, by remote id. Stores override to look them up in one go. */
  default Map<String, IdLink> linksByRemoteIds(MailboxId mailbox, Resource resource, Collection<String> remoteIds) {
    Map<String, IdLink> found = new HashMap<>();
    for (String id : remoteIds) {
      linkByRemoteId(mailbox, resource, id).ifPresent(l -> found.put(id, l));
    }
    return found;
  }

  /** Inserts or replaces the link for {@code link.crmId()} (and its remote id). */
  void putLink(IdLink link, long fence);

  /**
   * {@link #putLink} for several links of one mailbox, all or nothing. Stores override to write them
   * in one transaction; this default writes them one by one.
   */
  default void putLinks(List<IdLink> links, long fence) {
    oneMailbox("putLinks", List.of(), links, List.of(), Map.of());
    for (IdLink link : links) {
      putLink(link, fence);
    }
  }

  /** {@link #putLinksAndCursors(List, List, List, Map, long)} removing no link. */
  default void putLinksAndCursors(List<IdLink> links, List<IdLink> freshLinks, Map<CursorKey, String> cursors,
                                  long fence) {
    putLinksAndCursors(List.of(), links, freshLinks, cursors, fence);
  }

  /**
   * A batch's id-map changes and cursors in one call: first the link of each of {@code removedLinks}'
   * CRM ids is removed, as {@link #removeLink} removes it (whatever remote id it holds now; none is a
   * no-op), then {@code links} are written as {@link #putLinks} writes them, then {@code freshLinks},
   * none of whose CRM or remote ids has a link yet (nothing to replace, so the store may skip looking),
   * then each cursor of {@code cursors} is set to its value, or removed when the value is null. Links
   * and cursor keys are of one mailbox. Stores override this to write it all in one transaction, all or
   * nothing, so that a sync round's write-ahead note, the links it covers, the links its deletions
   * remove and the round's delta links commit together; this default makes one call per part.
   */
  default void putLinksAndCursors(List<IdLink> removedLinks, List<IdLink> links, List<IdLink> freshLinks,
                                  Map<CursorKey, String> cursors, long fence) {
    oneMailbox("putLinksAndCursors", removedLinks, links, freshLinks, cursors);
    for (IdLink removed : removedLinks) {
      removeLink(removed.mailbox(), removed.resource(), removed.crmId(), fence);
    }
    List<IdLink> all = new ArrayList<>(links);
    all.addAll(freshLinks);
    if (!all.isEmpty()) {
      putLinks(all, fence);
    }
    cursors.forEach((key, cursor) -> {
      if (cursor != null) {
        putCursor(key, cursor, fence);
      } else {
        removeCursor(key, fence);
      }
    });
  }

  /**
   * What {@link #putLinks} and {@link #putLinksAndCursors} check before they write anything, and what a
   * store overriding them calls first: every link and cursor key given, of one mailbox.
   *
   * @param operation the method's name, for the message
   * @return that mailbox; null when nothing is given
   * @throws IllegalArgumentException naming the first two mailboxes found
   */
  static MailboxId oneMailbox(String operation, List<IdLink> removedLinks, List<IdLink> links,
                              List<IdLink> freshLinks, Map<CursorKey, String> cursors) {
    Checks.requireNonNull(removedLinks, "removedLinks");
    Checks.requireNonNull(links, "links");
    Checks.requireNonNull(freshLinks, "freshLinks");
    Checks.requireNonNull(cursors, "cursors");
    MailboxId first = null;
    Iterator<MailboxId> given = java.util.stream.Stream.of(removedLinks.stream().map(IdLink::mailbox),
        links.stream().map(IdLink::mailbox), freshLinks.stream().map(IdLink::mailbox),
        cursors.keySet().stream().map(CursorKey::mailbox)).flatMap(m -> m).iterator();
    while (given.hasNext()) {
      MailboxId mailbox = given.next();
      if (first == null) {
        first = mailbox;
      } else if (!first.equals(mailbox)) {
        throw new IllegalArgumentException(operation + " takes one mailbox's links and cursors: " + first + " and "
            + mailbox);
      }
    }
    return first;
  }

  void removeLink(MailboxId mailbox, Resource resource, String crmId, long fence);

  // token cache (opaque, already encrypted by the token strategy)
  Optional<byte[]> tokenCache(MailboxId mailbox);

  void putTokenCache(MailboxId mailbox, byte[] blob);

  // run history: bounded per mailbox, counted in full
  /**
   * Appends a finished round to the mailbox's history. A store keeps only the newest
   * {@link #runsKept()} records per mailbox, dropping older ones as new ones arrive, and counts every
   * run in {@link #runCount}.
   */
  void recordRun(RunRecord run);

  /**
   * A finished round's status and its run record, as {@link #putStatus} then {@link #recordRun}, both of
   * one mailbox. Stores override this to write the two in one transaction, so that the run history
   * holds every round a status reports and no other; this default makes the two calls.
   *
   * @throws IllegalArgumentException if the two are of different mailboxes (nothing is written)
   */
  default void putStatusAndRun(MailboxState state, RunRecord run) {
    oneMailbox(state, run);
    putStatus(state);
    recordRun(run);
  }

  /**
   * What {@link #putStatusAndRun} checks before it writes anything, and what a store overriding it calls
   * first: both given, of one mailbox.
   *
   * @throws IllegalArgumentException naming the two mailboxes
   */
  static void oneMailbox(MailboxState state, RunRecord run) {
    Checks.requireNonNull(state, "state");
    Checks.requireNonNull(run, "run");
    if (!state.mailbox().equals(run.mailbox())) {
      throw new IllegalArgumentException("putStatusAndRun takes one mailbox's status and run: " + state.mailbox()
          + " and " + run.mailbox());
    }
  }

  /** The newest runs first, at most {@code limit} (and at most {@link #runsKept()}). */
  List<RunRecord> runs(MailboxId mailbox, int limit);

  /**
   * How many of a mailbox's newest runs {@link #runs} keeps. This default: every one (a store that
   * drops older runs overrides this and {@link #runCount}).
   */
  default int runsKept() {
    return Integer.MAX_VALUE;
  }

  /**
   * How many runs were recorded for the mailbox since it was enrolled, kept or not; 0 after a
   * {@linkplain #purge purge}. This default counts what {@link #runs} returns, which is right only for
   * a store that keeps every run.
   */
  default long runCount(MailboxId mailbox) {
    return runs(mailbox, Integer.MAX_VALUE).size();
  }

  // change-notification subscriptions
  /** Inserts the subscription, or replaces the one with its {@link Subscription#id() id}. */
  void putSubscription(Subscription subscription);

  /**
   * The subscription with Graph's id {@code id}, or empty if none is stored.
   *
   * @throws UnreadableStateException if the subscription row exists but cannot be read
   */
  Optional<Subscription> subscription(String id);

  /**
   * The mailbox's subscriptions that can be read, soonest expiry first (ties by id, compared as
   * {@link #statusPage} compares keys: the store's order). Each row that cannot be read is left out
   * and passed to {@code onUnreadable}, as {@link #statuses(Consumer)} does.
   */
  List<Subscription> subscriptions(MailboxId mailbox, Consumer<UnreadableRow> onUnreadable);

  /** {@link #subscriptions(MailboxId, Consumer)} that drops unreadable rows without telling anyone. */
  default List<Subscription> subscriptions(MailboxId mailbox) {
    return subscriptions(mailbox, row -> {});
  }

  /**
   * Every readable subscription, of any mailbox, that expires strictly before {@code cutoff}, soonest
   * expiry first (ties as above): what renewal works through. Unreadable rows are reported to
   * {@code onUnreadable}, as {@link #statuses(Consumer)} does.
   */
  List<Subscription> subscriptionsExpiringBefore(Instant cutoff, Consumer<UnreadableRow> onUnreadable);

  /** {@link #subscriptionsExpiringBefore(Instant, Consumer)} that drops unreadable rows without telling anyone. */
  default List<Subscription> subscriptionsExpiringBefore(Instant cutoff) {
    return subscriptionsExpiringBefore(cutoff, row -> {});
  }

  /** Removes the subscription with Graph's id {@code id}; does nothing when none is stored. */
  void removeSubscription(String id);

  // dirty marks: what change notifications ask the next round to read
  /**
   * Marks the mailbox's {@code resource} as changed at {@code at}. An existing mark keeps the later
   * of the two instants, and {@code renew} once set stays set until the mark is cleared. Cheap: it
   * runs on the notification's request thread.
   */
  void markDirty(MailboxId mailbox, Resource resource, Instant at, boolean renew);

  /** The mailbox's dirty marks, in {@link Resource} order. */
  List<DirtyMark> dirtyMarks(MailboxId mailbox);

  /**
   * Clears the mark of the mailbox's {@code resource} if it is not newer than {@code upTo} (the start
   * of the round that read the resource); a notification that arrived during that round keeps it.
   */
  void clearDirty(MailboxId mailbox, Resource resource, Instant upTo);

  // access audit
  /** Closes the mailbox's open {@link EnrollmentPeriod} at {@code at}; does nothing when none is open. */
  void endEnrollmentPeriod(MailboxId mailbox, Instant at);

  /**
   * The enrollment periods of every mailbox that share an instant with {@code [from, to]} (open ones
   * included), in the order they were opened.
   */
  List<EnrollmentPeriod> enrollmentPeriods(Instant from, Instant to);

  /**
   * The enrollment periods of one mailbox that share an instant with {@code [from, to]}, in the order
   * they were opened: what the audit checks each app-only round against, so a store should answer it
   * without reading every mailbox's periods (the default does).
   */
  default List<EnrollmentPeriod> enrollmentPeriods(MailboxId mailbox, Instant from, Instant to) {
    return enrollmentPeriods(from, to).stream().filter(p -> p.mailbox().equals(mailbox)).toList();
  }

  /**
   * {@link #enrollmentPeriods(MailboxId, Instant, Instant)} of several mailboxes, by mailbox (one with no
   * period maps to an empty list): what the audit checks a batch of app-only rounds against (an idle
   * cycle's {@code $batch} answers up to 20 mailbox-resources). Stores override this to read them in one
   * query; this default asks mailbox by mailbox.
   */
  default Map<MailboxId, List<EnrollmentPeriod>> enrollmentPeriods(Collection<MailboxId> mailboxes, Instant from,
                                                                 Instant to) {
    Checks.requireNonNull(mailboxes, "mailboxes");
    Map<MailboxId, List<EnrollmentPeriod>> periods = new HashMap<>();
    for (MailboxId mailbox : mailboxes) {
      periods.put(mailbox, enrollmentPeriods(mailbox, from, to));
    }
    return periods;
  }

  /**
   * Writes an app-only round to the access audit, durably before it returns. Folds it into the
   * mailbox-resource's newest record instead of adding one when that record
   * {@linkplain AccessRecord#coalescesWith coalesces with it} and the mailbox's open enrollment period
   * began at or before both records' start: the audit of a mailbox polled all day without a failure is
   * then one record per resource per day.
   */
  void recordAccess(AccessRecord record);

  /**
   * Writes several app-only rounds to the access audit, each as {@link #recordAccess(AccessRecord)}
   * would, durably before it returns: what an idle cycle's {@code $batch} answered at once (up to 20
   * mailbox-resources), so a store should write them in one transaction, not one each. Records of one
   * mailbox-resource are written in their order; across mailbox-resources the order is the store's.
   * The default writes them one by one.
   *
   * @throws IllegalArgumentException having written none of them, when the store cannot hold one of them
   *     (a field longer than its column, say): the audit then writes the others one by one
   */
  default void recordAccess(List<AccessRecord> records) {
    records.forEach(this::recordAccess);
  }

  /**
   * The access records that share an instant with {@code [from, to)} (begun before {@code to}, not
   * finished before {@code from}), oldest start first (records begun at the same instant in the order
   * they were first written).
   */
  List<AccessRecord> accessRecords(Instant from, Instant to);

  /**
   * Retention: deletes the access records finished before {@code cutoff} and the enrollment periods
   * closed before it (open periods stay, however old).
   *
   * @return the number of access records deleted
   */
  int pruneAccessAudit(Instant cutoff);

  // housekeeping
  /**
   * The store's own housekeeping, run by the engine's periodic upkeep after the access audit's
   * pruning; it changes nothing any other method returns. This default does nothing: the in-memory
   * store and server databases need none from the library. The embedded H2 file compacts itself here,
   * which its database does not do while it writes every commit through.
   */
  default void upkeep() {}
}

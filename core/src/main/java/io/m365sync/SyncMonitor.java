package io.m365sync;

import io.m365sync.auth.CredentialExpiry;
import io.m365sync.internal.ChangeFeed;
import io.m365sync.internal.CredentialExpiryWatch;
import io.m365sync.notify.ResourceFeed;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.RunRecord;
import io.m365sync.state.StatusCount;
import io.m365sync.state.StatusPage;
import io.m365sync.state.StatusQuery;
import io.m365sync.state.SyncStateStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The host's monitor view of every enrolled mailbox: all, needing sign-in, denied by policy,
 * failing, never synced; with last success and last duration on each {@link MailboxState}; and each
 * tenant's known app credential expiry.
 * A live view: every call reads the current state. Counts and filtered lists are answered by the
 * store ({@link SyncStateStore#statusCounts}, {@link SyncStateStore#statusPage}), so a durable store
 * counts and seeks in its indexes instead of handing over every status row.
 */
public final class SyncMonitor {
  /** The statuses {@link #failing()} lists. */
  public static final Set<MailboxStatus> FAILING = Set.of(MailboxStatus.FAILING, MailboxStatus.THROTTLED,
      MailboxStatus.MAILBOX_UNAVAILABLE);

  private final SyncStateStore store;
  private final CredentialExpiryWatch expiries;
  private final ChangeFeed feed;

  SyncMonitor(SyncStateStore store, CredentialExpiryWatch expiries, ChangeFeed feed) {
    this.store = store;
    this.expiries = expiries;
    this.feed = feed;
  }

  /**
   * How each synced resource of the mailbox learns of changes: push-fed (a live subscription per
   * container; read on notifications and by the safety net) or polled (read every round), with its
   * waiting notification and subscriptions. Empty when the mailbox is not enrolled.
   */
  public List<ResourceFeed> feeds(MailboxId mailbox) {
    return feed.feeds(Checks.requireNonNull(mailbox, "mailbox"));
  }

  /**
   * The known app credential expiry of every tenant with an enrolled mailbox, soonest first, as the
   * engine's {@code appRegistrations} say now; tenants whose expiry is unknown are left out.
   */
  public List<CredentialExpiry> credentialExpiries() {
    return store.enrollments().stream().map(Mailbox::tenant).distinct()
        .flatMap(t -> expiries.expiry(t).stream())
        .sorted(Comparator.comparing(CredentialExpiry::expiresAt)).toList();
  }

  /** The tenant's known app credential expiry, looked up now. */
  public Optional<CredentialExpiry> credentialExpiry(TenantId tenant) {
    return expiries.expiry(Checks.requireNonNull(tenant, "tenant"));
  }

  /** Every mailbox's status, in first-write order: reads every row, so prefer {@link #page} at scale. */
  public List<MailboxState> all() {
    return store.statuses();
  }

  public Optional<MailboxState> mailbox(MailboxId mailbox) {
    return store.status(mailbox);
  }

  /**
   * The mailbox's newest finished rounds first, at most {@code limit}: the store keeps only its
   * {@link SyncStateStore#runsKept() newest few}; {@link #runCount} counts them all.
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  public List<RunRecord> runs(MailboxId mailbox, int limit) {
    return store.runs(Checks.requireNonNull(mailbox, "mailbox"), limit);
  }

  /** How many rounds the mailbox finished since it was enrolled, including those whose records are gone. */
  public long runCount(MailboxId mailbox) {
    return store.runCount(Checks.requireNonNull(mailbox, "mailbox"));
  }

  /**
   * How many mailboxes have each status, per tenant, counted by the store (one grouped query on a
   * database, no status row read into memory). Unreadable rows are left out.
   */
  public List<StatusCount> counts() {
    return store.statusCounts(null, row -> {});
  }

  /** {@link #counts()} for one tenant. */
  public List<StatusCount> counts(TenantId tenant) {
    return store.statusCounts(Checks.requireNonNull(tenant, "tenant"), row -> {});
  }

  /** How many mailboxes have each status over all tenants; statuses nobody has are left out. */
  public Map<MailboxStatus, Long> countsByStatus() {
    Map<MailboxStatus, Long> byStatus = new EnumMap<>(MailboxStatus.class);
    counts().forEach(c -> byStatus.merge(c.status(), c.count(), Long::sum));
    return byStatus;
  }

  /**
   * One page of statuses, filtered and paged by the store (keyset paging in mailbox-key order: pass
   * {@link StatusPage#next()} to {@link StatusQuery#after} for the next page). Unreadable rows are
   * left out.
   */
  public StatusPage page(StatusQuery query) {
    return store.statusPage(Checks.requireNonNull(query, "query"), row -> {});
  }

  /** Mailboxes with {@code status}, in mailbox-key order, filtered by the store. */
  public List<MailboxState> withStatus(MailboxStatus status) {
    return allPages(StatusQuery.withStatus(Set.of(Checks.requireNonNull(status, "status")), StatusQuery.MAX_LIMIT));
  }

  public List<MailboxState> needingSignIn() {
    return withStatus(MailboxStatus.NEEDS_SIGN_IN);
  }

  public List<MailboxState> deniedByPolicy() {
    return withStatus(MailboxStatus.DENIED_BY_POLICY);
  }

  /** Failing, throttled or unavailable mailboxes: the ones waiting for a retry. */
  public List<MailboxState> failing() {
    return allPages(StatusQuery.withStatus(FAILING, StatusQuery.MAX_LIMIT));
  }

  public List<MailboxState> neverSynced() {
    return allPages(StatusQuery.all(StatusQuery.MAX_LIMIT).neverSynced());
  }

  private List<MailboxState> allPages(StatusQuery query) {
    List<MailboxState> all = new ArrayList<>();
    StatusPage page = page(query);
    all.addAll(page.items());
    while (page.hasNext()) {
      page = page(query.after(page.next()));
      all.addAll(page.items());
    }
    return List.copyOf(all);
  }
}

package io.m365sync.internal;

import io.m365sync.AuthMode;
import io.m365sync.Purpose;
import io.m365sync.ReasonCode;
import io.m365sync.access.AccessDecision;
import io.m365sync.auth.AccessToken;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.NotEnrolledException;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.TenantStatus;
import io.m365sync.internal.sync.QuarantineRelease;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.RunRecord;
import io.m365sync.state.TenantSettings;
import io.m365sync.state.UnreadableRow;
import io.m365sync.state.UnreadableStateException;
import java.time.Duration;
import java.time.Instant;
import io.m365sync.auth.KeepAliveReport;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.stream.Collectors;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's behaviour behind {@code SyncEngine}'s public surface. Thread-safe.
 *
 * <p>The enrollment gate: every round reads the enrollment under the mailbox's lock, and the state
 * store's fence claim fails when the enrollment row is gone; {@link #unenroll} stops a round in
 * flight before its next Graph request, waits for it to let go of the lock, then purges.
 */
public final class EngineCore {
  private static final Logger log = LoggerFactory.getLogger(EngineCore.class);
  /** Whether a round runs now whatever the mailbox's backoff says (the host asked) or only when due. */
  private enum When { NOW, IF_DUE }

  private final EngineContext ctx;
  private final ApplicationModeGate appGate;
  private final AccessDecisionCache decisions;
  private final MailboxLocks locks;
  private final HedgedReads reads;
  private final RoundLoad load;
  private final KeepAlivePass keepAlive;
  private final CredentialExpiryWatch expiryWatch;
  private final AuditTrail audit;
  private final ChangeFeed feed;
  private final IdleProbe idleProbe;

  public EngineCore(EngineContext ctx) {
    this(ctx, new CredentialExpiryWatch(ctx, null));
  }

  public EngineCore(EngineContext ctx, CredentialExpiryWatch expiryWatch) {
    this.ctx = ctx;
    this.locks = new MailboxLocks(ctx.options().maxRequestsPerMailbox());
    this.reads = new HedgedReads(ctx.executor());
    this.appGate = new ApplicationModeGate(ctx);
    this.load = new RoundLoad(ctx.options().maxConcurrentMailboxes());
    this.decisions = new AccessDecisionCache(ctx);
    this.keepAlive = new KeepAlivePass(ctx, locks);
    this.expiryWatch = expiryWatch;
    this.audit = new AuditTrail(ctx.store(), ctx.listener());
    this.feed = new ChangeFeed(ctx);
    this.idleProbe = new IdleProbe(ctx, appGate, decisions, locks, audit);
  }

  /** Change notifications' entry into the engine. */
  public ChangeFeed changeFeed() {
    return feed;
  }

  /** The access audit's writer and checker, shared with the engine's {@code AccessAudit} view. */
  public AuditTrail auditTrail() {
    return audit;
  }

  /** The schedulers' periodic upkeep: the audit's retention, the store's housekeeping, the delegated keep-alive pass when due. */
  public KeepAliveReport upkeep() {
    audit.prune(ctx.clock().instant().minus(ctx.options().auditRetention()));
    ctx.store().upkeep(); // after the prune, so that it can reclaim what the prune freed
    return keepAlive.runIfDue();
  }

  public void enroll(Mailbox mailbox) {
    Instant now = ctx.clock().instant();
    locks.withLock(mailbox.id(), slot -> {
      ctx.store().putEnrollment(mailbox);
      MailboxState before = readableStatus(mailbox.id());
      MailboxState after = before == null ? MailboxState.pending(mailbox.id(), now)
          : before.withStatus(MailboxStatus.PENDING, before.mode(), ReasonCode.SIGNED_IN.code(), "the user signed in to the add-in", now, null)
              .withDelegatedDeadSince(null).withNotifiedAt(null);
      save(before, after);
      return null;
    });
  }

  public void unenroll(MailboxId mailbox) {
    locks.stopAndLock(mailbox, () -> {
      MailboxState before = readableStatus(mailbox);
      if (feed.enabled()) {
        deleteSubscriptions(mailbox, before);
      }
      // the strategy first: a refresh still out is then dropped when it lands instead of writing the row back
      if (ctx.delegated() != null) {
        ctx.delegated().forget(mailbox);
      }
      ctx.store().purge(mailbox);
      // still under the lock: no round of the mailbox can run until the period is closed
      ctx.store().endEnrollmentPeriod(mailbox, ctx.clock().instant());
      decisions.forget(mailbox);
      if (before != null) {
        ctx.listener().mailboxStatusChanged(before,
            before.withStatus(MailboxStatus.NOT_ENROLLED, null, ReasonCode.UNENROLLED.code(), "unenrolled by the host", ctx.clock().instant(), null));
      }
      return null;
    });
  }

  /**
   * Unenroll, still enrolled and under the lock: each subscription is deleted at Graph with a token
   * of its mode where one can be had without breaking a promise (application mode only where the
   * gate allows it; delegated only while the user's token lives), and forgotten either way.
   */
  private void deleteSubscriptions(MailboxId id, MailboxState before) {
    Optional<Mailbox> enrolled = ctx.store().enrollment(id);
    if (enrolled.isEmpty()) {
      return;
    }
    Mailbox mailbox = enrolled.get();
    new SubscriptionKeeper(ctx).deleteAll(ctx.gateway(), id, sub -> true, sub -> {
      AuthMode mode = sub.mode();
      if (mode == AuthMode.APPLICATION && !sub.resource().coveredByAccessPolicies()) {
        return null; // no policy can scope it, and no scoped success vouches for app-only access here
      }
      try {
        AccessToken token = mode == AuthMode.APPLICATION ? appOnlyToken(mailbox, before)
            : ctx.delegated() != null && (before == null || before.delegatedAlive())
                ? ctx.delegated().acquire(mailbox, Purpose.BACKGROUND_SYNC) : null;
        return token == null ? null : new MailboxSession(mailbox, token);
      } catch (RuntimeException e) {
        log.info("No {} token to delete mailbox {}'s subscriptions ({}); Graph lets them expire", mode, id, e.getMessage());
        return null;
      }
    }, denied -> log.info("App-only deletes of mailbox {}'s subscriptions denied by policy; Graph lets the rest expire", id));
  }

  /** An app token for the mailbox where a round would use one: the tenant's gate open and the access decision an allow. */
  private AccessToken appOnlyToken(Mailbox mailbox, MailboxState before) {
    ApplicationModeGate.Availability app = appGate.check(mailbox);
    if (app.token() == null) {
      return null;
    }
    MailboxState stored = before != null ? before : MailboxState.pending(mailbox.id(), ctx.clock().instant());
    return decisions.decide(mailbox, stored) instanceof AccessDecision.Allow ? app.token() : null;
  }

  public void setApplicationPermissionEnabled(TenantId tenant, boolean enabled) {
    ctx.store().putTenantSettings(new TenantSettings(tenant, enabled));
    appGate.reset(tenant);
  }

  public TenantStatus tenantStatus(TenantId tenant) {
    return appGate.status(tenant);
  }

  public void suspend(MailboxId mailbox, boolean suspended) {
    locks.withLock(mailbox, slot -> {
      enrolled(mailbox);
      Instant now = ctx.clock().instant();
      MailboxState before = ctx.store().status(mailbox).orElse(MailboxState.pending(mailbox, now));
      save(before, suspended
          ? before.withStatus(MailboxStatus.SUSPENDED, before.mode(), ReasonCode.SUSPENDED.code(), "suspended by the host", now, null)
          : before.withStatus(MailboxStatus.PENDING, before.mode(), ReasonCode.RESUMED.code(), "resumed by the host", now, null));
      return null;
    });
  }

  /** Lets the next round of the mailbox's {@code resource} through the mass-change guard once. */
  public void releaseQuarantine(MailboxId mailbox, Resource resource) {
    locks.withLock(mailbox, slot -> {
      enrolled(mailbox);
      QuarantineRelease.grant(ctx.store(), mailbox, resource, ctx.store().claimFence(mailbox));
      return null;
    });
  }

  /**
   * Syncs one mailbox now, on the calling thread, ignoring backoff and Retry-After (the host asked);
   * waits for a round of the same mailbox already running.
   *
   * @throws NotEnrolledException if the mailbox is not enrolled (checked under its lock)
   */
  public MailboxSyncReport syncMailbox(MailboxId mailbox) {
    return load.run(() -> locks.withLock(mailbox, slot -> round(slot, enrolled(mailbox), When.NOW)));
  }

  /**
   * The schedulers' entry: syncs the mailbox if it is due (not suspended, past its next attempt,
   * backoff and Retry-After) and no round of it is running; otherwise reports that nothing ran.
   *
   * @throws NotEnrolledException if the mailbox is not enrolled (checked under its lock)
   */
  public MailboxSyncReport syncIfDue(MailboxId mailbox) {
    return load.run(() -> syncIfDue(mailbox, null));
  }

  private MailboxSyncReport syncIfDue(MailboxId mailbox, IdleProbe.Found probed) {
    return locks.tryWithLock(mailbox, slot -> round(slot, enrolled(mailbox), When.IF_DUE, probed), () -> notRan(mailbox));
  }

  /**
   * Syncs every enrolled mailbox that is due, at most {@code maxConcurrentMailboxes} at once, after
   * probing their polled resources' delta links in batches ({@link IdleProbe}): what read nothing new
   * is left out of the rounds, and a mailbox none of whose resources did gets no round.
   */
  public CycleReport runCycle() {
    Instant start = ctx.clock().instant();
    long t0 = System.nanoTime();
    List<Mailbox> mailboxes = ctx.store().enrollments(this::unreadable);
    expiryWatch.check(mailboxes.stream().map(Mailbox::tenant).collect(Collectors.toCollection(LinkedHashSet::new)));
    Map<MailboxId, IdleProbe.Found> probed = idleProbe.run(mailboxes);
    Semaphore permits = new Semaphore(ctx.options().maxConcurrentMailboxes());
    List<CompletableFuture<MailboxSyncReport>> futures = new ArrayList<>(mailboxes.size());
    load.queue((int) mailboxes.stream().filter(m -> !quiet(probed.get(m.id()))).count());
    for (Mailbox m : mailboxes) {
      IdleProbe.Found found = probed.get(m.id());
      if (quiet(found)) {
        // probed under its lock, in the state its round would check, and every resource quiet: its round
        // would read that state again only to read nothing (a change since is the next cycle's, as one
        // right after a round would be)
        futures.add(CompletableFuture.completedFuture(MailboxRound.notRan(found.seen())));
        continue;
      }
      permits.acquireUninterruptibly();
      CompletableFuture<MailboxSyncReport> f = new CompletableFuture<>();
      futures.add(f);
      try {
        ctx.executor().execute(() -> {
          try {
            f.complete(load.run(() -> {
              load.dequeue(); // counted as running from here
              return scheduledRound(m.id(), found);
            }));
          } catch (Throwable e) {
            f.completeExceptionally(e);
          } finally {
            permits.release();
          }
        });
      } catch (RuntimeException rejected) {
        load.dequeue();
        permits.release();
        f.completeExceptionally(rejected);
      }
    }
    List<MailboxSyncReport> reports = new ArrayList<>(futures.size());
    for (int i = 0; i < futures.size(); i++) {
      try {
        reports.add(futures.get(i).join());
      } catch (RuntimeException e) {
        reports.add(notRan(mailboxes.get(i).id()));
      }
    }
    CycleReport report = new CycleReport(start, Duration.ofNanos(System.nanoTime() - t0), reports);
    ctx.listener().cycleFinished(report);
    return report;
  }

  private static boolean quiet(IdleProbe.Found found) {
    return found != null && found.nothingToRead();
  }

  /**
   * A cycle's round: as {@link #syncIfDue}, but a mailbox unenrolled since the listing is reported,
   * not thrown, and a mailbox whose state row cannot be read is skipped and reported.
   */
  private MailboxSyncReport scheduledRound(MailboxId mailbox, IdleProbe.Found probed) {
    try {
      return syncIfDue(mailbox, probed);
    } catch (UnreadableStateException e) {
      unreadable(e.row());
      return MailboxRound.notRan(MailboxState.pending(mailbox, ctx.clock().instant()));
    } catch (NotEnrolledException e) {
      Instant now = ctx.clock().instant();
      return MailboxRound.notRan(MailboxState.pending(mailbox, now)
          .withStatus(MailboxStatus.NOT_ENROLLED, null, ReasonCode.UNENROLLED.code(), "unenrolled", now, null));
    }
  }

  private MailboxSyncReport round(MailboxLocks.Slot slot, Mailbox mailbox, When when) {
    return round(slot, mailbox, when, null);
  }

  private MailboxSyncReport round(MailboxLocks.Slot slot, Mailbox mailbox, When when, IdleProbe.Found probed) {
    try (RoundMdc mdc = RoundMdc.open(mailbox)) {
      return roundWithMdc(slot, mailbox, when, probed);
    }
  }

  /** Whether a scheduled round of the mailbox may run now: not suspended, past its backoff and Retry-After. */
  static boolean due(MailboxState state, Instant now) {
    return state.status() != MailboxStatus.SUSPENDED && (state.nextAttempt() == null || !now.isBefore(state.nextAttempt()));
  }

  private MailboxSyncReport roundWithMdc(MailboxLocks.Slot slot, Mailbox mailbox, When when, IdleProbe.Found probed) {
    if (slot.stopped()) {
      throw new NotEnrolledException(mailbox.id()); // an unenroll is waiting for this lock: start nothing
    }
    Instant now = ctx.clock().instant();
    MailboxState before = ctx.store().status(mailbox.id()).orElse(MailboxState.pending(mailbox.id(), now));
    if (before.status() == MailboxStatus.SUSPENDED || (when == When.IF_DUE && !due(before, now))) {
      return MailboxRound.notRan(before);
    }
    // what this cycle's probe found holds only if nothing touched the mailbox since (a sign-in, a round)
    IdleProbe.Found found = probed != null && probed.validFor(before) ? probed : null;
    RoundPlan plan = feed.plan(mailbox, when == When.NOW, now);
    if (found != null) {
      plan = plan.without(found.quiet(), mailbox.resources());
    }
    if (plan.empty()) {
      // push-fed and idle, or every due resource probed unchanged: nothing to read until a change, a
      // notification or the safety net; no fence, no status write (lastSuccessAt stays the last round's)
      return MailboxRound.notRan(before);
    }
    long t0 = System.nanoTime();
    // fails with NotEnrolledException when the enrollment row is gone, in the claim's own transaction
    long fence = ctx.store().claimFence(mailbox.id());
    MailboxRound.Result result = new MailboxRound(ctx, appGate, decisions, mailbox, before, fence, slot, reads,
        audit, plan, found, load::share).run();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    Instant end = ctx.clock().instant();
    MailboxState after = MailboxStatusRules.next(before, result, ctx.options(), end, took);
    if (after.status() == MailboxStatus.NEEDS_SIGN_IN && ctx.options().signInNotify().shouldNotify(before.notifiedAt(), end)) {
      after = after.withNotifiedAt(end);
      ctx.listener().signInRequired(mailbox, after);
    }
    if (result.outcome().fencedOut == null && !slot.stopped() && ctx.store().enrollment(mailbox.id()).isPresent()) {
      // the status and the round's run record in one store call: one transaction on a durable store
      ctx.store().putStatusAndRun(after, new RunRecord(mailbox.id(), now, end, after.mode(), after.status(),
          result.resources().stream().mapToInt(r -> r.applied()).sum(), after.reasonCode()));
      statusWritten(before, after);
      feed.afterRound(mailbox.id(), plan, result.resources(), result.pushFed(), fence);
    }
    MailboxSyncReport report = new MailboxSyncReport(mailbox.id(), after, result.resources(), result.ran(), took);
    ctx.listener().mailboxSynced(report);
    return report;
  }

  private MailboxSyncReport notRan(MailboxId mailbox) {
    Optional<MailboxState> state = ctx.store().status(mailbox);
    return MailboxRound.notRan(state.orElse(MailboxState.pending(mailbox, ctx.clock().instant())));
  }

  /** A state row the store could not read: skipped, logged once here with its key, and reported. */
  private void unreadable(UnreadableRow row) {
    log.warn("m365sync skipped an unreadable state row: {}", row);
    ctx.listener().unreadableRow(row);
  }

  private void save(MailboxState before, MailboxState after) {
    ctx.store().putStatus(after);
    statusWritten(before, after);
  }

  /** Tells the host a stored status changed. */
  private void statusWritten(MailboxState before, MailboxState after) {
    if (after.differsFrom(before)) {
      ctx.listener().mailboxStatusChanged(before, after);
    }
  }

  /** The stored status, or null when there is none or it cannot be read (reported; a sign-in replaces it). */
  private MailboxState readableStatus(MailboxId mailbox) {
    try {
      return ctx.store().status(mailbox).orElse(null);
    } catch (UnreadableStateException e) {
      unreadable(e.row());
      return null;
    }
  }

  private Mailbox enrolled(MailboxId mailbox) {
    return ctx.store().enrollment(mailbox).orElseThrow(() -> new NotEnrolledException(mailbox));
  }
}

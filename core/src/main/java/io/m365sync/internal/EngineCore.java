package io.m365sync.internal;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.NotEnrolledException;
import io.m365sync.TenantId;
import io.m365sync.TenantStatus;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.RunRecord;
import io.m365sync.state.TenantSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;

/** The engine's behaviour behind {@code SyncEngine}'s public surface. Thread-safe. */
public final class EngineCore {
  private final EngineContext ctx;
  private final ApplicationModeGate appGate;
  private final AccessDecisionCache decisions;
  private final ConcurrentHashMap<MailboxId, ReentrantLock> locks = new ConcurrentHashMap<>();

  public EngineCore(EngineContext ctx) {
    this.ctx = ctx;
    this.appGate = new ApplicationModeGate(ctx);
    this.decisions = new AccessDecisionCache(ctx);
  }

  public void enroll(Mailbox mailbox) {
    Instant now = ctx.clock().instant();
    withLock(mailbox.id(), () -> {
      ctx.store().putEnrollment(mailbox);
      MailboxState before = ctx.store().status(mailbox.id()).orElse(null);
      MailboxState after = before == null ? MailboxState.pending(mailbox.id(), now)
          : before.withStatus(MailboxStatus.PENDING, before.mode(), "SIGNED_IN", "the user signed in to the add-in", now, null)
              .withDelegatedDeadSince(null).withNotifiedAt(null);
      save(before, after);
      return null;
    });
  }

  public void unenroll(MailboxId mailbox) {
    withLock(mailbox, () -> {
      MailboxState before = ctx.store().status(mailbox).orElse(null);
      ctx.store().purge(mailbox);
      decisions.forget(mailbox);
      if (ctx.delegated() != null) {
        ctx.delegated().forget(mailbox);
      }
      if (before != null) {
        ctx.listener().mailboxStatusChanged(before,
            before.withStatus(MailboxStatus.NOT_ENROLLED, null, "UNENROLLED", "unenrolled by the host", ctx.clock().instant(), null));
      }
      return null;
    });
  }

  public void setApplicationPermissionEnabled(TenantId tenant, boolean enabled) {
    ctx.store().putTenantSettings(new TenantSettings(tenant, enabled));
    appGate.reset(tenant);
  }

  public TenantStatus tenantStatus(TenantId tenant) {
    return appGate.status(tenant);
  }

  public void suspend(MailboxId mailbox, boolean suspended) {
    Mailbox m = enrolled(mailbox);
    withLock(m.id(), () -> {
      Instant now = ctx.clock().instant();
      MailboxState before = ctx.store().status(mailbox).orElse(MailboxState.pending(mailbox, now));
      save(before, suspended
          ? before.withStatus(MailboxStatus.SUSPENDED, before.mode(), "SUSPENDED", "suspended by the host", now, null)
          : before.withStatus(MailboxStatus.PENDING, before.mode(), "RESUMED", "resumed by the host", now, null));
      return null;
    });
  }

  /** Syncs one mailbox now, on the calling thread, ignoring backoff. */
  public MailboxSyncReport syncMailbox(MailboxId mailbox) {
    Mailbox m = enrolled(mailbox);
    return withLock(m.id(), () -> round(m, false));
  }

  /** Syncs every enrolled mailbox that is due, at most {@code maxConcurrentMailboxes} at once. */
  public CycleReport runCycle() {
    Instant start = ctx.clock().instant();
    long t0 = System.nanoTime();
    List<Mailbox> mailboxes = ctx.store().enrollments();
    Semaphore permits = new Semaphore(ctx.options().maxConcurrentMailboxes());
    List<CompletableFuture<MailboxSyncReport>> futures = new ArrayList<>(mailboxes.size());
    for (Mailbox m : mailboxes) {
      permits.acquireUninterruptibly();
      CompletableFuture<MailboxSyncReport> f = new CompletableFuture<>();
      futures.add(f);
      try {
        ctx.executor().execute(() -> {
          try {
            f.complete(scheduledRound(m));
          } catch (Throwable e) {
            f.completeExceptionally(e);
          } finally {
            permits.release();
          }
        });
      } catch (RuntimeException rejected) {
        permits.release();
        f.completeExceptionally(rejected);
      }
    }
    List<MailboxSyncReport> reports = new ArrayList<>(futures.size());
    for (int i = 0; i < futures.size(); i++) {
      try {
        reports.add(futures.get(i).join());
      } catch (RuntimeException e) {
        Mailbox m = mailboxes.get(i);
        reports.add(MailboxRound.notRan(ctx.store().status(m.id()).orElse(MailboxState.pending(m.id(), start))));
      }
    }
    CycleReport report = new CycleReport(start, Duration.ofNanos(System.nanoTime() - t0), reports);
    ctx.listener().cycleFinished(report);
    return report;
  }

  private MailboxSyncReport scheduledRound(Mailbox m) {
    ReentrantLock lock = locks.computeIfAbsent(m.id(), k -> new ReentrantLock());
    if (!lock.tryLock()) {
      // a round for this mailbox is already running (syncMailbox from the host): never two at once
      return MailboxRound.notRan(ctx.store().status(m.id()).orElse(MailboxState.pending(m.id(), ctx.clock().instant())));
    }
    try {
      return ctx.store().enrollment(m.id()).map(current -> round(current, true))
          .orElseGet(() -> MailboxRound.notRan(MailboxState.pending(m.id(), ctx.clock().instant())
              .withStatus(MailboxStatus.NOT_ENROLLED, null, "UNENROLLED", "unenrolled", ctx.clock().instant(), null)));
    } finally {
      lock.unlock();
    }
  }

  private MailboxSyncReport round(Mailbox mailbox, boolean scheduled) {
    Instant now = ctx.clock().instant();
    MailboxState before = ctx.store().status(mailbox.id()).orElse(MailboxState.pending(mailbox.id(), now));
    if (before.status() == MailboxStatus.SUSPENDED
        || (scheduled && before.nextAttempt() != null && now.isBefore(before.nextAttempt()))) {
      return MailboxRound.notRan(before);
    }
    long t0 = System.nanoTime();
    MailboxRound round = new MailboxRound(ctx, appGate, decisions, mailbox, before, ctx.store().claimFence(mailbox.id()));
    MailboxRound.Result result = round.run();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    Instant end = ctx.clock().instant();
    MailboxState after = MailboxStatusRules.next(before, result, ctx.options(), end, took);
    if (after.status() == MailboxStatus.NEEDS_SIGN_IN && ctx.options().signInNotify().shouldNotify(before.notifiedAt(), end)) {
      after = after.withNotifiedAt(end);
      ctx.listener().signInRequired(mailbox, after);
    }
    if (result.outcome().fencedOut == null && ctx.store().enrollment(mailbox.id()).isPresent()) {
      save(before, after);
      ctx.store().recordRun(new RunRecord(mailbox.id(), now, end, after.mode(), after.status(),
          result.resources().stream().mapToInt(r -> r.applied()).sum(), after.reasonCode()));
    }
    MailboxSyncReport report = new MailboxSyncReport(mailbox.id(), after, result.resources(), result.ran(), took);
    ctx.listener().mailboxSynced(report);
    return report;
  }

  private void save(MailboxState before, MailboxState after) {
    ctx.store().putStatus(after);
    if (after.differsFrom(before)) {
      ctx.listener().mailboxStatusChanged(before, after);
    }
  }

  private Mailbox enrolled(MailboxId mailbox) {
    return ctx.store().enrollment(mailbox).orElseThrow(() -> new NotEnrolledException(mailbox));
  }

  private <T> T withLock(MailboxId mailbox, java.util.function.Supplier<T> body) {
    ReentrantLock lock = locks.computeIfAbsent(mailbox, k -> new ReentrantLock());
    lock.lock();
    try {
      return body.get();
    } finally {
      lock.unlock();
    }
  }
}

package io.m365sync.internal;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Purpose;
import io.m365sync.ReasonCode;
import io.m365sync.Resource;
import io.m365sync.access.AccessDecision;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.ConsentRequiredException;
import io.m365sync.auth.CredentialsInvalidException;
import io.m365sync.auth.ReauthenticationRequiredException;
import io.m365sync.auth.SelectionContext;
import io.m365sync.auth.StrategyChoice;
import io.m365sync.auth.TokenException;
import io.m365sync.gateway.AccessDeniedByPolicyException;
import io.m365sync.gateway.GatewayException;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.MailboxUnavailableException;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.gateway.TokenRejectedException;
import io.m365sync.internal.sync.QuarantineRelease;
import io.m365sync.notify.ChangeNotifications;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.FencedOutException;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.SyncRound;
import io.m365sync.sync.WrittenSoFar;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of one mailbox, as a pipeline: application availability → access decision (cached or
 * stored) → per resource, policy-scoped resources first: choose mode → the engine's own guard rails
 * → token (delegated fetched once, lazily) → syncer; then the status is derived from what happened
 * ({@link RoundOutcome}). Single use, under the mailbox's lock.
 *
 * <p>The policy-scoped resources are read at once, then the unscoped ones (To Do), each on the
 * host's executor ({@link Fork}: the round's own thread runs what no worker took); every request of
 * the round shares {@link MailboxRequests}' slots, so at most {@code maxRequestsPerMailbox} are in
 * flight for the mailbox. What resources share (the access decision, the scoped success, the
 * delegated token, the outcome) is safe to touch from their threads.
 *
 * <p>The guard rails hold whatever the pluggable selector answers: a deny (stored, cached or just
 * observed) keeps every resource of the mailbox off app-only; a resource no access policy can scope
 * (To Do) goes app-only only after a scoped resource succeeded app-only for this mailbox in this
 * round, or never when {@code SyncOptions.unscopedDelegatedOnly} says so.
 */
final class MailboxRound {
  private static final Logger log = LoggerFactory.getLogger(MailboxRound.class);
  /** Scoped resources first, so To Do learns from them whether app-only access is allowed. */
  private static final Comparator<Resource> ORDER =
      Comparator.comparing((Resource r) -> !r.coveredByAccessPolicies()).thenComparing(Enum::ordinal);

  private final EngineContext ctx;
  /** This round's share of the requests the engine is sized for ({@link RoundLoad#share}): what slices may use. */
  private final IntSupplier requestShare;
  private final ApplicationModeGate appGate;
  private final AccessDecisionCache decisions;
  private final Mailbox mailbox;
  private final MailboxState before;
  private final long fence;
  /** Tells the listener of throttled answers and expired links; each resource counts its own requests around it. */
  private final MailboxGateway observed;
  /** The round's request slots and refusals, shared by its resources. */
  private final MailboxRequests requests;
  private final BooleanSupplier stopped;
  private final AuditTrail audit;
  private final RoundPlan plan;
  /** Null when change notifications are off. */
  private final SubscriptionKeeper keeper;
  private final Set<Resource> pushFed = Collections.synchronizedSet(EnumSet.noneOf(Resource.class));

  /** Set before the resources start; read-only while they run. */
  private ApplicationModeGate.Availability app;
  private volatile AccessDecision access;
  /** These three change only under {@link #delegatedToken()}'s lock. */
  private volatile boolean delegatedAlive;
  private volatile String signInCode;
  private AccessToken delegatedToken;
  private TokenException delegatedFailure;
  /** Set by a scoped resource, read by unscoped ones, which start only after every scoped one ended. */
  private volatile boolean scopedAppSuccess;
  private final RoundOutcome outcome = new RoundOutcome();

  /** What this cycle's idle probe found (null: none): its failed reads and token request count as the round's. */
  private final IdleProbe.Found probed;

  MailboxRound(EngineContext ctx, ApplicationModeGate appGate, AccessDecisionCache decisions, Mailbox mailbox,
               MailboxState before, long fence, MailboxLocks.Slot slot, HedgedReads reads, AuditTrail audit,
               RoundPlan plan, IdleProbe.Found probed, IntSupplier requestShare) {
    this.probed = probed;
    this.requestShare = requestShare;
    this.ctx = ctx;
    this.plan = plan;
    this.keeper = ctx.notifications() == null ? null : new SubscriptionKeeper(ctx);
    this.audit = audit;
    this.appGate = appGate;
    this.decisions = decisions;
    this.mailbox = mailbox;
    this.before = before;
    this.fence = fence;
    this.stopped = slot::stopped;
    this.observed = new ObservedGateway(ctx.gateway(), ctx.listener());
    this.requests = new MailboxRequests(slot.requests, slot::lease, reads, requestShare, stopped,
        () -> access);
    this.delegatedAlive = before.delegatedAlive();
    this.signInCode = before.delegatedAlive() ? null
        : before.status() == MailboxStatus.NEEDS_SIGN_IN && before.reasonCode() != null ? before.reasonCode()
        : ReasonCode.DELEGATED_TOKEN_DEAD.code();
  }

  /** Runs the round and returns its report; the caller persists the state. */
  Result run() {
    app = appGate.check(mailbox);
    access = null;
    if (app.enabled() && app.healthy()) {
      try {
        access = decisions.decide(mailbox, before);
      } catch (RuntimeException e) {
        // the check could not decide (directory outage): no app-only access, delegated goes on
        app = appGate.accessCheckFailed(mailbox, e);
      }
    }
    List<Resource> toRead = resourcesToRead().stream().filter(r -> ctx.syncers().containsKey(r)).toList();
    // the scoped ones at once, then the unscoped ones: those may go app-only only after a scoped success
    List<ResourceResult> results = new ArrayList<>(readAtOnce(toRead.stream().filter(Resource::coveredByAccessPolicies).toList()));
    results.addAll(readAtOnce(toRead.stream().filter(r -> !r.coveredByAccessPolicies()).toList()));
    if (keeper != null && !outcome.aborted()) {
      try {
        dropSubscriptionsOfDisabledResources();
      } catch (FencedOutException e) {
        outcome.fencedOut(e); // unenrolled meanwhile: stopped like a read, reported, not thrown at the host
      }
    }
    return new Result(results, outcome, access, app, delegatedAlive, signInCode, Set.copyOf(pushFed));
  }

  private List<ResourceResult> readAtOnce(List<Resource> resources) {
    return Fork.all(ctx.executor(), resources.stream().<Supplier<ResourceResult>>map(r -> () -> read(r)).toList());
  }

  /** One resource's step, on whichever thread runs it (with the round's log keys), told to the listener. */
  private ResourceResult read(Resource resource) {
    try (RoundMdc mdc = RoundMdc.open(mailbox)) {
      RoundMdc.resource(resource);
      if (stopped.getAsBoolean() && !outcome.aborted()) {
        outcome.fencedOut(FencedOutException.unenrolled(mailbox.id()));
      }
      long t0 = System.nanoTime();
      String abortReason = outcome.abortReason();
      ResourceResult r = abortReason != null ? ResourceResult.skipped(resource, abortReason)
          : runResource(ctx.syncers().get(resource));
      ctx.listener().resourceSynced(mailbox, r, abortReason != null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - t0));
      return r;
    }
  }

  /**
   * The plan's resources, scoped ones first. A resource no access policy can scope (To Do) that
   * would go app-only brings one scoped resource along: app-only access to it needs a scoped
   * success in the same round (see the guard rails), whatever made the round run.
   */
  private List<Resource> resourcesToRead() {
    List<Resource> all = mailbox.resources().stream().filter(r -> ChangeFeed.synced(ctx, mailbox, r)).sorted(ORDER).toList();
    List<Resource> planned = all.stream().filter(plan::includes).toList();
    boolean unscopedOnly = !planned.isEmpty() && planned.stream().noneMatch(Resource::coveredByAccessPolicies);
    if (unscopedOnly && app.enabled() && app.healthy() && !ctx.options().unscopedDelegatedOnly()) {
      Optional<Resource> scoped = all.stream().filter(Resource::coveredByAccessPolicies).findFirst();
      if (scoped.isPresent()) {
        List<Resource> withScoped = new ArrayList<>(planned);
        withScoped.add(0, scoped.get());
        return withScoped;
      }
    }
    return planned;
  }

  /** Subscriptions of resources the mailbox no longer syncs: deleted with a token of their mode where one is at hand. */
  private void dropSubscriptionsOfDisabledResources() {
    keeper.deleteAll(requests.around(new StoppableGateway(observed, stopped)), mailbox.id(),
        sub -> !ChangeFeed.synced(ctx, mailbox, sub.resource()),
        sub -> {
          // app-only under the guard rails of reads: an allow, and for unscoped resources a scoped success first
          AccessToken token = sub.mode() == AuthMode.APPLICATION
              ? (access instanceof AccessDecision.Allow && (sub.resource().coveredByAccessPolicies() || scopedAppSuccess)
                  ? app.token() : null)
              : delegatedAlive ? delegatedToken() : null;
          return token == null ? null : new MailboxSession(mailbox, token);
        },
        denied -> {
          access = AccessDecision.deny(denied.code(), "an application access policy or RBAC scope blocks app-only access (403 "
              + denied.code() + ")", "live-probe");
          decisions.observed(mailbox, access);
        });
  }

  private ResourceResult runResource(ResourceSyncer<?> syncer) {
    // an app-only attempt the policy denies may have written before its 403 (a sliced read's early
    // writes, a two-way round's CRM writes before its pushes): the result of the attempt after it adds them
    WrittenSoFar byDenied = new WrittenSoFar();
    return plus(attempt(syncer, byDenied), byDenied);
  }

  /** The resource's round, chosen again after an app-only attempt the policy denied (its writes: {@code byDenied}). */
  private ResourceResult attempt(ResourceSyncer<?> syncer, WrittenSoFar byDenied) {
    Resource resource = syncer.type().resource();
    // counts this resource's requests that left (the audit); the round's slots and refusals in front of it
    StoppableGateway counted = new StoppableGateway(observed, stopped);
    MailboxGateway gateway = requests.around(counted, probed == null ? List.of() : probed.takePages(resource));
    while (true) {
      StrategyChoice choice = guardRails(resource, ctx.selector().choose(new SelectionContext(mailbox, resource,
          Purpose.BACKGROUND_SYNC, app.enabled(), app.healthy(), app.unhealthyReason(), app.permits(resource), access,
          delegatedAlive)));
      if (!choice.usable()) {
        outcome.blocked(choice);
        return ResourceResult.skipped(resource, choice.reason());
      }
      AccessToken token = choice.mode() == AuthMode.APPLICATION ? app.token() : delegatedToken();
      if (token == null) {
        if (!delegatedAlive) {
          continue; // choose again knowing the delegated token is dead
        }
        if (delegatedFailure instanceof CredentialsInvalidException held) {
          outcome.tenantHeld(held);
          return ResourceResult.skipped(resource, "delegated token requests are held for the tenant: "
              + held.getMessage());
        }
        if (delegatedFailure instanceof ConsentRequiredException) {
          outcome.blocked(StrategyChoice.blocked(MailboxStatus.MISSING_PERMISSION, delegatedFailure.errorCode(),
              "the user has not consented to " + resource.delegatedPermission()));
          return ResourceResult.skipped(resource, delegatedFailure.getMessage());
        }
        outcome.failed(delegatedFailure.errorCode(), delegatedFailure.getMessage());
        return ResourceResult.failed(resource, AuthMode.DELEGATED, delegatedFailure.getMessage());
      }
      int sentBefore = counted.sent();
      Instant startedAt = ctx.clock().instant();
      AccessRecord.Outcome appOutcome = AccessRecord.Outcome.FAILED;
      String appError = null;
      WrittenSoFar written = new WrittenSoFar(); // a failed round's result counts what it wrote
      try {
        MailboxSession session = new MailboxSession(mailbox, token);
        GatewayException probedFailure = probed == null ? null : probed.failure(resource, token.mode());
        if (probedFailure != null) {
          throw probedFailure; // this cycle's probe was the round's first read: not sent again
        }
        ResourceResult result = syncer.sync(new SyncRound(session, gateway, ctx.store(),
            fence, ctx.clock(), ctx.options().pageSize(), ctx.options().eventWindowPast(), ctx.options().eventWindowFuture(),
            ctx.options().maxRequestsPerMailbox(), withLogKeys(resource), requestShare, written));
        if (keeper != null && result.outcome() != ResourceResult.Outcome.FAILED
            && ChangeNotifications.subscribable(resource)
            && keeper.keep(gateway, session, syncer, plan.renew().contains(resource))) {
          pushFed.add(resource);
        }
        outcome.synced(token.mode(), choice);
        if (result.outcome() != ResourceResult.Outcome.FAILED) {
          appOutcome = AccessRecord.Outcome.SUCCEEDED;
        }
        reportSkipped(resource, result);
        if (result.quarantine() != null) {
          outcome.quarantined(result.quarantine());
          ctx.listener().resourceQuarantined(mailbox, result.quarantine());
        } else if (before.status() == MailboxStatus.QUARANTINED) {
          QuarantineRelease.consume(ctx.store(), mailbox.id(), resource, fence);
        }
        if (token.mode() == AuthMode.APPLICATION && resource.coveredByAccessPolicies() && !scopedAppSuccess) {
          scopedAppSuccess = true;
          decisions.succeeded(mailbox);
        }
        return result;
      } catch (AccessDeniedByPolicyException e) {
        if (token.mode() != AuthMode.APPLICATION) {
          outcome.failed(e.code(), e.getMessage());
          return ResourceResult.failed(resource, token.mode(), e.getMessage(), written);
        }
        appOutcome = AccessRecord.Outcome.DENIED_BY_POLICY;
        appError = e.code();
        byDenied.set(byDenied.created() + written.created(), byDenied.updated() + written.updated(),
            byDenied.deleted() + written.deleted(), plus(byDenied.pushed(), written.pushed()));
        access = AccessDecision.deny(e.code(), "an application access policy or RBAC scope blocks app-only access (403 "
            + e.code() + ")", "live-probe");
        decisions.observed(mailbox, access);
        log.info("App-only access to mailbox {} denied by policy; falling back where possible", mailbox.id());
      } catch (TokenRejectedException e) {
        // the token was revoked or expired early: drop it so the next round starts with a fresh one
        (token.mode() == AuthMode.APPLICATION ? ctx.application() : ctx.delegated()).invalidate(mailbox);
        if (token.mode() == AuthMode.DELEGATED) {
          dropDelegatedToken(token);
        }
        appError = e.code();
        outcome.failed(e.code(), e.getMessage());
        return ResourceResult.failed(resource, token.mode(), e.getMessage(), written);
      } catch (ThrottledException e) {
        appOutcome = AccessRecord.Outcome.THROTTLED;
        appError = e.code();
        outcome.throttled(e);
        return ResourceResult.failed(resource, token.mode(), e.getMessage(), written);
      } catch (MailboxUnavailableException e) {
        appError = e.code();
        outcome.unavailable(e);
        return ResourceResult.failed(resource, token.mode(), e.getMessage(), written);
      } catch (FencedOutException e) {
        appOutcome = AccessRecord.Outcome.STOPPED;
        outcome.fencedOut(e);
        return ResourceResult.failed(resource, token.mode(), e.getMessage(), written);
      } catch (RuntimeException e) {
        // one resource failing must not stop the others; logged once here, where it is handled
        // a GatewayException's message names Graph's request-id, for the admin's support ticket
        log.warn("Sync of {} for mailbox {} failed: {}", resource, mailbox.id(), e.getMessage(), e);
        appError = e instanceof GatewayException g ? g.code() : e.getClass().getSimpleName();
        outcome.failed(appError, e.getMessage());
        return ResourceResult.failed(resource, token.mode(), e.getMessage(), written);
      } finally {
        if (token.mode() == AuthMode.APPLICATION) {
          audited(resource, startedAt, counted.sent() - sentBefore, appOutcome, appError);
        }
      }
    }
  }

  /** {@code result} counting what an earlier attempt of its round wrote as well. */
  private static ResourceResult plus(ResourceResult result, WrittenSoFar earlier) {
    if (earlier.created() + earlier.updated() + earlier.deleted() + earlier.pushed().total() == 0) {
      return result;
    }
    return new ResourceResult(result.resource(), result.mode(), result.outcome(), result.created() + earlier.created(),
        result.updated() + earlier.updated(), result.deleted() + earlier.deleted(), result.unchanged(),
        result.fullResync(), result.detail(), result.quarantine(), result.skipped(),
        plus(result.pushed(), earlier.pushed()));
  }

  private static ResourceResult.Pushed plus(ResourceResult.Pushed a, ResourceResult.Pushed b) {
    return new ResourceResult.Pushed(a.created() + b.created(), a.updated() + b.updated(), a.deleted() + b.deleted());
  }

  /** The host's executor, with the round's log keys on whichever worker runs a syncer's task. */
  private Executor withLogKeys(Resource resource) {
    return task -> ctx.executor().execute(() -> {
      try (RoundMdc mdc = RoundMdc.open(mailbox)) {
        RoundMdc.resource(resource);
        task.run();
      }
    });
  }

  /** An app-only attempt that sent at least one request touched the mailbox: into the audit it goes. */
  private void audited(Resource resource, Instant startedAt, int requests, AccessRecord.Outcome how, String code) {
    if (requests > 0) {
      audit.record(new AccessRecord(mailbox.id(), resource, startedAt, ctx.clock().instant(), how,
          requests, how == AccessRecord.Outcome.SUCCEEDED ? null : code));
    }
  }

  /** Items the round could not read: told to the host one by one, logged once per resource (ids and reasons only). */
  private void reportSkipped(Resource resource, ResourceResult result) {
    if (result.skipped().isEmpty()) {
      return;
    }
    log.warn("Sync of {} for mailbox {} skipped {} unreadable item(s); first: {}", resource, mailbox.id(),
        result.warnings(), result.skipped().get(0));
    result.skipped().forEach(item -> ctx.listener().itemSkipped(mailbox, resource, item));
  }

  /**
   * The engine's own rules on top of the selector's answer: app-only needs an app token, no deny for
   * the mailbox, and for resources no policy can scope a scoped success in this round first.
   */
  private StrategyChoice guardRails(Resource resource, StrategyChoice choice) {
    if (choice.mode() != AuthMode.APPLICATION) {
      return choice;
    }
    if (app.token() == null) {
      return fallback(StrategyChoice.blocked(MailboxStatus.NEEDS_SIGN_IN, ReasonCode.APP_UNAVAILABLE.code(),
          "application mode is unavailable: " + (app.unhealthyReason() != null ? app.unhealthyReason() : "not enabled")));
    }
    if (access instanceof AccessDecision.Deny deny) {
      return fallback(StrategyChoice.blocked(MailboxStatus.DENIED_BY_POLICY, deny.reasonCode(),
          "app-only access denied: " + deny.reason()));
    }
    if (!resource.coveredByAccessPolicies() && (ctx.options().unscopedDelegatedOnly() || !scopedAppSuccess)) {
      return fallback(StrategyChoice.blocked(MailboxStatus.NEEDS_SIGN_IN, ReasonCode.APP_ONLY_UNSCOPED.code(),
          "access policies cannot scope " + resource + ", so it goes app-only only "
              + (ctx.options().unscopedDelegatedOnly() ? "never (unscopedDelegatedOnly)"
              : "after a policy-scoped resource succeeded app-only for the mailbox in the same round")));
    }
    return choice;
  }

  private StrategyChoice fallback(StrategyChoice whyNotApp) {
    return delegatedAlive
        ? StrategyChoice.use(AuthMode.DELEGATED, whyNotApp.reasonCode(), whyNotApp.reason() + "; using the user's delegated token")
        : whyNotApp;
  }

  /** The resource's delegated token was refused: the next resource to ask fetches a fresh one (once). */
  private synchronized void dropDelegatedToken(AccessToken refused) {
    if (delegatedToken == refused) {
      delegatedToken = null;
    }
  }

  /** The user's delegated token, fetched at most once per round (resources running at once wait for it); null after a failure. */
  private synchronized AccessToken delegatedToken() {
    if (delegatedToken != null || delegatedFailure != null) {
      return delegatedToken;
    }
    if (ctx.delegated() == null) {
      delegatedAlive = false;
      signInCode = ReasonCode.NO_DELEGATED_STRATEGY.code();
      return null;
    }
    try {
      // one token request per cycle: the probe's attempt, if this cycle's probe made one, was this round's
      if (probed != null && probed.delegatedFailure() != null) {
        throw probed.delegatedFailure();
      }
      delegatedToken = probed != null && probed.delegatedToken() != null ? probed.delegatedToken()
          : appGate.acquireDelegated(mailbox, () -> ctx.delegated().acquire(mailbox, Purpose.BACKGROUND_SYNC));
    } catch (ReauthenticationRequiredException e) {
      delegatedFailure = e;
      delegatedAlive = false;
      signInCode = e.errorCode();
      log.info("Delegated token of mailbox {} is dead ({}); no more token requests until the user signs in",
          mailbox.id(), e.errorCode());
      e.claimsChallenge().ifPresent(claims -> ctx.listener().claimsChallenge(mailbox, e.errorCode(), claims));
    } catch (TokenException e) {
      delegatedFailure = e;
    }
    return delegatedToken;
  }

  /** What the round produced, for the status step. */
  record Result(List<ResourceResult> resources, RoundOutcome outcome, AccessDecision access,
                ApplicationModeGate.Availability app, boolean delegatedAlive, String signInCode, Set<Resource> pushFed) {
    boolean ran() {
      return resources.stream().anyMatch(r -> r.outcome() != ResourceResult.Outcome.SKIPPED);
    }
  }

  static MailboxSyncReport notRan(MailboxState state) {
    return new MailboxSyncReport(state.mailbox(), state, List.of(), false, java.time.Duration.ZERO);
  }
}

package io.m365sync.internal;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.access.AccessDecision;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.ConsentRequiredException;
import io.m365sync.auth.ReauthenticationRequiredException;
import io.m365sync.auth.SelectionContext;
import io.m365sync.auth.StrategyChoice;
import io.m365sync.auth.TokenException;
import io.m365sync.resource.AccessDeniedByPolicyException;
import io.m365sync.resource.MailboxSession;
import io.m365sync.resource.MailboxUnavailableException;
import io.m365sync.resource.ResourceResult;
import io.m365sync.resource.ResourceSyncer;
import io.m365sync.resource.SyncRound;
import io.m365sync.resource.ThrottledException;
import io.m365sync.resource.TokenRejectedException;
import io.m365sync.state.FencedOutException;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of one mailbox, as a pipeline: application availability → access decision (cached) →
 * per resource: choose mode → token (delegated fetched once, lazily) → syncer; then the status is
 * derived from what happened ({@link RoundOutcome}). Single use, one thread.
 */
final class MailboxRound {
  private static final Logger log = LoggerFactory.getLogger(MailboxRound.class);

  private final EngineContext ctx;
  private final ApplicationModeGate appGate;
  private final AccessDecisionCache decisions;
  private final Mailbox mailbox;
  private final MailboxState before;
  private final long fence;
  private final Instant startedAt;

  private ApplicationModeGate.Availability app;
  private AccessDecision access;
  private boolean delegatedAlive;
  private String signInCode;
  private AccessToken delegatedToken;
  private TokenException delegatedFailure;
  private final RoundOutcome outcome = new RoundOutcome();
  private boolean reportedSuccess;

  MailboxRound(EngineContext ctx, ApplicationModeGate appGate, AccessDecisionCache decisions, Mailbox mailbox,
               MailboxState before, long fence) {
    this.ctx = ctx;
    this.appGate = appGate;
    this.decisions = decisions;
    this.mailbox = mailbox;
    this.before = before;
    this.fence = fence;
    this.startedAt = ctx.clock().instant();
    this.delegatedAlive = before.delegatedAlive();
    this.signInCode = before.status() == MailboxStatus.NEEDS_SIGN_IN ? before.reasonCode() : null;
  }

  /** Runs the round and returns its report; the caller persists the state. */
  Result run() {
    app = appGate.check(mailbox);
    access = app.enabled() && app.healthy() ? decisions.decide(mailbox) : null;
    List<ResourceResult> results = new ArrayList<>();
    for (Resource resource : Resource.values()) {
      ResourceSyncer<?> syncer = ctx.syncers().get(resource);
      if (syncer == null || !mailbox.resources().contains(resource)) {
        continue;
      }
      ResourceResult r = outcome.aborted() ? ResourceResult.skipped(resource, outcome.abortReason()) : runResource(syncer);
      results.add(r);
      ctx.listener().resourceSynced(mailbox, r);
    }
    return new Result(results, outcome, access, app, delegatedAlive ? null : signInCode);
  }

  private ResourceResult runResource(ResourceSyncer<?> syncer) {
    Resource resource = syncer.type().resource();
    while (true) {
      StrategyChoice choice = ctx.selector().choose(new SelectionContext(mailbox, resource, Purpose.BACKGROUND_SYNC,
          app.enabled(), app.healthy(), app.unhealthyReason(), app.permits(resource), access, delegatedAlive));
      if (!choice.usable()) {
        outcome.blocked(choice);
        return ResourceResult.skipped(resource, choice.reason());
      }
      AccessToken token = choice.mode() == AuthMode.APPLICATION ? app.token() : delegatedToken();
      if (token == null) {
        if (!delegatedAlive) {
          continue; // choose again knowing the delegated token is dead
        }
        if (delegatedFailure instanceof ConsentRequiredException) {
          outcome.blocked(StrategyChoice.blocked(MailboxStatus.MISSING_PERMISSION, delegatedFailure.errorCode(),
              "the user has not consented to " + resource.delegatedPermission()));
          return ResourceResult.skipped(resource, delegatedFailure.getMessage());
        }
        outcome.failed(delegatedFailure.errorCode(), delegatedFailure.getMessage());
        return ResourceResult.failed(resource, AuthMode.DELEGATED, delegatedFailure.getMessage());
      }
      try {
        ResourceResult result = syncer.sync(new SyncRound(new MailboxSession(mailbox, token), ctx.gateway(), ctx.store(),
            fence, ctx.clock(), ctx.options().pageSize(), ctx.options().eventWindowPast(), ctx.options().eventWindowFuture()));
        outcome.synced(token.mode(), choice);
        if (token.mode() == AuthMode.APPLICATION && resource.coveredByAccessPolicies() && !reportedSuccess) {
          reportedSuccess = true;
          decisions.succeeded(mailbox);
        }
        return result;
      } catch (AccessDeniedByPolicyException e) {
        if (token.mode() != AuthMode.APPLICATION) {
          outcome.failed(e.code(), e.getMessage());
          return ResourceResult.failed(resource, token.mode(), e.getMessage());
        }
        access = AccessDecision.deny(e.code(), "an application access policy or RBAC scope blocks app-only access (403 "
            + e.code() + ")", "live-probe");
        decisions.observed(mailbox, access);
        log.info("App-only access to mailbox {} denied by policy; falling back where possible", mailbox.id());
      } catch (TokenRejectedException e) {
        // the token was revoked or expired early: drop it so the next round starts with a fresh one
        (token.mode() == AuthMode.APPLICATION ? ctx.application() : ctx.delegated()).invalidate(mailbox);
        if (token.mode() == AuthMode.DELEGATED) {
          delegatedToken = null;
        }
        outcome.failed(e.code(), e.getMessage());
        return ResourceResult.failed(resource, token.mode(), e.getMessage());
      } catch (ThrottledException e) {
        outcome.throttled(e);
        return ResourceResult.failed(resource, token.mode(), e.getMessage());
      } catch (MailboxUnavailableException e) {
        outcome.unavailable(e);
        return ResourceResult.failed(resource, token.mode(), e.getMessage());
      } catch (FencedOutException e) {
        outcome.fencedOut(e);
        return ResourceResult.failed(resource, token.mode(), e.getMessage());
      } catch (RuntimeException e) {
        // one resource failing must not stop the others; logged once here, where it is handled
        log.warn("Sync of {} for mailbox {} failed", resource, mailbox.id(), e);
        outcome.failed(e instanceof io.m365sync.resource.GatewayException g ? g.code() : e.getClass().getSimpleName(),
            e.getMessage());
        return ResourceResult.failed(resource, token.mode(), e.getMessage());
      }
    }
  }

  /** The user's delegated token, fetched at most once per round; null after a failure. */
  private AccessToken delegatedToken() {
    if (delegatedToken != null || delegatedFailure != null) {
      return delegatedToken;
    }
    if (ctx.delegated() == null) {
      delegatedAlive = false;
      signInCode = "NO_DELEGATED_STRATEGY";
      return null;
    }
    try {
      delegatedToken = ctx.delegated().acquire(mailbox, Purpose.BACKGROUND_SYNC);
    } catch (ReauthenticationRequiredException e) {
      delegatedFailure = e;
      delegatedAlive = false;
      signInCode = e.errorCode();
      log.info("Delegated token of mailbox {} is dead ({}); no more token requests until the user signs in",
          mailbox.id(), e.errorCode());
    } catch (TokenException e) {
      delegatedFailure = e;
    }
    return delegatedToken;
  }

  Mailbox mailbox() {
    return mailbox;
  }

  MailboxState before() {
    return before;
  }

  Instant startedAt() {
    return startedAt;
  }

  /** What the round produced, for the status step. */
  record Result(List<ResourceResult> resources, RoundOutcome outcome, AccessDecision access,
                ApplicationModeGate.Availability app, String signInCode) {
    boolean ran() {
      return resources.stream().anyMatch(r -> r.outcome() != ResourceResult.Outcome.SKIPPED);
    }
  }

  static MailboxSyncReport notRan(MailboxState state) {
    return new MailboxSyncReport(state.mailbox(), state, List.of(), false, java.time.Duration.ZERO);
  }
}

package io.m365sync.internal;

import io.m365sync.AuthMode;
import io.m365sync.MailboxId;
import io.m365sync.ReasonCode;
import io.m365sync.SyncOptions;
import io.m365sync.access.AccessDecision;
import io.m365sync.auth.StrategyChoice;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.MassChangeQuarantine;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Collectors;

/**
 * Derives a mailbox's status from a round's outcome. Order of precedence: throttled, unavailable,
 * failing, denied by policy, quarantined, blocked (missing permission before needs sign-in), active. A round held
 * only by its tenant (refused app credentials) leaves the mailbox's status as it was: that is one
 * tenant error, shown on the tenant, not one per mailbox.
 */
final class MailboxStatusRules {
  private static final String VIA_DELEGATED = "; syncing with the user's delegated token";
  private static final String NOT_VIA_DELEGATED = "; the delegated token cannot cover it either";

  private MailboxStatusRules() {}

  static MailboxState next(MailboxState before, MailboxRound.Result result, SyncOptions options, Instant now,
                           Duration took) {
    RoundOutcome o = result.outcome();
    AuthMode mode = o.syncedModes.contains(AuthMode.APPLICATION) ? AuthMode.APPLICATION
        : o.syncedModes.contains(AuthMode.DELEGATED) ? AuthMode.DELEGATED : before.mode();
    boolean synced = !o.syncedModes.isEmpty();
    boolean failed = o.failureCode != null || o.throttled != null || o.unavailable != null;
    // a dead delegated token stays dead until the user signs in again (enroll), whatever else happens
    Instant deadSince = result.delegatedAlive() ? null
        : before.delegatedDeadSince() != null ? before.delegatedDeadSince() : now;
    if (o.tenantHeld != null && !synced && !failed) {
      return before.withDelegatedDeadSince(deadSince);
    }
    MailboxState base = before.withRun(now, took, synced, failed).withDelegatedDeadSince(deadSince);
    MailboxState next;
    if (o.throttled != null) {
      next = base.withStatus(MailboxStatus.THROTTLED, mode, o.throttled.code(), o.throttled.getMessage(), now,
          now.plus(capped(o.throttled.retryAfter(), options.maxRetryAfter())));
    } else if (o.unavailable != null) {
      next = base.withStatus(MailboxStatus.MAILBOX_UNAVAILABLE, mode, o.unavailable.code(), o.unavailable.getMessage(),
          now, now.plus(options.unavailableRecheck()));
    } else if (o.failureCode != null) {
      next = base.withStatus(MailboxStatus.FAILING, mode, o.failureCode, o.failureReason, now,
          now.plus(backoff(options, base.consecutiveFailures(), before.mailbox())));
    } else if (result.access() instanceof AccessDecision.Deny deny && result.app().healthy()) {
      String how = synced ? VIA_DELEGATED : NOT_VIA_DELEGATED;
      next = base.withStatus(MailboxStatus.DENIED_BY_POLICY, mode, deny.reasonCode(), denyReason(deny.reason()) + how,
          now, null);
    } else if (!o.quarantines.isEmpty()) {
      String held = o.quarantines.stream().map(MassChangeQuarantine::describe).collect(Collectors.joining("; "));
      next = base.withStatus(MailboxStatus.QUARANTINED, mode, ReasonCode.MASS_CHANGE_GUARD.code(), held
          + "; release with SyncEngine.releaseQuarantine", now, null);
    } else if (!o.blocked.isEmpty()) {
      StrategyChoice first = o.blocked.stream().filter(c -> c.blockedStatus() == MailboxStatus.MISSING_PERMISSION)
          .findFirst().orElse(o.blocked.get(0));
      String reasons = o.blocked.stream().map(StrategyChoice::reason).distinct().collect(Collectors.joining("; "));
      if (first.blockedStatus() == MailboxStatus.NEEDS_SIGN_IN && result.signInCode() != null) {
        next = base.withStatus(MailboxStatus.NEEDS_SIGN_IN, mode, result.signInCode(),
            "the user's delegated token was refused (" + result.signInCode() + "): the user must sign in to the add-in"
                + " again; application mode cannot cover the mailbox: " + reasons, now, null);
      } else {
        next = base.withStatus(first.blockedStatus(), mode, first.reasonCode(), reasons, now, null);
      }
    } else {
      String how = mode == AuthMode.DELEGATED && !o.fallbacks.isEmpty() ? o.fallbacks.get(0).reason() : null;
      next = base.withStatus(MailboxStatus.ACTIVE, mode, null, how, now, null);
    }
    return next.status() == MailboxStatus.NEEDS_SIGN_IN ? next : next.withNotifiedAt(null);
  }

  /** A stored deny's reason without the note on how the round went, so it does not grow round by round. */
  static String denyReason(String stored) {
    if (stored == null) {
      return "denied by policy";
    }
    for (String suffix : new String[] {VIA_DELEGATED, NOT_VIA_DELEGATED}) {
      if (stored.endsWith(suffix)) {
        return stored.substring(0, stored.length() - suffix.length());
      }
    }
    return stored;
  }

  /** Graph's Retry-After, never negative and never longer than the configured cap. */
  static Duration capped(Duration retryAfter, Duration max) {
    if (retryAfter == null || retryAfter.isNegative()) {
      return Duration.ZERO;
    }
    return retryAfter.compareTo(max) > 0 ? max : retryAfter;
  }

  /**
   * Doubling backoff up to the maximum, spread by ±20 % per mailbox and attempt so that mailboxes
   * that failed together do not all come back at the same instant. Deterministic (no hidden random
   * source): the spread comes from the mailbox id and the failure count.
   */
  static Duration backoff(SyncOptions options, int failures, MailboxId mailbox) {
    Duration d = options.failureBackoff();
    for (int i = 1; i < failures && d.compareTo(options.maxFailureBackoff()) < 0; i++) {
      d = d.multipliedBy(2);
    }
    long h = mailbox.hashCode() * 0x9E3779B97F4A7C15L + failures * 0xC2B2AE3D27D4EB4FL;
    h ^= h >>> 29;
    double spread = 0.8 + 0.4 * ((h >>> 11) * 0x1.0p-53);
    Duration jittered = Duration.ofMillis(Math.max(1, (long) ((d.compareTo(options.maxFailureBackoff()) > 0 ? options.maxFailureBackoff() : d).toMillis() * spread)));
    return jittered.compareTo(options.maxFailureBackoff()) > 0 ? options.maxFailureBackoff() : jittered;
  }
}

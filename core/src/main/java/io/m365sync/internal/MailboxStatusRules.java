package io.m365sync.internal;

import io.m365sync.AuthMode;
import io.m365sync.SyncOptions;
import io.m365sync.access.AccessDecision;
import io.m365sync.auth.StrategyChoice;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Collectors;

/**
 * Derives a mailbox's status from a round's outcome. Order of precedence: throttled, unavailable,
 * failing, denied by policy, blocked (missing permission before needs sign-in), active.
 */
final class MailboxStatusRules {
  private MailboxStatusRules() {}

  static MailboxState next(MailboxState before, MailboxRound.Result result, SyncOptions options, Instant now,
                           Duration took) {
    RoundOutcome o = result.outcome();
    AuthMode mode = o.syncedModes.contains(AuthMode.APPLICATION) ? AuthMode.APPLICATION
        : o.syncedModes.contains(AuthMode.DELEGATED) ? AuthMode.DELEGATED : before.mode();
    boolean synced = !o.syncedModes.isEmpty();
    boolean failed = o.failureCode != null || o.throttled != null || o.unavailable != null;
    MailboxState base = before.withRun(now, took, synced, failed)
        .withDelegatedDeadSince(result.signInCode() == null ? null
            : before.delegatedDeadSince() != null ? before.delegatedDeadSince() : now);
    MailboxState next;
    if (o.throttled != null) {
      next = base.withStatus(MailboxStatus.THROTTLED, mode, o.throttled.code(), o.throttled.getMessage(), now,
          now.plus(o.throttled.retryAfter()));
    } else if (o.unavailable != null) {
      next = base.withStatus(MailboxStatus.MAILBOX_UNAVAILABLE, mode, o.unavailable.code(), o.unavailable.getMessage(),
          now, now.plus(options.unavailableRecheck()));
    } else if (o.failureCode != null) {
      next = base.withStatus(MailboxStatus.FAILING, mode, o.failureCode, o.failureReason, now,
          now.plus(backoff(options, base.consecutiveFailures())));
    } else if (result.access() instanceof AccessDecision.Deny deny && result.app().healthy()) {
      String how = synced ? "; syncing with the user's delegated token" : "; the delegated token cannot cover it either";
      next = base.withStatus(MailboxStatus.DENIED_BY_POLICY, mode, deny.reasonCode(), deny.reason() + how, now, null);
    } else if (!o.blocked.isEmpty()) {
      StrategyChoice first = o.blocked.stream().filter(c -> c.blockedStatus() == MailboxStatus.MISSING_PERMISSION)
          .findFirst().orElse(o.blocked.get(0));
      String reasons = o.blocked.stream().map(StrategyChoice::reason).distinct().collect(Collectors.joining("; "));
      String code = first.blockedStatus() == MailboxStatus.NEEDS_SIGN_IN && result.signInCode() != null
          ? result.signInCode() : first.reasonCode();
      next = base.withStatus(first.blockedStatus(), mode, code, reasons, now, null);
    } else {
      String how = mode == AuthMode.DELEGATED && !o.fallbacks.isEmpty() ? o.fallbacks.get(0).reason() : null;
      next = base.withStatus(MailboxStatus.ACTIVE, mode, null, how, now, null);
    }
    return next.status() == MailboxStatus.NEEDS_SIGN_IN ? next : next.withNotifiedAt(null);
  }

  static Duration backoff(SyncOptions options, int failures) {
    Duration d = options.failureBackoff();
    for (int i = 1; i < failures && d.compareTo(options.maxFailureBackoff()) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(options.maxFailureBackoff()) > 0 ? options.maxFailureBackoff() : d;
  }
}

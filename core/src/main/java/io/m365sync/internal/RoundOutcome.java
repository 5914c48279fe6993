package io.m365sync.internal;

import io.m365sync.AuthMode;
import io.m365sync.ReasonCode;
import io.m365sync.auth.CredentialsInvalidException;
import io.m365sync.auth.StrategyChoice;
import io.m365sync.gateway.MailboxUnavailableException;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.state.FencedOutException;
import io.m365sync.sync.MassChangeQuarantine;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Collects what happened to each resource of a round, for deriving the mailbox status. Resources
 * running at once report here from their threads: every method is synchronized; the fields are read
 * once the round's resources have all ended.
 */
final class RoundOutcome {
  final List<StrategyChoice> blocked = new ArrayList<>();
  final Set<AuthMode> syncedModes = EnumSet.noneOf(AuthMode.class);
  final List<StrategyChoice> fallbacks = new ArrayList<>();
  final List<MassChangeQuarantine> quarantines = new ArrayList<>();
  String failureCode;
  String failureReason;
  ThrottledException throttled;
  MailboxUnavailableException unavailable;
  FencedOutException fencedOut;
  /** The tenant's delegated token requests are held (its credentials were refused); not this mailbox's fault. */
  CredentialsInvalidException tenantHeld;

  synchronized void blocked(StrategyChoice choice) {
    blocked.add(choice);
  }

  synchronized void synced(AuthMode mode, StrategyChoice choice) {
    syncedModes.add(mode);
    if (mode == AuthMode.DELEGATED && !ReasonCode.APP_NOT_ENABLED.is(choice.reasonCode())) {
      fallbacks.add(choice);
    }
  }

  synchronized void failed(String code, String reason) {
    if (failureCode == null) {
      // a failure without a Graph error code (e.g. no response at all) is still a failure
      failureCode = code != null ? code : ReasonCode.FAILED.code();
      failureReason = reason;
    }
  }

  synchronized void throttled(ThrottledException e) {
    // Graph's first 429 of the round sets the backoff; the requests refused after it carry it as their cause
    if (throttled == null) {
      throttled = e.getCause() instanceof ThrottledException graphs ? graphs : e;
    }
  }

  synchronized void unavailable(MailboxUnavailableException e) {
    unavailable = e;
  }

  synchronized void quarantined(MassChangeQuarantine q) {
    quarantines.add(q);
  }

  synchronized void tenantHeld(CredentialsInvalidException e) {
    tenantHeld = e;
  }

  synchronized void fencedOut(FencedOutException e) {
    fencedOut = e;
  }

  /** Whether the rest of the round must be skipped (the mailbox as a whole cannot go on now). */
  synchronized boolean aborted() {
    return throttled != null || unavailable != null || fencedOut != null;
  }

  /** Why the rest of the round is skipped, or null when it goes on. */
  synchronized String abortReason() {
    if (throttled != null) {
      return "mailbox throttled; retry after " + throttled.retryAfter();
    }
    if (unavailable != null) {
      return "mailbox unavailable";
    }
    return fencedOut != null ? "lease lost" : null;
  }
}

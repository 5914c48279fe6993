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

/** Collects what happened to each resource of a round, for deriving the mailbox status. */
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

  void blocked(StrategyChoice choice) {
    blocked.add(choice);
  }

  void synced(AuthMode mode, StrategyChoice choice) {
    syncedModes.add(mode);
    if (mode == AuthMode.DELEGATED && !ReasonCode.APP_NOT_ENABLED.is(choice.reasonCode())) {
      fallbacks.add(choice);
    }
  }

  void failed(String code, String reason) {
    if (failureCode == null) {
      // a failure without a Graph error code (e.g. no response at all) is still a failure
      failureCode = code != null ? code : ReasonCode.FAILED.code();
      failureReason = reason;
    }
  }

  void throttled(ThrottledException e) {
    throttled = e;
  }

  void unavailable(MailboxUnavailableException e) {
    unavailable = e;
  }

  void quarantined(MassChangeQuarantine q) {
    quarantines.add(q);
  }

  void tenantHeld(CredentialsInvalidException e) {
    tenantHeld = e;
  }

  void fencedOut(FencedOutException e) {
    fencedOut = e;
  }

  /** Whether the rest of the round must be skipped (the mailbox as a whole cannot go on now). */
  boolean aborted() {
    return throttled != null || unavailable != null || fencedOut != null;
  }

  String abortReason() {
    if (throttled != null) {
      return "mailbox throttled; retry after " + throttled.retryAfter();
    }
    if (unavailable != null) {
      return "mailbox unavailable";
    }
    return "lease lost";
  }
}

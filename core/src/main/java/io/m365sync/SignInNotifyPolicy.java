package io.m365sync;

import java.time.Duration;

/** How often the host is told that a user must sign in to the add-in again. */
public enum SignInNotifyPolicy {
  NONE(null),
  /** Once per episode: when the mailbox becomes {@code NEEDS_SIGN_IN}. */
  ONCE(null),
  DAILY(Duration.ofDays(1)),
  WEEKLY(Duration.ofDays(7));

  private final Duration repeatEvery;

  SignInNotifyPolicy(Duration repeatEvery) {
    this.repeatEvery = repeatEvery;
  }

  /** Whether to notify now, given the last notification of this episode (null: none yet). */
  public boolean shouldNotify(java.time.Instant lastNotified, java.time.Instant now) {
    if (this == NONE) {
      return false;
    }
    if (lastNotified == null) {
      return true;
    }
    return repeatEvery != null && !now.isBefore(lastNotified.plus(repeatEvery));
  }
}

package io.m365sync.policy;

/** Outcome of one readiness check. */
public enum CheckStatus {
  PASS,
  /** Works, but the admin should act (expiring secret, To Do not scopable, wide policy scope). */
  WARN,
  /** Broken: application-mode sync will not work as intended until fixed. */
  FAIL,
  /** Could not be checked (an earlier check failed, or the data lives elsewhere). */
  SKIPPED;

  /** Whether the admin has something to do. */
  public boolean problem() {
    return this == WARN || this == FAIL;
  }
}

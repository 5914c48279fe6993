package io.m365sync.state;

/** Where a mailbox's sync stands. */
public enum MailboxStatus {
  /** Enrolled, no round has finished yet. */
  PENDING,
  /** The last round synced every enabled resource it could. */
  ACTIVE,
  /** The delegated token died and application mode cannot cover the mailbox: the user must sign in. */
  NEEDS_SIGN_IN,
  /** An access policy or RBAC scope refuses app-only access; delegated fallback is used while it lives. */
  DENIED_BY_POLICY,
  /** A permission a resource needs is not granted; that resource is skipped. */
  MISSING_PERMISSION,
  /** The mailbox cannot be reached through REST (unlicensed, inactive, on-premises). */
  MAILBOX_UNAVAILABLE,
  /** Graph throttled the mailbox; the next attempt waits for {@code Retry-After}. */
  THROTTLED,
  /**
   * The mass-change guard held a resource back (it would have deleted or overwritten more than the
   * configured share of synced items); the other resources keep syncing. Released by the host with
   * {@code SyncEngine.releaseQuarantine}, or by itself once the cause goes away.
   */
  QUARANTINED,
  /** Rounds fail for another reason; retried with backoff. */
  FAILING,
  /** The host suspended sync for this mailbox. */
  SUSPENDED,
  /** Not enrolled: its owner never signed in to the add-in, or was unenrolled. */
  NOT_ENROLLED
}

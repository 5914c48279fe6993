package io.m365sync.access;

import io.m365sync.Mailbox;

/**
 * Decides whether app-only access to an enrolled mailbox is allowed. The engine applies the
 * enrollment gate itself before asking, whatever check is plugged in, and caches decisions for
 * {@code SyncOptions.accessDecisionTtl()}.
 *
 * <p>Thread-safe; must not throw for a "deny" (return {@link AccessDecision.Deny}).
 */
public interface AccessPolicyCheck {

  /** Allows every enrolled mailbox; a policy block is then learned from Graph's 403 (the live probe). */
  static AccessPolicyCheck enrollmentOnly() {
    return mailbox -> AccessDecision.allow("enrollment");
  }

  AccessDecision decide(Mailbox mailbox);

  /** Tells the check what Graph actually answered (a 403, or a success), so it can report drift. */
  default void observed(Mailbox mailbox, AccessDecision observed) {}
}

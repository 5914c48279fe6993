package io.m365sync.internal;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.access.AccessDecision;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access decisions per mailbox with a TTL: a mailbox denied by policy is re-probed only after the
 * TTL, which should respect Exchange's propagation delay. A deny is also read back from the mailbox's
 * stored status, so a restart or another node does not probe again before the TTL has passed.
 */
final class AccessDecisionCache {
  private record Entry(AccessDecision decision, Instant expiresAt) {}

  private final EngineContext ctx;
  private final ConcurrentHashMap<MailboxId, Entry> entries = new ConcurrentHashMap<>();

  AccessDecisionCache(EngineContext ctx) {
    this.ctx = ctx;
  }

  /**
   * The cached decision; else a deny stored with the mailbox's status while its TTL runs; else the
   * check's fresh one (then cached).
   *
   * @throws RuntimeException when the check cannot decide (e.g. the directory is unreachable)
   */
  AccessDecision decide(Mailbox mailbox, MailboxState stored) {
    Instant now = ctx.clock().instant();
    Entry e = entries.get(mailbox.id());
    if (e != null && now.isBefore(e.expiresAt())) {
      return e.decision();
    }
    if (e == null && stored.status() == MailboxStatus.DENIED_BY_POLICY) {
      Instant until = stored.since().plus(ctx.options().accessDecisionTtl());
      if (now.isBefore(until)) {
        AccessDecision deny = AccessDecision.deny(stored.reasonCode() != null ? stored.reasonCode() : "ErrorAccessDenied",
            MailboxStatusRules.denyReason(stored.reason()), "stored");
        entries.put(mailbox.id(), new Entry(deny, until));
        return deny;
      }
    }
    AccessDecision fresh = ctx.accessCheck().decide(mailbox);
    entries.put(mailbox.id(), new Entry(fresh, now.plus(ctx.options().accessDecisionTtl())));
    return fresh;
  }

  /** Records what Graph answered; a deny then holds for the TTL. */
  void observed(Mailbox mailbox, AccessDecision decision) {
    entries.put(mailbox.id(), new Entry(decision, ctx.clock().instant().plus(ctx.options().accessDecisionTtl())));
    ctx.accessCheck().observed(mailbox, decision);
  }

  /**
   * Tells the check that Graph accepted app-only access. Not cached: a declared deny that comes into
   * effect must still win over earlier successes (the admin's intent is the guard rail).
   */
  void succeeded(Mailbox mailbox) {
    ctx.accessCheck().observed(mailbox, AccessDecision.allow("live-probe"));
  }

  void forget(MailboxId mailbox) {
    entries.remove(mailbox);
  }
}

package io.m365sync.sync;

import io.m365sync.MailboxId;
import io.m365sync.Resource;

/**
 * A round the mass-change guard held back: it would have deleted or overwritten {@code changes} of
 * the {@code known} synced items on {@code side} — more than the configured share. Nothing of the
 * round was applied and no cursor moved; the same round is planned again next time until the host
 * releases it ({@link TwoWayOptions.Builder#releaseQuarantine}) or the cause goes away.
 *
 * @param side {@code "CRM"} or {@code "MICROSOFT"}: where the writes would have landed
 */
public record MassChangeQuarantine(MailboxId mailbox, Resource resource, String side, int changes, int known,
                                   double maxShare) {

  /** A one-line explanation for {@link ResourceResult#detail()}. */
  public String describe() {
    return "quarantined by the mass-change guard: the round would delete or overwrite " + changes + " of " + known
        + " synced " + resource + " items on the " + side + " side (more than " + Math.round(maxShare * 100)
        + "%); nothing was applied";
  }
}

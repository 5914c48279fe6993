package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.model.SyncItem;
import io.m365sync.sync.MassChangeQuarantine;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Guard step: a plan that would delete or overwrite more than {@code maxShare} of the synced items
 * on one side (a wiped CRM table, a wiped calendar, a runaway bulk edit) is held back unless the host
 * releases it.
 */
final class MassChangeGuard {
  private final double maxShare;
  private final int minimumItems;
  private final Predicate<MassChangeQuarantine> release;

  MassChangeGuard(double maxShare, int minimumItems, Predicate<MassChangeQuarantine> release) {
    this.maxShare = maxShare;
    this.minimumItems = minimumItems;
    this.release = release;
  }

  /** The quarantine, if the plan trips the guard and the host does not release it. */
  <T extends SyncItem> Optional<MassChangeQuarantine> check(MailboxId mailbox, Resource resource, Plan<T> plan, int known) {
    if (known == 0 || known < minimumItems || maxShare >= 1.0) {
      return Optional.empty();
    }
    for (Action.Side side : new Action.Side[] {Action.Side.CRM, Action.Side.MICROSOFT}) {
      int n = plan.destructive(side);
      if (n > maxShare * known) {
        MassChangeQuarantine q = new MassChangeQuarantine(mailbox, resource, side.name(), n, known, maxShare);
        if (!release.test(q)) {
          return Optional.of(q);
        }
      }
    }
    return Optional.empty();
  }
}

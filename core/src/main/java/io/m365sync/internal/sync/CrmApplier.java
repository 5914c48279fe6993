package io.m365sync.internal.sync;

import io.m365sync.resource.CrmRecord;
import io.m365sync.resource.SyncItem;

/**
 * Apply step: the CRM-side writes of a plan. Every create is preceded by a write-ahead marker, so a
 * crash between the CRM write and the id-map write re-links the record on restart instead of
 * creating it again; overwrites carry the content fingerprint that tells their echo from a user's edit.
 */
final class CrmApplier<T extends SyncItem> {

  void apply(SyncContext<T> ctx, Plan<T> plan) {
    for (Action<T> action : plan.actions) {
      if (action instanceof Action.SaveCrm<T> a) {
        save(ctx, a);
      } else if (action instanceof Action.DeleteCrm<T> a) {
        ctx.crm.delete(ctx.mailbox, a.link().crmId());
        ctx.unlink(a.link().crmId());
        ctx.counts.deleted++;
      } else if (action instanceof Action.Link<T> a) {
        ctx.putLink(a.link());
        ctx.counts.unchanged++;
      } else if (action instanceof Action.Unlink<T> a) {
        ctx.unlink(a.link().crmId());
        ctx.counts.unchanged++;
      }
    }
  }

  private void save(SyncContext<T> ctx, Action.SaveCrm<T> a) {
    T stored = ctx.crmForm(a.item(), a.remoteId());
    if (a.crmId() == null) {
      String marker = Markers.pendingPull(a.remoteId());
      ctx.markers.put(marker, "pending");
      CrmRecord<T> saved = ctx.save(null, stored);
      ctx.link(saved.crmId(), a.remoteId(), a.changeKey(), saved.version());
      ctx.markers.remove(marker);
      ctx.counts.created++;
      return;
    }
    if (ctx.crm.find(ctx.mailbox, a.crmId()).isEmpty()) {
      ctx.counts.deferred++; // deleted in the CRM meanwhile: the next round sees a conflict
      return;
    }
    CrmRecord<T> saved = ctx.save(a.crmId(), stored);
    ctx.link(saved.crmId(), a.remoteId(), a.changeKey(), saved.version());
    ctx.counts.updated++;
  }
}

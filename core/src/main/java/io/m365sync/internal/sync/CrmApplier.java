package io.m365sync.internal.sync;

import io.m365sync.resource.CrmRecord;
import io.m365sync.resource.SyncItem;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

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
    if (a.crmId() == null) {
      T stored = ctx.crmForm(a.item(), a.remoteId());
      String marker = Markers.pendingPull(a.remoteId());
      ctx.markers.put(marker, "pending");
      CrmRecord<T> saved = ctx.save(null, stored);
      ctx.link(saved.crmId(), a.remoteId(), a.changeKey(), saved.version(), saved.item());
      ctx.markers.remove(marker);
      ctx.counts.created++;
      return;
    }
    Optional<CrmRecord<T>> existing = ctx.crm.find(ctx.mailbox, a.crmId());
    if (existing.isEmpty()) {
      ctx.counts.deferred++; // deleted in the CRM meanwhile: the next round sees a conflict
      return;
    }
    T stored = ctx.crmForm(withHostFields(a.item(), existing.get().item()), a.remoteId());
    CrmRecord<T> saved = ctx.save(a.crmId(), stored);
    ctx.link(saved.crmId(), a.remoteId(), a.changeKey(), saved.version(), saved.item());
    ctx.counts.updated++;
  }

  /**
   * The Microsoft 365 version keeps the CRM record's own extension fields that it does not carry:
   * Graph's delta never returns extended properties, so an edit made in Outlook must not wipe them.
   */
  private static <T extends SyncItem> T withHostFields(T remote, T crm) {
    Map<String, String> host = Reserved.userExtensions(crm.extensions());
    if (host.isEmpty()) {
      return remote;
    }
    Map<String, String> merged = new HashMap<>(remote.extensions());
    host.forEach(merged::putIfAbsent);
    return Reserved.withExtensions(remote, merged);
  }
}

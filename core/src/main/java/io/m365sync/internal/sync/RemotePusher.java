package io.m365sync.internal.sync;

import io.m365sync.crm.CrmRecord;
import io.m365sync.gateway.ItemNotFoundException;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.PreconditionFailedException;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.SyncItem;
import io.m365sync.state.IdLink;
import java.util.List;
import java.util.Map;

/**
 * Push step: the Microsoft 365-side writes of a plan, with If-Match. A 412 means the item changed
 * after this round read it: unless the CRM won a conflict ({@code force}) the write is deferred and
 * the next round, which reads that change, decides. Creates are preceded by a write-ahead note
 * ({@link WriteAhead}) and carry the CRM id, so a crash before the link write re-links on restart.
 * Updates send only what the CRM changed since the record was last synced ({@link SyncedFields}): a
 * CRM that keeps only some fields leaves the others as they are in Microsoft 365.
 */
final class RemotePusher<T extends SyncItem> {

  void push(SyncContext<T> ctx, Plan<T> plan) {
    for (Action<T> action : plan.actions) {
      if (action instanceof Action.CreateRemote<T> a) {
        create(ctx, a.record());
      } else if (action instanceof Action.UpdateRemote<T> a) {
        update(ctx, a);
      } else if (action instanceof Action.DeleteRemote<T> a) {
        delete(ctx, a);
      } else if (action instanceof Action.WriteBoth<T> a) {
        writeBoth(ctx, a);
      }
    }
  }

  private void create(SyncContext<T> ctx, CrmRecord<T> rec) {
    T item = ctx.remoteForm(rec.item(), rec.crmId(), true);
    String key = item.matchKey();
    if (key != null) {
      ctx.note.notePush(key, rec.crmId());
    }
    WriteResult w = ctx.round.gateway().create(ctx.round.session(), ctx.type, ctx.createContainer, item);
    if (key != null) {
      ctx.note.clearPush(key); // in the link's transaction: the note goes only once the link is in
    }
    ctx.link(rec.crmId(), w.remoteId(), w.changeKey(), rec.version(), rec.item());
    ctx.counts.pushedCreated++;
  }

  private void update(SyncContext<T> ctx, Action.UpdateRemote<T> a) {
    CrmRecord<T> rec = a.record();
    ItemPatch<T> patch = ctx.patch(rec.crmId(), rec.item(), ctx.remoteForm(rec.item(), rec.crmId(), false));
    String remoteId = a.link().remoteId();
    WriteResult w;
    try {
      w = write(ctx, a.link().containerOrNull(), remoteId, a.ifMatch(), patch, a.force());
    } catch (ItemNotFoundException gone) {
      ctx.counts.deferred++; // deleted meanwhile: the next round reads the deletion and decides
      return;
    }
    if (w == null) {
      ctx.counts.deferred++;
      return;
    }
    // a forced write (the CRM won) left Outlook's edits of the fields the CRM did not change in place:
    // linked to the change key from before it, the next round reads the item and brings them to the CRM
    ctx.link(rec.crmId(), remoteId, a.force() ? a.ifMatch() : w.changeKey(), rec.version(), rec.item());
    ctx.counts.pushedUpdated++;
  }

  private WriteResult write(SyncContext<T> ctx, String container, String remoteId, String ifMatch, ItemPatch<T> patch,
                            boolean force) {
    try {
      return ctx.round.gateway().update(ctx.round.session(), ctx.type, container, remoteId, ifMatch, patch);
    } catch (PreconditionFailedException changed) {
      if (!force) {
        return null;
      }
      return ctx.round.gateway().update(ctx.round.session(), ctx.type, container, remoteId, null, patch);
    }
  }

  private void delete(SyncContext<T> ctx, Action.DeleteRemote<T> a) {
    try {
      ctx.round.gateway().delete(ctx.round.session(), ctx.type, a.link().containerOrNull(), a.link().remoteId(), a.ifMatch());
    } catch (ItemNotFoundException alreadyGone) {
      // the goal is reached
    } catch (PreconditionFailedException changed) {
      if (!a.force()) {
        ctx.counts.deferred++;
        return;
      }
      try {
        ctx.round.gateway().delete(ctx.round.session(), ctx.type, a.link().containerOrNull(), a.link().remoteId(), null);
      } catch (ItemNotFoundException alreadyGone) {
        // the goal is reached
      }
    }
    ctx.unlink(a.link().crmId());
    ctx.counts.pushedDeleted++;
  }

  /** A merge or a survivor: CRM first (its id goes into the Microsoft 365 item), then Microsoft 365, then the link. */
  private void writeBoth(SyncContext<T> ctx, Action.WriteBoth<T> a) {
    T crmItem = a.remoteId() == null ? Reserved.stamp(Reserved.strip(a.item()), Map.of())
        : Reserved.stamp(Reserved.strip(a.item()), Map.of(Reserved.REMOTE_ID, a.remoteId()));
    CrmRecord<T> saved;
    if (a.crmId() == null || ctx.crm.find(ctx.mailbox, a.crmId()).isEmpty()) {
      if (a.remoteId() != null) {
        ctx.note.notePulls(Map.of(a.remoteId(), crmItem.matchKey() == null ? "" : crmItem.matchKey()));
      }
      saved = ctx.save(null, crmItem);
      ctx.counts.created++;
      if (a.remoteId() != null) {
        IdLink link = ctx.newLink(saved.crmId(), a.remoteId(), a.ifMatch(), -1);
        ctx.note.link(List.of(link), List.of(), List.of(a.remoteId()));
        ctx.links.put(link);
      }
    } else {
      saved = ctx.save(a.crmId(), crmItem);
      ctx.counts.updated++;
    }
    // the merge or survivor is the resolution of every field: it goes out whole, as decided, not as the
    // CRM (which may keep only some fields) stored it
    T remoteItem = ctx.remoteForm(a.item(), saved.crmId(), a.remoteId() == null);
    WriteResult w = null;
    if (a.remoteId() != null) {
      try {
        w = write(ctx, SyncContext.gatewayForm(ctx.containerOf(a.remoteId())), a.remoteId(), a.ifMatch(), ItemPatch.full(remoteItem), true);
        ctx.counts.pushedUpdated++;
      } catch (ItemNotFoundException gone) {
        w = null;
      }
    }
    if (w == null) {
      w = ctx.round.gateway().create(ctx.round.session(), ctx.type, ctx.createContainer, remoteItem);
      ctx.counts.pushedCreated++;
    }
    ctx.link(saved.crmId(), w.remoteId() != null ? w.remoteId() : a.remoteId(), w.changeKey(), saved.version(),
        saved.item());
  }
}

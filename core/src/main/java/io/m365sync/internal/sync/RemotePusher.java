package io.m365sync.internal.sync;

import io.m365sync.crm.CrmRecord;
import io.m365sync.gateway.ItemNotFoundException;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.PreconditionFailedException;
import io.m365sync.gateway.WriteResult;
import io.m365sync.internal.Fork;
import io.m365sync.model.SyncItem;
import io.m365sync.state.IdLink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Push step: the Microsoft 365-side writes of a plan, with If-Match. A 412 means the item changed
 * after this round read it: unless the CRM won a conflict ({@code force}) the write is deferred and
 * the next round, which reads that change, decides. Creates are preceded by a write-ahead note
 * ({@link WriteAhead}) and carry the CRM id, so a crash before the link write re-links on restart.
 * Updates send only what the CRM changed since the record was last synced ({@link SyncedFields}): a
 * CRM that keeps only some fields leaves the others as they are in Microsoft 365.
 *
 * <p>Writes go out in waves, as many at once as the mailbox may have requests in flight
 * ({@link io.m365sync.sync.SyncRound#maxRequestsInFlight}): one write after another would take a
 * CRM's bulk change its count × Graph's latency. A wave holds writes that depend on none of each other:
 * of one rank (a series master is created before the occurrences that name it), at most a batch
 * ({@link CrmApplier#batchSize}), no two creates of one content key. Each is prepared here, sent on a
 * lane (the gateway's calls only), and its links and counts taken back here in the plan's order; the
 * wave's creates are noted in one commit before any goes out, and its links are held for the round's
 * next write (the next wave's note, or the round's final commit), as a pull's are. A write that fails
 * fails the round after the wave's other writes are finished and their links committed. Merges
 * ({@link Action.WriteBoth}) write both sides in their order, alone.
 */
final class RemotePusher<T extends SyncItem> {

  void push(SyncContext<T> ctx, Plan<T> plan) {
    Wave wave = new Wave(ctx);
    int most = CrmApplier.batchSize(ctx.round.pageSize());
    for (Action<T> action : plan.actions) {
      if (action instanceof Action.WriteBoth<T> a) {
        wave.send();
        writeBoth(ctx, a);
        continue;
      }
      Integer rank = rank(ctx, action);
      if (rank == null) {
        continue; // a CRM-side action
      }
      if (wave.rank != rank || wave.writes.size() == most) {
        wave.send();
        wave.rank = rank;
      }
      Write<?> write = prepare(ctx, action);
      if (write.createKey != null && wave.creates.containsKey(write.createKey)) {
        wave.send(); // a note per content key: the second create of one goes in the next wave
      }
      wave.add(write);
    }
    wave.send();
  }

  /** Which wave an action may share: its item's rank, deletions last; null for a CRM-side action. */
  private Integer rank(SyncContext<T> ctx, Action<T> action) {
    if (action instanceof Action.CreateRemote<T> a) {
      return ctx.rules.rank(a.record().item());
    }
    if (action instanceof Action.UpdateRemote<T> a) {
      return ctx.rules.rank(a.record().item());
    }
    return action instanceof Action.DeleteRemote<T> ? Integer.MAX_VALUE : null;
  }

  /** Writes that may go out at once, and the content keys of its creates (key → CRM id). */
  private final class Wave {
    private final SyncContext<T> ctx;
    private final List<Write<?>> writes = new ArrayList<>();
    private final Map<String, String> creates = new LinkedHashMap<>();
    private int rank = Integer.MIN_VALUE;

    Wave(SyncContext<T> ctx) {
      this.ctx = ctx;
    }

    void add(Write<?> write) {
      writes.add(write);
      if (write.createKey != null) {
        creates.put(write.createKey, write.crmId);
      }
    }

    /**
     * Notes the creates, sends every write, takes their effects back in the plan's order (links held for
     * the round's next write); then empty. After a failed write, what went out is committed before the
     * failure is thrown.
     */
    void send() {
      if (writes.isEmpty()) {
        return;
      }
      ctx.note.notePushes(creates); // before any create goes out: a crash re-links what went out
      Fork.all(ctx.round.executor(), ctx.round.maxRequestsInFlight(),
          writes.stream().<Supplier<Void>>map(w -> w::send).toList());
      RuntimeException failed = null;
      for (Write<?> write : writes) {
        if (write.failure == null) {
          write.finish();
        } else if (failed == null) {
          failed = write.failure;
        }
      }
      writes.clear();
      creates.clear();
      if (failed != null) {
        ctx.note.commit(Map.of()); // what went out stays linked; the round fails
        throw failed;
      }
    }
  }

  /**
   * One Microsoft 365 write: {@link #request} runs on a lane and touches nothing but the gateway;
   * {@link #done} takes its result back on the round's thread.
   */
  private abstract static class Write<R> {
    final String crmId;
    /** A create's content key, noted before it goes out; else null. */
    final String createKey;
    private R result;
    private RuntimeException failure;

    Write(String crmId, String createKey) {
      this.crmId = crmId;
      this.createKey = createKey;
    }

    abstract R request();

    abstract void done(R result);

    final Void send() {
      try {
        result = request();
      } catch (RuntimeException e) {
        failure = e;
      }
      return null;
    }

    final void finish() {
      done(result);
    }
  }

  /** What a deletion came to: done (the item is gone), or deferred (it changed since this round read it). */
  private enum Deleted { DONE, DEFERRED }

  private Write<?> prepare(SyncContext<T> ctx, Action<T> action) {
    if (action instanceof Action.CreateRemote<T> a) {
      return create(ctx, a.record());
    }
    if (action instanceof Action.UpdateRemote<T> a) {
      return update(ctx, a);
    }
    return delete(ctx, (Action.DeleteRemote<T>) action);
  }

  private Write<WriteResult> create(SyncContext<T> ctx, CrmRecord<T> rec) {
    T item = ctx.remoteForm(rec.item(), rec.crmId(), true);
    String key = item.matchKey();
    return new Write<>(rec.crmId(), key) {
      @Override
      WriteResult request() {
        return ctx.round.gateway().create(ctx.round.session(), ctx.type, ctx.createContainer, item);
      }

      @Override
      void done(WriteResult w) {
        if (key != null) {
          ctx.note.clearPush(key); // in the link's transaction: the note goes only once the link is in
        }
        ctx.holdLink(rec.crmId(), w.remoteId(), w.changeKey(), rec.version(), rec.item());
        ctx.counts.pushedCreated++;
      }
    };
  }

  private Write<Optional<WriteResult>> update(SyncContext<T> ctx, Action.UpdateRemote<T> a) {
    CrmRecord<T> rec = a.record();
    ItemPatch<T> patch = ctx.patch(rec.crmId(), rec.item(), ctx.remoteForm(rec.item(), rec.crmId(), false));
    String remoteId = a.link().remoteId();
    return new Write<>(rec.crmId(), null) {
      @Override
      Optional<WriteResult> request() {
        try {
          return Optional.ofNullable(
              write(ctx, a.link().containerOrNull(), remoteId, a.ifMatch(), patch, a.force()));
        } catch (ItemNotFoundException gone) {
          return Optional.empty(); // deleted meanwhile: the next round reads the deletion and decides
        }
      }

      @Override
      void done(Optional<WriteResult> w) {
        if (w.isEmpty()) {
          ctx.counts.deferred++;
          return;
        }
        // a forced write (the CRM won) left Outlook's edits of the fields the CRM did not change in place:
        // linked to the change key from before it, the next round reads the item and brings them to the CRM
        String changeKey = a.force() ? a.ifMatch() : w.get().changeKey();
        ctx.holdLink(rec.crmId(), remoteId, changeKey, rec.version(), rec.item());
        ctx.counts.pushedUpdated++;
      }
    };
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

  private Write<Deleted> delete(SyncContext<T> ctx, Action.DeleteRemote<T> a) {
    String container = a.link().containerOrNull();
    String remoteId = a.link().remoteId();
    return new Write<>(a.link().crmId(), null) {
      @Override
      Deleted request() {
        try {
          ctx.round.gateway().delete(ctx.round.session(), ctx.type, container, remoteId, a.ifMatch());
        } catch (ItemNotFoundException alreadyGone) {
          // the goal is reached
        } catch (PreconditionFailedException changed) {
          if (!a.force()) {
            return Deleted.DEFERRED;
          }
          try {
            ctx.round.gateway().delete(ctx.round.session(), ctx.type, container, remoteId, null);
          } catch (ItemNotFoundException alreadyGone) {
            // the goal is reached
          }
        }
        return Deleted.DONE;
      }

      @Override
      void done(Deleted d) {
        if (d == Deleted.DEFERRED) {
          ctx.counts.deferred++;
          return;
        }
        ctx.unlink(a.link().crmId());
        ctx.counts.pushedDeleted++;
      }
    };
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

package io.m365sync.internal.sync;

import io.m365sync.crm.CrmRecord;
import io.m365sync.model.SyncItem;
import io.m365sync.state.IdLink;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Apply step: the CRM-side writes of a plan, {@link #batchSize} at a time with one state commit
 * whatever its size: the write-ahead note of the batch's creates (so a crash between a CRM create
 * and its link re-links the record on replay instead of creating it twice), written together with
 * the previous batch's links and the clearing of their notes; then the CRM writes; the batch's links
 * are held for the next batch's note or the round's final commit ({@link WriteAhead}). Two-way
 * overwrites carry the content fingerprint that tells their echo from a user's edit.
 */
final class CrmApplier<T extends SyncItem> {
  /**
   * How many pages' worth of CRM writes one state commit covers. A durable store's commit costs more
   * than the rows it carries (H2 rewrites each index page they land on and the path to its root; one
   * mailbox's links land together), so a batch spans several pages rather than one.
   */
  static final int BATCH_PAGES = 5;
  /**
   * The most CRM writes one state commit covers: keeps a batch's write-ahead note (~300 characters a
   * create with Graph's ids and iCalUIds) near 150 KB, under the 256 KB H2 keeps inline, and bounds the
   * records a crash leaves the next round to re-link.
   */
  static final int MAX_BATCH = 500;

  void apply(SyncContext<T> ctx, Plan<T> plan) {
    List<Action<T>> crmSide = new ArrayList<>();
    for (Action<T> a : plan.actions) {
      if (a instanceof Action.SaveCrm || a instanceof Action.DeleteCrm || a instanceof Action.Link
          || a instanceof Action.Unlink) {
        crmSide.add(a);
      }
    }
    int size = batchSize(ctx.round.pageSize());
    for (int from = 0; from < crmSide.size(); from += size) {
      int to = Math.min(crmSide.size(), from + size);
      batch(ctx, crmSide.subList(from, to), to == crmSide.size() ? plan.settled : Set.of(), plan.identities);
    }
    if (crmSide.isEmpty() && !plan.settled.isEmpty()) {
      ctx.note.link(List.of(), List.of(), plan.settled);
    }
  }

  /** CRM writes per state commit for rounds reading pages of {@code pageSize}: 500 at the default 100. */
  static int batchSize(int pageSize) {
    return (int) Math.max(1, Math.min(MAX_BATCH, (long) BATCH_PAGES * pageSize));
  }

  /**
   * One batch; {@code settled} are earlier notes to clear with its links; {@code identities} (capture)
   * are noted before the links, so that a crash between them leaves nothing a copy could be captured by.
   */
  private void batch(SyncContext<T> ctx, List<Action<T>> actions, Collection<String> settled,
                     Map<String, String> identities) {
    Map<String, String> creates = new LinkedHashMap<>();
    for (Action<T> a : actions) {
      if (a instanceof Action.SaveCrm<T> s && s.crmId() == null) {
        creates.put(s.remoteId(), s.item().matchKey());
      }
    }
    ctx.note.notePulls(creates);
    Staged staged = new Staged(ctx.links);
    for (Action<T> action : actions) {
      if (action instanceof Action.SaveCrm<T> a) {
        save(ctx, a, staged);
      } else if (action instanceof Action.DeleteCrm<T> a) {
        ctx.crm.delete(ctx.mailbox, a.link().crmId());
        ctx.unlink(a.link().crmId());
        ctx.counts.deleted++;
      } else if (action instanceof Action.Link<T> a) {
        staged.add(a.link());
        ctx.counts.unchanged++;
      } else if (action instanceof Action.Unlink<T> a) {
        ctx.unlink(a.link().crmId());
        ctx.counts.unchanged++;
      }
    }
    List<String> done = new ArrayList<>(creates.keySet());
    done.addAll(settled);
    if (!identities.isEmpty()) {
      staged.noteIdentities(ctx.markers, identities);
    }
    staged.write(ctx.note, done);
    if (ctx.flow.pushes()) {
      // each record's content as the CRM stored it: the base its next push is diffed against
      staged.synced.forEach(ctx::noteSynced);
    }
  }

  private void save(SyncContext<T> ctx, Action.SaveCrm<T> a, Staged staged) {
    if (a.crmId() == null) {
      CrmRecord<T> saved = ctx.save(null, ctx.crmForm(a.item(), a.remoteId()));
      staged.add(ctx.newLink(saved.crmId(), a.remoteId(), a.changeKey(), saved.version()), saved.item());
      ctx.counts.created++;
      return;
    }
    T item = a.item();
    if (ctx.flow.pushes()) {
      Optional<CrmRecord<T>> existing = ctx.crm.find(ctx.mailbox, a.crmId());
      if (existing.isEmpty()) {
        ctx.counts.deferred++; // deleted in the CRM meanwhile: the next round sees a conflict
        return;
      }
      item = withHostFields(item, existing.get().item());
    }
    CrmRecord<T> saved = ctx.save(a.crmId(), ctx.crmForm(item, a.remoteId()));
    staged.add(ctx.newLink(saved.crmId(), a.remoteId(), a.changeKey(), saved.version()), saved.item());
    ctx.counts.updated++;
  }

  /**
   * A batch's links, seen by the round at once and written to the store together. Links whose ids a
   * complete view knows to be unlinked need no look-up for old links to replace (only when no two of
   * them share an id, so that the order they are written in cannot matter).
   */
  private final class Staged {
    private final RoundLinks links;
    private final List<IdLink> all = new ArrayList<>();
    private final List<Boolean> unlinkedBefore = new ArrayList<>();
    private final Map<String, T> synced = new LinkedHashMap<>();

    Staged(RoundLinks links) {
      this.links = links;
    }

    void add(IdLink link) {
      unlinkedBefore.add(links.unlinked(link));
      all.add(link);
      links.put(link);
    }

    /** A link whose CRM record was just saved with {@code stored}. */
    void add(IdLink link, T stored) {
      add(link);
      synced.put(link.crmId(), stored);
    }

    void noteIdentities(Markers markers, Map<String, String> identities) {
      for (IdLink link : all) {
        String identity = identities.get(link.remoteId());
        if (identity != null) {
          markers.put(identity, link.crmId());
        }
      }
    }

    void write(WriteAhead note, Collection<String> done) {
      boolean distinct = all.stream().map(IdLink::crmId).distinct().count() == all.size()
          && all.stream().map(IdLink::remoteId).distinct().count() == all.size();
      List<IdLink> replacing = new ArrayList<>();
      List<IdLink> fresh = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        (distinct && unlinkedBefore.get(i) ? fresh : replacing).add(all.get(i));
      }
      note.link(replacing, fresh, done);
    }
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

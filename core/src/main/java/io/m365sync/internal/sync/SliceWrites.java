package io.m365sync.internal.sync;

import io.m365sync.crm.CrmStore;
import io.m365sync.gateway.Change;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.sync.SyncRound;
import io.m365sync.sync.TwoWayOptions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A mirror's sliced read written while it is read: the slices' new items go to the CRM a batch at a
 * time as slices are read, while later slices are still read, so that the round ends soon after its
 * last answer instead of writing the whole calendar then. The slices' upserts are planned as the round's
 * plan would plan them ({@link Planner#planUpserts}) and written by the same {@link CrmApplier} under the
 * write-ahead note; the round then plans what is left of the whole read (the last items, deletions,
 * items no slice could write, the window), without the items written here.
 *
 * <p>Only creates and links are written early: the first slice whose plan overwrites or deletes a CRM
 * record ends the early writes, so that the mass-change guard sees every destructive action in the round's
 * plan. Two-way waits for the whole read: its CRM form translates references (a series' occurrences name
 * their master) through links a later slice may write, and its CRM side is reconciled against the whole
 * read. A crash or a failed read leaves creates with their links, which the next round's one chain finds
 * linked.
 */
final class SliceWrites<T extends SyncItem> implements Consumer<Pulled<T>> {
  private final SyncRound round;
  private final ResourceType<T> type;
  private final CrmStore<T> crm;
  private final ItemRules<T> rules;
  private final WriteAhead note;
  private final Counts counts;
  private final TwoWayOptions<T> options;
  /** The changes planned and written here, by remote id. */
  private final Map<String, Change<T>> written = new HashMap<>();
  /** Upserts read but not written yet, by remote id, the latest read last. */
  private Map<String, Change<T>> pending = new LinkedHashMap<>();
  /** Where each pending upsert was read (its container). */
  private Map<String, String> pendingIn = new HashMap<>();
  private RoundLinks links;
  private Planner<T> planner;
  private boolean ended;

  SliceWrites(SyncRound round, ResourceType<T> type, CrmStore<T> crm, TwoWayOptions<T> options, ItemRules<T> rules,
              WriteAhead note, Counts counts) {
    this.round = round;
    this.type = type;
    this.crm = crm;
    this.rules = rules;
    this.note = note;
    this.counts = counts;
    this.options = options;
  }

  /**
   * Takes a slice read; writes what the slices read so far hold once it makes a batch of the CRM writes
   * one state commit covers ({@link CrmApplier#batchSize}): a commit per slice would cost a small
   * calendar's many short slices a commit each. What is left when the read ends goes with the round's plan.
   */
  @Override
  public void accept(Pulled<T> slice) {
    if (ended) {
      return;
    }
    for (Change<T> c : slice.changes().values()) {
      if (c.kind() == Change.Kind.UPSERT && !writtenAlready(c)) {
        pending.remove(c.remoteId()); // the latest read last
        pending.put(c.remoteId(), c);
        pendingIn.put(c.remoteId(), slice.containerOf(c.remoteId(), ""));
      }
    }
    if (pending.size() >= CrmApplier.batchSize(round.pageSize())) {
      write(new Pulled<>(pending, Map.of(), false, pending.keySet(), slice.window(), false, pendingIn, List.of()));
      pending = new LinkedHashMap<>();
      pendingIn = new HashMap<>();
    }
  }

  private void write(Pulled<T> fresh) {
    if (links == null) {
      // a full read: the round reads every link once, here instead of after the read
      links = RoundLinks.all(round.state(), round.mailbox().id(), type.resource());
      planner = new Planner<>(type, crm, options, rules, Flow.MIRROR);
    }
    Plan<T> plan = planner.planUpserts(round, links, note, fresh);
    if (plan.destructive(Action.Side.CRM) > 0) {
      ended = true; // for the guard: the round's plan decides these items and every later one
      return;
    }
    new CrmApplier<T>().apply(new SyncContext<>(round, type, crm, rules, Flow.MIRROR, links, note,
        options.createContainer(), fresh.containers(), counts), plan);
    counts.unchanged += plan.unchanged;
    written.putAll(fresh.changes());
  }

  /** The round's view of the id map, if a slice read it (null: none did). */
  RoundLinks links() {
    return links;
  }

  /** The whole read without what was written here: the same version of the same item. */
  Pulled<T> rest(Pulled<T> read) {
    return written.isEmpty() ? read : read.without(this::writtenAlready);
  }

  private boolean writtenAlready(Change<T> c) {
    Change<T> w = written.get(c.remoteId());
    return w != null && c.kind() == Change.Kind.UPSERT
        && (w == c || c.changeKey() != null && Objects.equals(c.changeKey(), w.changeKey()));
  }
}

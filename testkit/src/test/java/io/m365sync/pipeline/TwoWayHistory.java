package io.m365sync.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.SyncItems;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.IdLink;
import io.m365sync.sync.ConflictPolicy;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.sync.TwoWayOptions;
import io.m365sync.testkit.FlakyCrmStore;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.StoredItem;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Random two-way histories of one resource of one mailbox, and their convergence oracle: edits on
 * both sides (creates, edits, deletes; for events, moves in and out of the calendar window), rounds,
 * 410 evictions, replays, CRM outages mid-round (before a save, or after it with the answer lost),
 * crashes at any CRM, gateway or state-store call (before or after it took effect), clock jumps of up
 * to 120 days and a fresh syncer over the same state store. After quiet rounds: no duplicates on either
 * side, every item surely inside the window is in the CRM with the same content (without the engine's
 * reserved extension keys), every CRM record surely inside the window mirrors a live item, and no CRM
 * record was deleted whose item still exists.
 */
final class TwoWayHistory<T extends SyncItem> {

  /** What differs between resources: items carry a key that survives edits on either side. */
  interface Kind<T extends SyncItem> {
    ResourceType<T> type();

    /** The containers synced (folders, lists; one: the default); the first one takes CRM creates. */
    List<String> containers();

    ItemCollection<T> container(SyncBench bench, String id);

    T create(String key, int param, Instant now);

    /** {@code item} edited (for events: moved {@code param} days from now), key and extensions kept. */
    T edit(T item, int edit, int param, Instant now);

    String key(T item);

    /** Whether the item is inside the sync window whatever the window's lag (tasks: always). */
    boolean surelyInWindow(T item, Instant now);
  }

  sealed interface Step permits MsCreate, MsEdit, MsDelete, CrmCreate, CrmEdit, CrmDelete, Sync, Evict, Replays,
      CrmOutage, CrashNextSync, Jump, Restart {}

  record MsCreate(int container, int param) implements Step {}

  record MsEdit(int pick, int param) implements Step {}

  record MsDelete(int pick) implements Step {}

  record CrmCreate(int param) implements Step {}

  record CrmEdit(int pick, int param) implements Step {}

  record CrmDelete(int pick) implements Step {}

  record Sync() implements Step {}

  /** Outlook evicts a container's delta tokens: its next incremental read gets 410. */
  record Evict(int container) implements Step {}

  /** The container's next delta read returns its last {@code n} changes again. */
  record Replays(int container, int n) implements Step {}

  /** The CRM fails on the k-th save of the next round: before writing, or after (the answer is lost). */
  record CrmOutage(int k, boolean afterWrite) implements Step {}

  /** The process dies at the k-th CRM/gateway/state call of the next round, before or after it took effect. */
  record CrashNextSync(int k, boolean afterEffect) implements Step {}

  /** The clock jumps; the user signs in again (a refresh token lives 90 days). */
  record Jump(int days) implements Step {}

  /** A new syncer (a restart, or another node) over the same state store. */
  record Restart() implements Step {}

  /** Histories of up to 30 steps; {@code params} are the create/edit parameters (event days). */
  static Arbitrary<List<Step>> histories(int containers, Arbitrary<Integer> params) {
    Arbitrary<Integer> pick = Arbitraries.integers().between(0, 5);
    Arbitrary<Integer> container = Arbitraries.integers().between(0, containers - 1);
    Arbitrary<Boolean> after = Arbitraries.of(true, false);
    Arbitrary<Step> step = Arbitraries.frequencyOf(
        Tuple.of(3, Combinators.combine(container, params).as(MsCreate::new)),
        Tuple.of(3, Combinators.combine(pick, params).as(MsEdit::new)),
        Tuple.of(2, pick.map(MsDelete::new)),
        Tuple.of(3, params.map(CrmCreate::new)),
        Tuple.of(3, Combinators.combine(pick, params).as(CrmEdit::new)),
        Tuple.of(2, pick.map(CrmDelete::new)),
        Tuple.of(4, Arbitraries.just(new Sync())),
        Tuple.of(1, container.map(Evict::new)),
        Tuple.of(1, Combinators.combine(container, Arbitraries.integers().between(1, 3)).as(Replays::new)),
        Tuple.of(1, Combinators.combine(Arbitraries.integers().between(1, 4), after).as(CrmOutage::new)),
        Tuple.of(2, Combinators.combine(Arbitraries.integers().between(1, 25), after).as(CrashNextSync::new)),
        Tuple.of(1, Arbitraries.integers().between(1, 120).map(Jump::new)),
        Tuple.of(1, Arbitraries.just(new Restart())));
    return step.list().ofMaxSize(30);
  }

  static Arbitrary<ConflictPolicy> policies() {
    return Arbitraries.of(ConflictPolicy.MICROSOFT_WINS, ConflictPolicy.CRM_WINS, ConflictPolicy.NEWEST_WINS);
  }

  private final Kind<T> kind;
  private final ConflictPolicy policy;
  private final SyncBench bench;
  private final MailboxId mailbox;
  private final Resource resource;
  private final FlakyCrmStore<T> crmTable;
  private final CrashingCrmStore<T> crm;
  private final Set<String> everLinked = new HashSet<>();
  private final Set<String> userDeleted = new HashSet<>();
  private ResourceSyncer<T> syncer;
  private CrmOutage outage;
  private int keys;
  private int edits;

  TwoWayHistory(Kind<T> kind, ConflictPolicy policy) {
    this.kind = kind;
    this.policy = policy;
    this.resource = kind.type().resource();
    this.bench = new SyncBench(Set.of(resource));
    this.mailbox = bench.mailbox.id();
    kind.containers().stream().skip(1).forEach(c -> kind.container(bench, c)); // created by the kind
    this.crmTable = new FlakyCrmStore<>(resource.name().toLowerCase());
    this.crm = new CrashingCrmStore<>(crmTable, bench.crash);
    this.syncer = newSyncer();
  }

  private ResourceSyncer<T> newSyncer() {
    // the mass-change guard is off: a random history may well delete most records in one round
    TwoWayOptions.Builder<T> options = TwoWayOptions.<T>builder().policy(policy).massChangeGuard(1.0, 0);
    if (kind.containers().size() > 1) {
      options.containers(kind.containers());
    }
    return ResourceSyncers.twoWay(kind.type(), crm, options.build());
  }

  /** Plays {@code history}, then quiet rounds, and checks the oracle. */
  void play(List<Step> history) {
    for (Step s : history) {
      step(s);
    }
    bench.crash.disarm();
    outage = null;
    for (int i = 0; i < 3; i++) {
      ResourceResult r = bench.round(syncer);
      assertThat(r.outcome()).as("quiet round %d", i).isEqualTo(ResourceResult.Outcome.SYNCED);
      noteLinks();
    }
    check();
  }

  private void step(Step s) {
    Instant now = bench.m365.clock().instant();
    if (s instanceof MsCreate c) {
      kind.container(bench, kind.containers().get(c.container())).create(kind.create("m" + (++keys), c.param(), now));
    } else if (s instanceof MsEdit e) {
      Located<T> it = pick(msItems(), e.pick());
      if (it != null) {
        kind.container(bench, it.container()).update(it.id(), null, kind.edit(it.item(), ++edits, e.param(), now));
      }
    } else if (s instanceof MsDelete d) {
      Located<T> it = pick(msItems(), d.pick());
      if (it != null) {
        kind.container(bench, it.container()).delete(it.id(), null);
      }
    } else if (s instanceof CrmCreate c) {
      crmTable.save(mailbox, null, kind.create("k" + (++keys), c.param(), now));
    } else if (s instanceof CrmEdit e) {
      CrmRecord<T> r = pick(crmRecords(), e.pick());
      if (r != null) {
        crmTable.save(mailbox, r.crmId(), kind.edit(r.item(), ++edits, e.param(), now));
      }
    } else if (s instanceof CrmDelete d) {
      CrmRecord<T> r = pick(crmRecords(), d.pick());
      if (r != null) {
        // the user, not the engine, deleted this one: it may stay deleted while its item lives on
        bench.durable.links(mailbox, resource).stream().filter(l -> l.crmId().equals(r.crmId()))
            .forEach(l -> userDeleted.add(l.remoteId()));
        crmTable.delete(mailbox, r.crmId());
      }
    } else if (s instanceof Sync) {
      sync();
    } else if (s instanceof Evict e) {
      kind.container(bench, kind.containers().get(e.container())).evictDeltaTokens();
    } else if (s instanceof Replays r) {
      kind.container(bench, kind.containers().get(r.container())).replayLast(r.n());
    } else if (s instanceof CrmOutage o) {
      outage = o;
    } else if (s instanceof CrashNextSync c) {
      bench.crash.arm(c.k(), c.afterEffect());
    } else if (s instanceof Jump j) {
      bench.m365.clock().advance(Duration.ofDays(j.days()));
      bench.m365.signIn(bench.user, Set.of(resource));
    } else if (s instanceof Restart) {
      syncer = newSyncer();
    }
  }

  /** A round that may crash (the next one runs in a fresh process) or meet a CRM outage. */
  private void sync() {
    if (outage != null) {
      crmTable.failOnSave(outage.k(), outage.afterWrite());
      outage = null;
    }
    try {
      bench.round(syncer);
    } catch (Crash.CrashException e) {
      syncer = newSyncer();
    } catch (RuntimeException e) {
      if (!crmOutage(e)) {
        throw e;
      }
    } finally {
      bench.crash.disarm();
      crmTable.failOnSave(0, false);
    }
    noteLinks();
  }

  static boolean crmOutage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if ("CRM database unavailable".equals(t.getMessage())) {
        return true;
      }
    }
    return false;
  }

  private void noteLinks() {
    bench.durable.links(mailbox, resource).forEach(l -> everLinked.add(l.remoteId()));
  }

  private void check() {
    Instant now = bench.m365.clock().instant();
    List<Located<T>> ms = msItems();
    List<CrmRecord<T>> records = crmRecords();
    assertThat(ms.stream().map(i -> kind.key(i.item())).distinct().count()).as("no duplicates in Microsoft 365: %s", ms)
        .isEqualTo(ms.size());
    assertThat(records.stream().map(r -> kind.key(r.item())).distinct().count()).as("no duplicates in the CRM: %s",
        records).isEqualTo(records.size());
    Map<String, Located<T>> msById = new HashMap<>();
    ms.forEach(i -> msById.put(i.id(), i));
    Map<String, CrmRecord<T>> crmById = new HashMap<>();
    records.forEach(r -> crmById.put(r.crmId(), r));
    List<IdLink> links = bench.durable.links(mailbox, resource);
    Map<String, IdLink> byRemote = new HashMap<>();
    Map<String, IdLink> byCrm = new HashMap<>();
    links.forEach(l -> {
      byRemote.put(l.remoteId(), l);
      byCrm.put(l.crmId(), l);
    });
    assertThat(byRemote).as("one link per item: %s", links).hasSize(links.size());
    assertThat(byCrm).as("one link per CRM record: %s", links).hasSize(links.size());

    for (Located<T> it : ms) {
      IdLink link = byRemote.get(it.id());
      CrmRecord<T> rec = link == null ? null : crmById.get(link.crmId());
      if (kind.surelyInWindow(it.item(), now)) {
        assertThat(rec).as("item inside the window is in the CRM: %s", it.item()).isNotNull();
        assertThat(SyncItems.withoutReservedExtensions(rec.item())).as("CRM record's content").isEqualTo(SyncItems.withoutReservedExtensions(it.item()));
      }
      if (everLinked.contains(it.id()) && !userDeleted.contains(it.id())) {
        assertThat(rec).as("the CRM record of an existing item was deleted: %s", it.item()).isNotNull();
      }
    }
    for (CrmRecord<T> rec : records) {
      if (kind.surelyInWindow(rec.item(), now)) {
        IdLink link = byCrm.get(rec.crmId());
        assertThat(link).as("CRM record inside the window is linked: %s", rec.item()).isNotNull();
        assertThat(msById).as("CRM record inside the window mirrors a live item: %s", rec.item())
            .containsKey(link.remoteId());
      }
    }
  }

  /** An item and the container holding it. */
  record Located<T>(String container, String id, T item) {}

  private List<Located<T>> msItems() {
    List<Located<T>> all = new ArrayList<>();
    for (String c : kind.containers()) {
      for (StoredItem<T> it : kind.container(bench, c).all()) {
        all.add(new Located<>(c, it.id(), it.item()));
      }
    }
    all.sort(Comparator.comparing(i -> kind.key(i.item())));
    return all;
  }

  private List<CrmRecord<T>> crmRecords() {
    List<CrmRecord<T>> l = new ArrayList<>(crmTable.list(mailbox));
    l.sort(Comparator.comparing(r -> kind.key(r.item())));
    return l;
  }

  private static <X> X pick(List<X> items, int n) {
    return items.isEmpty() ? null : items.get(n % items.size());
  }

  /** {@code base} plus a last-modified stamp, so that NEWEST_WINS has something to compare. */
  static Map<String, String> stamped(Map<String, String> base, Instant now, int edit) {
    Map<String, String> ext = new HashMap<>(base);
    ext.put(TwoWayOptions.LAST_MODIFIED, now.plusSeconds(edit).toString());
    return ext;
  }
}

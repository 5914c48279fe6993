package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.ResourceType;
import io.m365sync.model.TodoTask;
import io.m365sync.state.IdLink;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.FlakyCrmStore;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.MailboxModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.StoredItem;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * One-way To Do over two lists under random histories: tasks created in either list, renamed,
 * deleted, delta-link evictions per list (410), replays, CRM outages mid-round, and a fresh engine
 * over the same state store between steps. After a quiet round the CRM holds every task of both
 * lists exactly once, each linked.
 */
class OneWayTasksPropertiesTest {
  static final List<String> LISTS = List.of(MailboxModel.DEFAULT_TASK_LIST, "work");

  sealed interface Step permits Create, Update, Delete, Sync, Evict, Replays, CrmOutage, Restart {}

  record Create(int n, int list) implements Step {}

  record Update(int n) implements Step {}

  record Delete(int n) implements Step {}

  record Sync() implements Step {}

  record Evict(int list) implements Step {}

  record Replays(int list, int n) implements Step {}

  record CrmOutage(int k, boolean afterWrite) implements Step {}

  /** A new engine (a restart, or another node) over the same state store. */
  record Restart() implements Step {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Integer> n = Arbitraries.integers().between(0, 7);
    Arbitrary<Integer> list = Arbitraries.integers().between(0, 1);
    Arbitrary<Step> step = Arbitraries.oneOf(
        Combinators.combine(n, list).as(Create::new),
        n.map(Update::new),
        n.map(Delete::new),
        Arbitraries.just(new Sync()),
        Arbitraries.just(new Sync()),
        list.map(Evict::new),
        Combinators.combine(list, Arbitraries.integers().between(0, 3)).as(Replays::new),
        Arbitraries.integers().between(1, 4).flatMap(k -> Arbitraries.of(true, false).map(after -> new CrmOutage(k, after))),
        Arbitraries.just(new Restart()));
    return step.list().ofMaxSize(30);
  }

  @Property(tries = 1000, seed = "-2270338195840566515")
  void afterQuiescenceTheCrmHoldsEveryListsTasksExactlyOnce(@ForAll("histories") List<Step> history) {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser user = m365.addUser("todo");
    MailboxModel box = m365.mailbox(user);
    box.addTaskList("work");
    FlakyCrmStore<TodoTask> crm = new FlakyCrmStore<>("task");
    SyncStateStore store = SyncStateStore.inMemory();
    Mailbox mailbox = m365.signIn(user, Set.of(Resource.TASKS));
    SyncEngine engine = engine(m365, crm, store);
    engine.enroll(mailbox);
    Map<Integer, String> ids = new HashMap<>();
    Map<Integer, Integer> lists = new HashMap<>();
    Map<Integer, Integer> versions = new HashMap<>();
    Instant due = m365.clock().instant().plus(Duration.ofDays(7));

    for (Step s : history) {
      if (s instanceof Create c && !ids.containsKey(c.n())) {
        versions.put(c.n(), 0);
        lists.put(c.n(), c.list());
        ids.put(c.n(), tasks(box, c.list()).create(TodoTask.of("Task " + c.n() + " v0", due)).id());
      } else if (s instanceof Update u && ids.containsKey(u.n())) {
        int v = versions.merge(u.n(), 1, Integer::sum);
        tasks(box, lists.get(u.n())).update(ids.get(u.n()), null, TodoTask.of("Task " + u.n() + " v" + v, due));
      } else if (s instanceof Delete d && ids.containsKey(d.n())) {
        tasks(box, lists.get(d.n())).delete(ids.remove(d.n()), null);
      } else if (s instanceof Sync) {
        syncSoon(engine, m365, mailbox.id());
      } else if (s instanceof Evict e) {
        tasks(box, e.list()).evictDeltaTokens();
      } else if (s instanceof Replays r) {
        tasks(box, r.list()).replayLast(r.n());
      } else if (s instanceof CrmOutage o) {
        crm.failOnSave(o.k(), o.afterWrite());
      } else if (s instanceof Restart) {
        engine = engine(m365, crm, store);
      }
    }
    crm.failOnSave(0, false);
    syncSoon(engine, m365, mailbox.id());
    syncSoon(engine, m365, mailbox.id());

    List<TodoTask> expected = new ArrayList<>();
    for (int l = 0; l < LISTS.size(); l++) {
      tasks(box, l).all().stream().map(StoredItem::item).forEach(expected::add);
    }
    expected.sort(BY_TITLE);
    assertThat(crm.list(mailbox.id()).stream().map(CrmRecord::item).sorted(BY_TITLE).toList()).isEqualTo(expected);
    List<IdLink> links = store.links(mailbox.id(), Resource.TASKS);
    assertThat(links).hasSize(expected.size());
    for (IdLink link : links) {
      Optional<TodoTask> remote = LISTS.stream().map(box::tasks).flatMap(c -> c.get(link.remoteId()).stream())
          .map(StoredItem::item).findFirst();
      assertThat(remote).isPresent();
      assertThat(crm.find(mailbox.id(), link.crmId()).orElseThrow().item()).isEqualTo(remote.get());
    }
  }

  private static SyncEngine engine(FakeMicrosoft365 m365, CrmStore<TodoTask> crm, SyncStateStore store) {
    return SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway()).delegatedTokens(m365.delegatedTokens())
        .stateStore(store).resource(ResourceSyncers.oneWay(ResourceType.TASKS, crm, LISTS))
        .options(SyncOptions.defaults().withPageSize(3)).build();
  }

  private static ItemCollection<TodoTask> tasks(MailboxModel box, int list) {
    return box.tasks(LISTS.get(list));
  }

  private static void syncSoon(SyncEngine engine, FakeMicrosoft365 m365, MailboxId id) {
    m365.clock().advance(Duration.ofMinutes(1));
    engine.syncMailbox(id);
  }

  private static final Comparator<TodoTask> BY_TITLE = Comparator.comparing(TodoTask::title);
}

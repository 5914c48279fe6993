package io.m365sync.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.ResourceType;
import io.m365sync.model.TodoTask;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.StoredItem;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * To Do tasks, two-way, through SyncEngine + MSAL4J + the Graph SDK gateway + the emulator. To Do
 * tasks carry no extended properties, so echoes are recognised by change key alone.
 */
class TasksEndToEndTest {
  final E2eWorld world = new E2eWorld();
  final InMemoryCrmStore<TodoTask> crm = new InMemoryCrmStore<>("task");

  @AfterEach
  void close() {
    world.close();
  }

  @Test
  void tasksFlowBothWaysWithoutEchoesOrDuplicates() {
    Instant due = Instant.parse("2026-02-20T00:00:00Z");
    StoredItem<TodoTask> call = world.box.tasks().create(TodoTask.of("Call Ada back", due));
    MailboxId id = world.signIn(ResourceSyncers.twoWay(ResourceType.TASKS, crm)).id();

    world.sync();
    assertThat(crm.items(id)).singleElement().satisfies(t -> {
      assertThat(t.title()).isEqualTo("Call Ada back");
      assertThat(t.due()).isEqualTo(due);
    });

    // CRM → To Do: a new task, and the CRM completes the first one
    crm.save(id, null, new TodoTask("Send the quote", "Two options", TodoTask.Status.IN_PROGRESS,
        due.plus(Duration.ofDays(2)), "high", null, Map.of()));
    CrmRecord<TodoTask> first = crm.list(id).stream().filter(r -> r.item().title().startsWith("Call")).findFirst().orElseThrow();
    TodoTask t = first.item();
    Instant done = E2eWorld.START.plus(Duration.ofHours(1));
    crm.save(id, first.crmId(), new TodoTask(t.title(), t.body(), TodoTask.Status.COMPLETED, t.due(), t.importance(), done,
        t.extensions()));
    world.sync();
    assertThat(world.box.tasks().all()).hasSize(2);
    assertThat(world.box.tasks().get(call.id()).orElseThrow().item().status()).isEqualTo(TodoTask.Status.COMPLETED);
    TodoTask quote = world.box.tasks().all().stream().map(StoredItem::item).filter(x -> x.title().equals("Send the quote"))
        .findFirst().orElseThrow();
    assertThat(quote.body()).isEqualTo("Two options");
    assertThat(quote.importance()).isEqualTo("high");
    assertThat(quote.status()).isEqualTo(TodoTask.Status.IN_PROGRESS);

    long saves = crm.saves();
    int writes = world.requests("PATCH", "/tasks/").size() + world.requests("POST", "/tasks").size();
    world.sync();
    world.sync();
    assertThat(crm.saves()).as("no echo applied back").isEqualTo(saves);
    assertThat(world.requests("PATCH", "/tasks/").size() + world.requests("POST", "/tasks").size()).isEqualTo(writes);

    // To Do → CRM: an edit and a deletion
    StoredItem<TodoTask> s = world.box.tasks().all().stream().filter(x -> x.item().title().equals("Send the quote"))
        .findFirst().orElseThrow();
    world.box.tasks().update(s.id(), s.changeKey(), new TodoTask("Send the revised quote", s.item().body(),
        s.item().status(), s.item().due(), s.item().importance(), null, Map.of()));
    world.box.tasks().delete(call.id(), null);
    world.sync();
    assertThat(crm.items(id)).extracting(TodoTask::title).containsExactly("Send the revised quote");

    // 410: re-linked, not duplicated
    world.box.tasks().evictDeltaTokens();
    world.sync();
    assertThat(crm.list(id)).hasSize(1);
    assertThat(world.box.tasks().all()).hasSize(1);
    assertThat(crm.duplicates(id)).isZero();
  }
}

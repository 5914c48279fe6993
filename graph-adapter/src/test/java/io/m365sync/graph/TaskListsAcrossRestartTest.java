package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.ResourceType;
import io.m365sync.model.TodoTask;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.sync.TwoWayOptions;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A To Do task lives in a list other than the default one, and the node that synced it restarts (or
 * another node takes over): a new engine and a new gateway on the same state store. Graph addresses
 * a task only through its list, so the CRM's update and delete must still reach that list; before
 * the list was kept with the link, the update went to the default list (404, deferred forever) and
 * the delete was counted as done while the task stayed.
 */
class TaskListsAcrossRestartTest {
  private final EmulatorFixture fx = new EmulatorFixture();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final InMemoryCrmStore<TodoTask> crm = new InMemoryCrmStore<>("task");

  @AfterEach
  void close() {
    pool.shutdownNow();
    fx.close();
  }

  /** A node: a fresh engine and a fresh gateway, sharing only the state store (and the CRM). */
  private SyncEngine node() {
    GraphMailboxGateway gateway = GraphMailboxGateway.builder().baseUrl(fx.emulator.graphBaseUrl()).build();
    return SyncEngine.builder().clock(fx.clock).executor(pool).stateStore(fx.store).gateway(gateway)
        .delegatedTokens(fx.delegated).applicationTokens(fx.application)
        .resource(ResourceSyncers.twoWay(ResourceType.TASKS, crm,
            TwoWayOptions.<TodoTask>builder().containers(List.of("projects")).build()))
        .build();
  }

  @Test
  void crmWritesAfterARestartReachTheTasksOwnList() {
    ModelUser amy = fx.tenant.addUser("amy");
    ItemCollection<TodoTask> projects = fx.tenant.mailbox(amy).addTaskList("projects");
    ItemCollection<TodoTask> defaultList = fx.tenant.mailbox(amy).tasks();
    Instant due = fx.clock.instant().plus(Duration.ofDays(3));
    String keep = projects.create(TodoTask.of("Draft the offer", due)).id();
    String drop = projects.create(TodoTask.of("Book the venue", due)).id();
    Mailbox mailbox = fx.signIn(amy, Resource.TASKS);

    SyncEngine first = node();
    first.enroll(mailbox);
    first.runCycle();
    assertThat(crm.list(mailbox.id())).hasSize(2);

    // the node restarts: nothing of the first gateway's memory survives
    SyncEngine second = node();
    CrmRecord<TodoTask> kept = record(mailbox, "Draft the offer");
    CrmRecord<TodoTask> dropped = record(mailbox, "Book the venue");
    crm.save(mailbox.id(), kept.crmId(), new TodoTask("Draft the offer v2", null, TodoTask.Status.IN_PROGRESS, due,
        "high", null, kept.item().extensions()));
    crm.delete(mailbox.id(), dropped.crmId());
    fx.clock.advance(Duration.ofMinutes(10));
    CycleReport report = second.runCycle();

    ResourceResult tasks = report.mailbox(mailbox.id()).resource(Resource.TASKS).orElseThrow();
    assertThat(tasks.outcome()).isEqualTo(ResourceResult.Outcome.SYNCED);
    assertThat(tasks.detail()).as("nothing deferred").isEqualTo("to Microsoft 365: 0 created, 1 updated, 1 deleted");
    assertThat(projects.get(keep).orElseThrow().item().title()).isEqualTo("Draft the offer v2");
    assertThat(projects.get(keep).orElseThrow().item().status()).isEqualTo(TodoTask.Status.IN_PROGRESS);
    assertThat(projects.get(drop)).as("the deleted task is gone from its own list").isEmpty();
    assertThat(defaultList.all()).as("nothing landed in the default list").isEmpty();

    // and the next round is quiet: no retry of a deferred write, no re-creation
    fx.clock.advance(Duration.ofMinutes(10));
    ResourceResult quiet = second.runCycle().mailbox(mailbox.id()).resource(Resource.TASKS).orElseThrow();
    assertThat(quiet.detail()).isNull();
    assertThat(projects.all()).hasSize(1);
    assertThat(crm.list(mailbox.id())).hasSize(1);
  }

  private CrmRecord<TodoTask> record(Mailbox mailbox, String title) {
    return crm.list(mailbox.id()).stream().filter(r -> r.item().title().equals(title)).findFirst().orElseThrow();
  }
}

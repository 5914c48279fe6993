package io.m365sync.pipeline;

import io.m365sync.model.ResourceType;
import io.m365sync.model.TodoTask;
import io.m365sync.pipeline.TwoWayHistory.Step;
import io.m365sync.sync.ConflictPolicy;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.MailboxModel;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Two-way To Do over two lists under random histories ({@link TwoWayHistory}), with a fresh syncer
 * over the same state store between steps and after every crash. After quiet rounds the CRM holds
 * every task of both lists once with its content, Microsoft 365 every CRM task, none duplicated.
 */
class TasksTwoWayPropertiesTest {

  @Provide
  Arbitrary<List<Step>> histories() {
    return TwoWayHistory.histories(2, Arbitraries.integers().between(0, 30));
  }

  @Provide
  Arbitrary<ConflictPolicy> policies() {
    return TwoWayHistory.policies();
  }

  // seed pinned so that CI runs the same 1,000 histories every time; drop it locally to explore new
  // ones (jqwik prints the seed and the shrunk history of any failure, to pin as a regression)
  @Property(tries = 1000, seed = "-8046151239327120395")
  void afterQuiescenceBothSidesHoldEveryListsTasksOnce(@ForAll("histories") List<Step> history,
                                                       @ForAll("policies") ConflictPolicy policy) {
    new TwoWayHistory<>(new Tasks(), policy).play(history);
  }

  /** Tasks keyed by the first word of their title, due {@code param} days from now. */
  static final class Tasks implements TwoWayHistory.Kind<TodoTask> {
    @Override
    public ResourceType<TodoTask> type() {
      return ResourceType.TASKS;
    }

    @Override
    public List<String> containers() {
      return List.of(MailboxModel.DEFAULT_TASK_LIST, "work");
    }

    @Override
    public ItemCollection<TodoTask> container(SyncBench bench, String id) {
      return bench.box.addTaskList(id);
    }

    @Override
    public TodoTask create(String key, int day, Instant now) {
      return TodoTask.of(key + " v0", due(now, day));
    }

    @Override
    public TodoTask edit(TodoTask item, int edit, int day, Instant now) {
      return new TodoTask(key(item) + " v" + edit, item.body(), item.status(), due(now, day), item.importance(),
          item.completedAt(), TwoWayHistory.stamped(item.extensions(), now, edit));
    }

    @Override
    public String key(TodoTask item) {
      return item.title().substring(0, item.title().indexOf(' '));
    }

    @Override
    public boolean surelyInWindow(TodoTask item, Instant now) {
      return true; // To Do has no window
    }

    private static Instant due(Instant now, int day) {
      return now.plus(Duration.ofDays(day)).truncatedTo(ChronoUnit.DAYS);
    }
  }
}

package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.model.TodoTask;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.sync.TwoWayOptions;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * "From now on" over HTTP, against an emulator that answers {@code $deltatoken=latest} as Outlook does (with
 * every item): the first round reads to the delta links and applies nothing; only later changes reach the CRM.
 */
class StartFromNowOverHttpTest {
  private final EmulatorFixture fx = new EmulatorFixture();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final InMemoryCrmStore<TodoTask> tasks = new InMemoryCrmStore<>("task");
  private final InMemoryCrmStore<CalendarEvent> events = new InMemoryCrmStore<>("event");

  @AfterEach
  void close() {
    pool.shutdownNow();
    fx.close();
  }

  @Test
  void theFirstRoundBringsNoHistoryAndLaterChangesArrive() {
    ModelUser amy = fx.tenant.addUser("amy");
    ItemCollection<TodoTask> list = fx.tenant.mailbox(amy).tasks();
    ItemCollection<CalendarEvent> calendar = fx.tenant.mailbox(amy).calendar();
    Instant start = fx.clock.instant().plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
    list.create(TodoTask.of("Old task", start));
    calendar.create(CalendarEvent.simple("Old meeting", start, start.plus(Duration.ofHours(1))));
    SyncEngine engine = SyncEngine.builder().clock(fx.clock).executor(pool).stateStore(fx.store).gateway(fx.gateway)
        .delegatedTokens(fx.delegated).applicationTokens(fx.application)
        .resource(ResourceSyncers.twoWay(ResourceType.TASKS, tasks, TwoWayOptions.<TodoTask>builder().startFromNow(true).build()))
        .resource(ResourceSyncers.twoWay(ResourceType.EVENTS, events,
            TwoWayOptions.<CalendarEvent>builder().startFromNow(true).build()))
        .build();
    Mailbox mailbox = fx.signIn(amy, Resource.TASKS, Resource.EVENTS);
    engine.enroll(mailbox);

    engine.runCycle();
    assertThat(tasks.list(mailbox.id())).as("no history").isEmpty();
    assertThat(events.list(mailbox.id())).isEmpty();
    assertThat(fx.emulator.recordedRequests()).as("no undocumented sync-from-now token sent to Outlook")
        .noneMatch(r -> r.query() != null && r.query().contains("deltatoken=latest"));

    list.create(TodoTask.of("New task", start));
    calendar.create(CalendarEvent.simple("New meeting", start.plus(Duration.ofHours(3)), start.plus(Duration.ofHours(4))));
    fx.clock.advance(Duration.ofMinutes(10));
    engine.runCycle();
    assertThat(tasks.items(mailbox.id())).extracting(TodoTask::title).containsExactly("New task");
    assertThat(events.items(mailbox.id())).extracting(CalendarEvent::subject).containsExactly("New meeting");
  }
}

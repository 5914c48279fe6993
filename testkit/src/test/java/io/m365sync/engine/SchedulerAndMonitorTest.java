package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.CycleReport;
import io.m365sync.SyncEngine;
import io.m365sync.SyncListener;
import io.m365sync.model.ResourceType;
import io.m365sync.schedule.SyncScheduler;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.RunRecord;
import io.m365sync.sync.ResourceSyncers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SchedulerAndMonitorTest {

  @Test
  void startRunsCyclesOnTheHostSchedulerUntilClosed() throws Exception {
    EngineFixture f = EngineFixture.standard();
    ScheduledExecutorService ses = Executors.newSingleThreadScheduledExecutor();
    CountDownLatch twoCycles = new CountDownLatch(2);
    try (SyncEngine engine = SyncEngine.builder()
        .clock(f.m365.clock()).gateway(f.m365.gateway()).delegatedTokens(f.m365.delegatedTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, f.crmEvents))
        .scheduler(SyncScheduler.inProcess(ses, Duration.ofMillis(20)))
        .listener(new SyncListener() {
          @Override
          public void cycleFinished(CycleReport report) {
            twoCycles.countDown();
          }
        })
        .build()) {
      f.engine = engine;
      f.user("alice");
      f.signIn("alice", java.util.Set.of(io.m365sync.Resource.EVENTS));
      engine.start();
      assertThatThrownBy(engine::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");

      assertThat(twoCycles.await(10, TimeUnit.SECONDS)).as("two scheduled cycles ran").isTrue();
      assertThat(f.crmEvents.items(f.id("alice"))).hasSize(3);
    } finally {
      ses.shutdownNow();
      assertThat(ses.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void startWithoutASchedulerSaysWhatIsMissing() {
    EngineFixture f = EngineFixture.standard();
    f.build();
    assertThatThrownBy(f.engine::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("'scheduler'");
  }

  @Test
  void theMonitorShowsNeverSyncedLastSuccessAndDuration() {
    EngineFixture f = EngineFixture.standard();
    f.build();
    f.user("alice");
    f.user("bob");
    f.signIn("alice", EngineFixture.EVENTS_AND_CONTACTS);
    f.signIn("bob", EngineFixture.EVENTS_AND_CONTACTS);
    assertThat(f.engine.monitor().neverSynced()).hasSize(2);
    assertThat(f.engine.monitor().all()).extracting(MailboxState::status).containsOnly(MailboxStatus.PENDING);

    f.engine.suspend(f.id("bob"), true);
    f.cycleAfter(Duration.ofMinutes(1));

    MailboxState alice = f.engine.monitor().mailbox(f.id("alice")).orElseThrow();
    assertThat(alice.lastSuccessAt()).isNotNull();
    assertThat(alice.lastAttemptAt()).isEqualTo(f.m365.clock().instant());
    assertThat(alice.lastDuration()).isNotNull().isGreaterThanOrEqualTo(Duration.ZERO);
    assertThat(f.engine.monitor().neverSynced()).extracting(MailboxState::mailbox).containsExactly(f.id("bob"));
    assertThat(f.engine.monitor().withStatus(MailboxStatus.SUSPENDED)).hasSize(1);
    assertThat(f.graphRequests("bob")).isZero();
    assertThat(f.engine.stateStore().runs(f.id("alice"), 10)).hasSize(1);

    f.engine.suspend(f.id("bob"), false);
    f.cycleAfter(Duration.ofMinutes(1));
    assertThat(f.status("bob")).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(f.engine.monitor().neverSynced()).isEmpty();
  }

  @Test
  void theMonitorCountsEveryRunWhileTheStoreKeepsOnlyTheNewest() {
    EngineFixture f = EngineFixture.standard();
    f.build();
    f.user("alice");
    f.signIn("alice", EngineFixture.EVENTS_AND_CONTACTS);
    int kept = f.engine.stateStore().runsKept();
    assertThat(kept).isEqualTo(10); // SyncStateStore.inMemory()'s
    int rounds = kept + 3;
    List<Instant> newestFirst = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      f.m365.clock().advance(Duration.ofMinutes(1));
      newestFirst.add(0, f.m365.clock().instant());
      f.engine.syncMailbox(f.id("alice"));
    }

    assertThat(f.engine.monitor().runCount(f.id("alice"))).isEqualTo(rounds);
    assertThat(f.engine.monitor().runs(f.id("alice"), 1000)).extracting(RunRecord::startedAt)
        .containsExactlyElementsOf(newestFirst.subList(0, kept));
    f.engine.unenroll(f.id("alice"));
    assertThat(f.engine.monitor().runCount(f.id("alice"))).isZero();
  }
}

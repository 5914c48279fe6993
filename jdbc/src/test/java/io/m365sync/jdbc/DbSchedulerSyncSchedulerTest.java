package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.CycleReport;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.schedule.SyncTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DbSchedulerSyncSchedulerTest {
  private static final MailboxId ALICE = MailboxId.of("contoso", "oid-alice");
  private static final MailboxId BOB = MailboxId.of("contoso", "oid-bob");

  private final List<DbSchedulerSyncScheduler> schedulers = new ArrayList<>();
  private final RecordingSyncTarget.World world = new RecordingSyncTarget.World();

  @AfterEach
  void closeSchedulers() {
    schedulers.forEach(DbSchedulerSyncScheduler::close);
  }

  private DbSchedulerSyncScheduler fast(DataSource ds, String node) {
    DbSchedulerSyncScheduler s = DbSchedulerSyncScheduler.builder(ds)
        .interval(Duration.ofMillis(150))
        .jitter(Duration.ofMillis(50))
        .pollingInterval(Duration.ofMillis(50))
        .heartbeat(Duration.ofMillis(500))
        .missedHeartbeatsLimit(4)
        .threads(2)
        .shutdownMaxWait(Duration.ofSeconds(5))
        .nodeName(node)
        .build();
    schedulers.add(s);
    return s;
  }

  /** Rounds an hour apart and no jitter: a second run within a test comes only from a change. */
  private DbSchedulerSyncScheduler hourly(DataSource ds, String node) {
    DbSchedulerSyncScheduler s = DbSchedulerSyncScheduler.builder(ds)
        .interval(Duration.ofHours(1))
        .jitter(Duration.ZERO)
        .pollingInterval(Duration.ofMillis(50))
        .heartbeat(Duration.ofMillis(500))
        .missedHeartbeatsLimit(4)
        .threads(2)
        .shutdownMaxWait(Duration.ofSeconds(5))
        .nodeName(node)
        .build();
    schedulers.add(s);
    return s;
  }

  private void enroll(DbSchedulerSyncScheduler s, MailboxId mailbox) {
    world.enrolled.add(mailbox);
    s.enrolled(mailbox);
  }

  @Test
  void enrolledMailboxesRunRepeatedlyAndUnenrolledOnesStop() throws Exception {
    DataSource ds = TestDatabases.h2Memory();
    DbSchedulerSyncScheduler scheduler = fast(ds, "node-a");
    enroll(scheduler, ALICE); // before start, as SyncEngine.enroll may do
    scheduler.start(new RecordingSyncTarget(world, "node-a", Duration.ZERO));
    enroll(scheduler, BOB);

    await(() -> world.runs(ALICE) >= 3 && world.runs(BOB) >= 3, "both mailboxes run repeatedly");
    assertThat(scheduler.isScheduled(BOB)).isTrue();

    world.enrolled.remove(BOB);
    scheduler.unenrolled(BOB);
    int bobRuns = world.runs(BOB);
    int aliceRuns = world.runs(ALICE);
    await(() -> world.runs(ALICE) >= aliceRuns + 3, "alice keeps running");

    assertThat(world.runs(BOB)).isBetween(bobRuns, bobRuns + 1); // a round in flight may finish
    assertThat(scheduler.isScheduled(BOB)).isFalse();
    assertThat(scheduler.isScheduled(ALICE)).isTrue();
    assertThat(world.overlaps).isEmpty();
  }

  @Test
  void theEngineUpkeepRunsAtTheSchedulersIntervalOnTheCluster() throws Exception {
    DataSource ds = TestDatabases.h2Memory();
    DbSchedulerSyncScheduler a = fast(ds, "node-a");
    DbSchedulerSyncScheduler b = fast(ds, "node-b");
    a.start(new RecordingSyncTarget(world, "node-a", Duration.ZERO));
    b.start(new RecordingSyncTarget(world, "node-b", Duration.ZERO));

    await(() -> world.upkeeps.get() >= 3, "the upkeep (keep-alive) task runs repeatedly");
    assertThat(world.overlaps).isEmpty();
  }

  @Test
  void aMailboxTheTargetNoLongerKnowsLosesItsTask() throws Exception {
    DataSource ds = TestDatabases.h2Memory();
    DbSchedulerSyncScheduler scheduler = fast(ds, "node-a");
    scheduler.enrolled(BOB); // scheduled, but the engine says: not enrolled
    scheduler.start(new RecordingSyncTarget(world, "node-a", Duration.ZERO));

    await(() -> !scheduler.isScheduled(BOB), "the task of a mailbox that is not enrolled is removed");
    assertThat(world.runs(BOB)).isZero();
  }

  @Test
  void longMailboxKeysAreHashedIntoInstanceIdsAndStillRun() throws Exception {
    MailboxId longOne = MailboxId.of("contoso.onmicrosoft.com", "x".repeat(150));
    assertThat(DbSchedulerSyncScheduler.instanceId(longOne)).startsWith("h:").hasSize(66)
        .isEqualTo(DbSchedulerSyncScheduler.instanceId(MailboxId.of("contoso.onmicrosoft.com", "x".repeat(150))));
    assertThat(DbSchedulerSyncScheduler.instanceId(ALICE)).isEqualTo("m:contoso/oid-alice");

    DbSchedulerSyncScheduler scheduler = fast(TestDatabases.h2Memory(), "node-a");
    scheduler.start(new RecordingSyncTarget(world, "node-a", Duration.ZERO));
    enroll(scheduler, longOne);
    await(() -> world.runs(longOne) >= 1, "the hashed instance runs for the right mailbox");
    world.enrolled.remove(longOne);
    scheduler.unenrolled(longOne);
    await(() -> !scheduler.isScheduled(longOne), "the hashed instance is removed");
  }

  @Test
  void twoNodesShareMailboxesAndNeverRunOneTwiceAtOnce() throws Exception {
    DataSource ds = TestDatabases.h2Memory();
    DbSchedulerSyncScheduler a = fast(ds, "node-a");
    DbSchedulerSyncScheduler b = fast(ds, "node-b");
    List<MailboxId> mailboxes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      MailboxId m = MailboxId.of("contoso", "oid-" + i);
      mailboxes.add(m);
      enroll(a, m);
    }
    a.start(new RecordingSyncTarget(world, "node-a", Duration.ofMillis(20)));
    b.start(new RecordingSyncTarget(world, "node-b", Duration.ofMillis(20)));

    await(() -> mailboxes.stream().allMatch(m -> world.runs(m) >= 3), "every mailbox runs on the cluster");
    assertThat(world.overlaps).isEmpty();
    assertThat(world.log).anyMatch(l -> l.startsWith("node-a")).anyMatch(l -> l.startsWith("node-b"));
  }

  @Test
  void aChangeMovesALaterTaskUpAndLeavesASoonerOneAlone() throws Exception {
    DbSchedulerSyncScheduler scheduler = hourly(TestDatabases.h2Memory(), "node-a");
    enroll(scheduler, ALICE);
    scheduler.start(new RecordingSyncTarget(world, "node-a", Duration.ZERO));
    await(() -> world.runs(ALICE) >= 1 && !scheduledSoon(scheduler, ALICE), "the first run, then the interval");
    Instant hourLater = scheduler.scheduledAt(ALICE).orElseThrow();
    assertThat(hourLater).isAfter(Instant.now().plus(Duration.ofMinutes(50)));

    scheduler.changed(ALICE, Duration.ofHours(2)); // due sooner already: stays
    assertThat(scheduler.scheduledAt(ALICE)).contains(hourLater);

    scheduler.changed(ALICE, Duration.ofMillis(100));
    assertThat(scheduler.scheduledAt(ALICE).orElseThrow()).isBefore(Instant.now().plusSeconds(1));
    await(() -> world.runs(ALICE) >= 2, "the run the change asked for");
    await(() -> !scheduledSoon(scheduler, ALICE), "back to the interval after it");
    assertThat(world.runs(ALICE)).isEqualTo(2);
  }

  @Test
  void aChangeForAMailboxWithoutATaskAddsOne() throws Exception {
    DbSchedulerSyncScheduler scheduler = hourly(TestDatabases.h2Memory(), "node-a");
    world.enrolled.add(BOB);
    scheduler.start(new RecordingSyncTarget(world, "node-a", Duration.ZERO));
    assertThat(scheduler.isScheduled(BOB)).isFalse();

    scheduler.changed(BOB, Duration.ofMillis(50));
    await(() -> world.runs(BOB) >= 1, "the mailbox runs");
    assertThat(scheduler.isScheduled(BOB)).isTrue();
  }

  /**
   * A change during a round leaves the running task alone (moving it would fail, and would lose the
   * change to the round's own reschedule); the round's end asks for pending changes and comes back
   * after their debounce, not after the interval.
   */
  @Test
  void aChangeDuringARoundIsReadAfterItsDebounceNotAfterTheInterval() throws Exception {
    DbSchedulerSyncScheduler scheduler = hourly(TestDatabases.h2Memory(), "node-a");
    CountDownLatch hold = new CountDownLatch(1);
    world.holds.put(ALICE, hold);
    enroll(scheduler, ALICE);
    scheduler.start(new RecordingSyncTarget(world, "node-a", Duration.ZERO));
    await(() -> world.log.contains("node-a " + ALICE), "the round is running");

    scheduler.changed(ALICE, Duration.ofMillis(50)); // returns at once, moves nothing
    world.pending.put(ALICE, Duration.ofMillis(200));
    world.holds.remove(ALICE);
    hold.countDown();

    await(() -> world.runs(ALICE) >= 2, "a second round after the debounce");
    world.pending.remove(ALICE);
    await(() -> !scheduledSoon(scheduler, ALICE), "then the interval");
    assertThat(world.overlaps).isEmpty();
  }

  /**
   * The race the round's end closes: a change that arrives after the round read its pending changes
   * (none) but before its reschedule committed finds the task running and leaves it; the round's end
   * reads again after its reschedule and moves the task up.
   */
  @Test
  void aChangeBetweenTheRoundsReadAndItsRescheduleIsNotLeftToTheInterval() throws Exception {
    DbSchedulerSyncScheduler scheduler = hourly(TestDatabases.h2Memory(), "node-a");
    RecordingSyncTarget recording = new RecordingSyncTarget(world, "node-a", Duration.ZERO);
    AtomicInteger reads = new AtomicInteger();
    SyncTarget target = new SyncTarget() {
      @Override
      public CycleReport runCycle() {
        return recording.runCycle();
      }

      @Override
      public MailboxSyncReport syncIfDue(MailboxId mailbox) {
        return recording.syncIfDue(mailbox);
      }

      @Override
      public Optional<Duration> pendingChanges(MailboxId mailbox) {
        // the first round's first read sees nothing; the change is marked right after it
        return reads.incrementAndGet() == 2 ? Optional.of(Duration.ofMillis(50)) : Optional.empty();
      }
    };
    enroll(scheduler, ALICE);
    scheduler.start(target);

    await(() -> world.runs(ALICE) >= 2, "a second round, brought by the second read");
  }

  @Test
  void aChangeNeverThrowsToTheNotificationThread() {
    FlakyDataSource flaky = new FlakyDataSource(TestDatabases.h2Memory());
    DbSchedulerSyncScheduler scheduler = hourly(flaky, "node-a");
    scheduler.enrolled(ALICE);
    flaky.dropAfter(1);

    scheduler.changed(ALICE, Duration.ofSeconds(1)); // the database is gone: logged, not thrown
    scheduler.changed(null, Duration.ofSeconds(1));
    assertThat(flaky.isDown()).isTrue();
  }

  private static boolean scheduledSoon(DbSchedulerSyncScheduler scheduler, MailboxId mailbox) {
    return scheduler.scheduledAt(mailbox).map(at -> at.isBefore(Instant.now().plus(Duration.ofMinutes(1)))).orElse(false);
  }

  @Test
  void settingsAreValidatedQuotingTheBadValue() {
    DataSource ds = TestDatabases.h2Memory();
    var builder = DbSchedulerSyncScheduler.builder(ds);
    assertThatThrownBy(() -> builder.missedHeartbeatsLimit(3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'missedHeartbeatsLimit'")
        .hasMessageContaining("at least 4").hasMessageContaining("was 3");
    assertThatThrownBy(() -> builder.threads(0)).hasMessageContaining("'threads'").hasMessageContaining("was 0");
    assertThatThrownBy(() -> builder.heartbeat(Duration.ZERO)).hasMessageContaining("'heartbeat'")
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> builder.pollingInterval(Duration.ofSeconds(-1))).hasMessageContaining("'pollingInterval'")
        .hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> builder.interval(Duration.ZERO)).hasMessageContaining("'interval'");
    assertThatThrownBy(() -> builder.jitter(Duration.ofMillis(-5))).hasMessageContaining("'jitter'")
        .hasMessageContaining("PT-0.005S");
    assertThatThrownBy(() -> builder.nodeName("n".repeat(51))).hasMessageContaining("'nodeName'");
    assertThatThrownBy(() -> builder.lockAndFetch(true).build())
        .hasMessageContaining("'lockAndFetch' needs PostgreSQL").hasMessageContaining("H2");
    assertThatThrownBy(() -> DbSchedulerSyncScheduler.builder(null)).hasMessageContaining("'dataSource' is required");

    DbSchedulerSyncScheduler s = DbSchedulerSyncScheduler.builder(ds).heartbeat(Duration.ofSeconds(1))
        .missedHeartbeatsLimit(4).pollingInterval(Duration.ofMillis(500)).build();
    schedulers.add(s);
    assertThat(s.takeoverTime()).isEqualTo(Duration.ofMillis(6500));
    assertThat(s.locksAndFetches()).as("H2 polls with optimistic fetch").isFalse();
  }

  @Test
  void startingTwiceIsRefused() {
    DbSchedulerSyncScheduler s = fast(TestDatabases.h2Memory(), "node-a");
    s.start(new RecordingSyncTarget(world, "node-a", Duration.ZERO));
    assertThatThrownBy(() -> s.start(new RecordingSyncTarget(world, "node-a", Duration.ZERO)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}

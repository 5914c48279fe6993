package io.m365sync.jdbc;

import static io.m365sync.jdbc.DbSchedulerSyncSchedulerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cluster scheduler on a real PostgreSQL server, polling with lock-and-fetch (SKIP LOCKED). */
class DbSchedulerSyncSchedulerPostgresTest {
  private final List<DbSchedulerSyncScheduler> schedulers = new ArrayList<>();
  private final RecordingSyncTarget.World world = new RecordingSyncTarget.World();

  @AfterEach
  void closeSchedulers() {
    schedulers.forEach(DbSchedulerSyncScheduler::close);
  }

  private DbSchedulerSyncScheduler node(DataSource ds, String name) {
    DbSchedulerSyncScheduler s = DbSchedulerSyncScheduler.builder(ds)
        .interval(Duration.ofMillis(150))
        .jitter(Duration.ofMillis(50))
        .pollingInterval(Duration.ofMillis(50))
        .heartbeat(Duration.ofMillis(500))
        .threads(2)
        .lockAndFetch(true)
        .shutdownMaxWait(Duration.ofSeconds(5))
        .nodeName(name)
        .build();
    schedulers.add(s);
    return s;
  }

  @Test
  void onPostgresqlANodePollsWithLockAndFetchUnlessToldNotTo() {
    DataSource ds = TestDatabases.postgresSchema();
    DbSchedulerSyncScheduler byDefault = DbSchedulerSyncScheduler.builder(ds).build();
    DbSchedulerSyncScheduler optimistic = DbSchedulerSyncScheduler.builder(ds).lockAndFetch(false).build();
    schedulers.add(byDefault);
    schedulers.add(optimistic);

    assertThat(byDefault.locksAndFetches()).isTrue();
    assertThat(optimistic.locksAndFetches()).isFalse();
  }

  @Test
  void twoNodesWithLockAndFetchShareMailboxesWithoutOverlapAndUnenrollStopsOne() throws Exception {
    DataSource ds = TestDatabases.postgresSchema();
    // the scheduler migrates a fresh database itself, and the state store then finds it current
    DbSchedulerSyncScheduler a = node(ds, "node-a");
    DbSchedulerSyncScheduler b = node(ds, "node-b");
    assertThat(JdbcSyncStateStore.create(ds).dialect()).isEqualTo(JdbcDialect.POSTGRESQL);

    List<MailboxId> mailboxes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      MailboxId m = MailboxId.of("contoso", "oid-" + i);
      mailboxes.add(m);
      world.enrolled.add(m);
      a.enrolled(m);
    }
    a.start(new RecordingSyncTarget(world, "node-a", Duration.ofMillis(20)));
    b.start(new RecordingSyncTarget(world, "node-b", Duration.ofMillis(20)));
    await(() -> mailboxes.stream().allMatch(m -> world.runs(m) >= 3), "every mailbox runs on the cluster");

    MailboxId gone = mailboxes.get(0);
    world.enrolled.remove(gone);
    b.unenrolled(gone);
    await(() -> !a.isScheduled(gone), "the unenrolled mailbox leaves the schedule");
    int goneRuns = world.runs(gone);
    int otherRuns = world.runs(mailboxes.get(1));
    await(() -> world.runs(mailboxes.get(1)) >= otherRuns + 3, "the others keep running");

    assertThat(world.runs(gone)).isEqualTo(goneRuns);
    assertThat(world.overlaps).isEmpty();
    assertThat(world.log).anyMatch(l -> l.startsWith("node-a")).anyMatch(l -> l.startsWith("node-b"));
  }
}

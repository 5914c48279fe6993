package io.m365sync.jdbc;

import static io.m365sync.jdbc.DbSchedulerSyncSchedulerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 4 (the part a unit test can afford): 100,000 enrolled mailboxes register on PostgreSQL,
 * one db-scheduler task each, and the cluster starts running them. The figures (scheduling overhead
 * per mailbox-run, state-store operations per second) come from {@code DurableStateBenchmark}.
 */
class ScaleRegistrationTest {
  static final int MAILBOXES = 100_000;

  static List<MailboxId> mailboxes(int n) {
    return IntStream.range(0, n).mapToObj(i -> MailboxId.of("contoso", String.format("oid-%06d", i))).toList();
  }

  static long tasks(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + DbSchedulerSyncScheduler.TABLE_NAME
             + " WHERE task_name = ?")) {
      ps.setString(1, DbSchedulerSyncScheduler.TASK_NAME);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Test
  void aHundredThousandMailboxesRegisterOnPostgresAndStartRunning() throws Exception {
    DataSource ds = TestDatabases.postgresSchemaPooled();
    RecordingSyncTarget.World world = new RecordingSyncTarget.World();
    List<MailboxId> all = mailboxes(MAILBOXES);
    world.enrolled.addAll(all);
    DbSchedulerSyncScheduler scheduler = DbSchedulerSyncScheduler.builder(ds)
        .interval(Duration.ofHours(1))
        .jitter(Duration.ofSeconds(2))
        .pollingInterval(Duration.ofMillis(100))
        .heartbeat(Duration.ofSeconds(1))
        .threads(4)
        .lockAndFetch(true)
        .shutdownMaxWait(Duration.ofSeconds(5))
        .nodeName("node-a")
        .build();
    try {
      long t0 = System.nanoTime();
      assertThat(scheduler.enrolledAll(all)).isEqualTo(MAILBOXES);
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(tasks(ds)).isEqualTo(MAILBOXES);
      System.out.printf("registered %,d mailboxes on PostgreSQL in %d ms%n", MAILBOXES, took.toMillis());

      // registering again (a batch that overlaps existing tasks) adds only the new ones
      List<MailboxId> again = new ArrayList<>(all.subList(0, 50));
      again.add(MailboxId.of("contoso", "oid-new"));
      world.enrolled.add(MailboxId.of("contoso", "oid-new"));
      assertThat(scheduler.enrolledAll(again)).isEqualTo(1);
      assertThat(tasks(ds)).isEqualTo(MAILBOXES + 1);
      assertThat(scheduler.isScheduled(all.get(MAILBOXES - 1))).isTrue();

      scheduler.start(new RecordingSyncTarget(world, "node-a", Duration.ZERO));
      await(() -> world.runs.size() >= 200, "the first mailboxes ran");
    } finally {
      scheduler.close();
    }
    assertThat(world.overlaps).isEmpty();
    assertThat(tasks(ds)).as("every mailbox keeps its task").isEqualTo(MAILBOXES + 1);
  }

  @Test
  void bulkRegistrationOnH2KeepsExistingSchedulesAndAddsTheRest() throws Exception {
    DataSource ds = TestDatabases.h2Memory();
    DbSchedulerSyncScheduler scheduler = DbSchedulerSyncScheduler.builder(ds).nodeName("node-a").build();
    try {
      List<MailboxId> some = mailboxes(2_100);
      scheduler.enrolled(some.get(1_200)); // one already there, in the middle of the second batch
      assertThat(scheduler.enrolledAll(some)).isEqualTo(2_099);
      assertThat(scheduler.enrolledAll(some.subList(0, 10))).isZero();
      assertThat(tasks(ds)).isEqualTo(2_100);
      assertThat(scheduler.enrolledAll(List.of())).isZero();
    } finally {
      scheduler.close();
    }
  }
}

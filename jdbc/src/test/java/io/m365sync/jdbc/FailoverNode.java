package io.m365sync.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.m365sync.CycleReport;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.graph.AppCredential;
import io.m365sync.graph.GraphMailboxGateway;
import io.m365sync.graph.MsalApplicationTokenStrategy;
import io.m365sync.model.ResourceType;
import io.m365sync.schedule.SyncTarget;
import io.m365sync.sync.ResourceSyncers;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One CRM node of {@link FailoverTest}, in its own JVM: the real engine with the graph-adapter's MSAL
 * application strategy and Graph SDK gateway against the test's Microsoft 365 emulator, the state
 * store and db-scheduler on the shared PostgreSQL, and a CRM table there too. Each mailbox round is
 * logged in {@code failover_run} (start and end, with database timestamps) for the overlap check.
 *
 * <p>Arguments: {@code node jdbcUrl schema loginBaseUrl graphBaseUrl clientId crmWriteDelayMillis};
 * the client secret comes on standard input (never on the command line).
 */
public final class FailoverNode {
  private FailoverNode() {}

  public static void main(String[] args) throws Exception {
    String node = args[0];
    String secret = new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
    PGSimpleDataSource pg = new PGSimpleDataSource();
    pg.setUrl(args[1]);
    pg.setCurrentSchema(args[2]);
    HikariConfig config = new HikariConfig();
    config.setDataSource(pg);
    config.setMaximumPoolSize(8);
    config.setPoolName(node);
    HikariDataSource ds = new HikariDataSource(config);

    JdbcSyncStateStore store = JdbcSyncStateStore.create(ds);
    SyncEngine engine = SyncEngine.builder()
        .stateStore(store)
        .gateway(GraphMailboxGateway.builder().baseUrl(args[4]).build())
        .applicationTokens(MsalApplicationTokenStrategy.builder().clientId(args[5]).credential(AppCredential.secret(secret))
            .routeTokenRequestsTo(URI.create(args[3])).build())
        .options(SyncOptions.defaults().withPageSize(5))
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS,
            new FailoverCrmEvents(ds, node, Duration.ofMillis(Long.parseLong(args[6])))))
        .build();
    DbSchedulerSyncScheduler scheduler = DbSchedulerSyncScheduler.builder(ds)
        .interval(Duration.ofMillis(500))
        .jitter(Duration.ofMillis(200))
        .heartbeat(FailoverTest.HEARTBEAT)
        .missedHeartbeatsLimit(FailoverTest.MISSED_HEARTBEATS)
        .pollingInterval(FailoverTest.POLLING)
        .threads(3)
        .lockAndFetch(true)
        .shutdownMaxWait(Duration.ofSeconds(2))
        .nodeName(node)
        .build();
    scheduler.start(new LoggingTarget(engine, ds, node));
    try (Connection c = ds.getConnection();
         PreparedStatement ps = c.prepareStatement("INSERT INTO failover_node (node, pid) VALUES (?, ?)")) {
      ps.setString(1, node);
      ps.setLong(2, ProcessHandle.current().pid());
      ps.executeUpdate();
    }
    System.out.println(node + " up, pid " + ProcessHandle.current().pid());
    Thread.currentThread().join(); // until killed (or the test ends the process)
  }

  /** Runs the engine's round for one mailbox between a start and an end row of the run log. */
  private record LoggingTarget(SyncEngine engine, DataSource ds, String node) implements SyncTarget {
    @Override
    public CycleReport runCycle() {
      throw new UnsupportedOperationException("the cluster runs mailbox by mailbox");
    }

    @Override
    public MailboxSyncReport syncIfDue(MailboxId mailbox) {
      long run = start(mailbox);
      String outcome = "EXCEPTION";
      try {
        MailboxSyncReport report = engine.syncIfDue(mailbox);
        outcome = report.state().status().name();
        return report;
      } finally {
        end(run, outcome);
      }
    }

    private long start(MailboxId mailbox) {
      try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
          "INSERT INTO failover_run (node, mailbox_key) VALUES (?, ?) RETURNING id")) {
        ps.setString(1, node);
        ps.setString(2, mailbox.key());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }

    private void end(long run, String outcome) {
      try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
          "UPDATE failover_run SET ended_at = clock_timestamp(), outcome = ? WHERE id = ?")) {
        ps.setString(1, outcome);
        ps.setLong(2, run);
        ps.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}

package io.m365sync.examples.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.m365sync.MailboxId;
import io.m365sync.TenantId;
import io.m365sync.jdbc.JdbcSyncStateStore;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.StatusCount;
import io.m365sync.state.StatusPage;
import io.m365sync.state.StatusQuery;
import io.m365sync.state.SyncStateStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Not a test: the monitor's questions against N mailbox statuses (default 100,000) in PostgreSQL —
 * a count by tenant and status and a page of 50 — answered by the store
 * ({@link SyncStateStore#statusCounts}, {@link SyncStateStore#statusPage}) and, as the baseline in the
 * same run, the way the monitor answered before: read every status row ({@link SyncStateStore#statuses()})
 * and count or filter in Java. Then the levers: the same queries without the V3 indexes, a deep page by
 * keyset versus OFFSET, and a count through a {@code DataSource} that opens a connection per call.
 *
 * <p>The server is the jdbc tests' embedded PostgreSQL (zonky binaries), behind a HikariCP pool of 4.
 * The rows are loaded with batched inserts (100,000 {@code putStatus} calls would take minutes and
 * measure nothing here), then {@code VACUUM ANALYZE}, as autovacuum would leave a table that is read
 * more than written; autovacuum is switched off for the table so it cannot start mid-measurement.
 * The store's read path is warmed up by 400 small calls first; then each figure: a few untimed calls,
 * then {@code runs} timed ones; median and spread (min–max).
 *
 * <pre>mvn -q -B -o -pl examples test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.m365sync.examples.bench.MonitorBenchmark [-Dexec.args="100000 21"]</pre>
 */
public final class MonitorBenchmark {
  static final int PAGE = 50;
  private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

  private MonitorBenchmark() {}

  /** One measured question: milliseconds per run. */
  record Figure(String group, String name, double[] millis) {
    double median() {
      double[] s = millis.clone();
      Arrays.sort(s);
      return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    double min() {
      return Arrays.stream(millis).min().orElse(0);
    }

    double max() {
      return Arrays.stream(millis).max().orElse(0);
    }
  }

  /** What a run measured and what it checked. */
  record Result(int mailboxes, int tenants, int runs, String machine, String postgres, List<Figure> figures,
                Map<MailboxStatus, Long> loaded, long countedByStore, long countedByBaseline, List<String> plans) {}

  public static void main(String[] args) throws Exception {
    int mailboxes = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 21;
    System.out.println(report(run(mailboxes, runs)));
  }

  static Result run(int mailboxes, int runs) throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
         HikariDataSource pool = pool(pg.getPostgresDatabase(), 4)) {
      JdbcSyncStateStore store = JdbcSyncStateStore.create(pool);
      int tenants = Math.max(1, mailboxes / 500);
      Map<MailboxStatus, Long> loaded = load(pool, mailboxes, tenants);
      sql(pool, "ALTER TABLE m365sync_status SET (autovacuum_enabled = false)");
      sql(pool, "VACUUM ANALYZE m365sync_status");
      String machine = machine();
      String postgres = query(pool, "SHOW server_version");

      TenantId tenant = TenantId.of(tenantName(tenants / 2));
      Set<MailboxStatus> failing = Set.of(MailboxStatus.FAILING, MailboxStatus.THROTTLED, MailboxStatus.MAILBOX_UNAVAILABLE);
      StatusQuery signIn = StatusQuery.withStatus(Set.of(MailboxStatus.NEEDS_SIGN_IN), PAGE);
      StatusQuery quarantined = StatusQuery.withStatus(Set.of(MailboxStatus.QUARANTINED), PAGE);
      // a deep page: the cursor of the page that starts 90 % of the way through every mailbox
      MailboxId deepCursor = keyAt(pool, (int) (mailboxes * 0.9));
      List<String> plans = new ArrayList<>();
      plans.add(plan(pool, "count, every tenant", "SELECT tenant_id, status, COUNT(*) AS n FROM m365sync_status"
          + " GROUP BY tenant_id, status"));
      plans.add(plan(pool, "page, needing sign-in", "SELECT * FROM m365sync_status WHERE status IN ('NEEDS_SIGN_IN')"
          + " ORDER BY mailbox_key FETCH FIRST 51 ROWS ONLY"));
      plans.add(plan(pool, "page, failing", "SELECT * FROM m365sync_status WHERE status IN ('FAILING', 'THROTTLED',"
          + " 'MAILBOX_UNAVAILABLE') ORDER BY mailbox_key FETCH FIRST 51 ROWS ONLY"));
      List<Figure> figures = new ArrayList<>();
      int warmUp = Math.max(3, runs / 4);

      // the JIT compiles the store's read path first, so the first figures do not carry the warm-up
      for (int i = 0; i < 200; i++) {
        store.statusPage(i % 2 == 0 ? signIn : StatusQuery.all(PAGE).inTenant(tenant), row -> {});
        store.statusCounts(tenant, row -> {});
      }
      String byStore = "store (V3 indexes)";
      figures.add(time(byStore, "count by tenant and status, every tenant", warmUp, runs,
          () -> store.statusCounts(null, row -> {})));
      figures.add(time(byStore, "count by status, one tenant", warmUp, runs, () -> store.statusCounts(tenant, row -> {})));
      figures.add(time(byStore, "page of 50: needing sign-in, first page", warmUp, runs,
          () -> store.statusPage(signIn, row -> {})));
      figures.add(time(byStore, "page of 50: failing (3 statuses), first page", warmUp, runs,
          () -> store.statusPage(StatusQuery.withStatus(failing, PAGE), row -> {})));
      figures.add(time(byStore, "page of 50: quarantined (0.5 %), first page", warmUp, runs,
          () -> store.statusPage(quarantined, row -> {})));
      figures.add(time(byStore, "page of 50: one tenant, any status", warmUp, runs,
          () -> store.statusPage(StatusQuery.all(PAGE).inTenant(tenant), row -> {})));
      figures.add(time(byStore, "page of 50: every mailbox, 90 % deep (keyset)", warmUp, runs,
          () -> store.statusPage(StatusQuery.all(PAGE).after(deepCursor), row -> {})));
      figures.add(time(byStore, "page of 50: never synced, first page (no index)", warmUp, runs,
          () -> store.statusPage(StatusQuery.all(PAGE).neverSynced(), row -> {})));

      String old = "baseline: read every row";
      int oldWarmUp = 2;
      int oldRuns = Math.max(3, runs / 3);
      figures.add(time(old, "count by tenant and status, every tenant", oldWarmUp, oldRuns, () -> oldCounts(store)));
      figures.add(time(old, "page of 50: needing sign-in, first page", oldWarmUp, oldRuns,
          () -> store.statuses().stream().filter(s -> s.status() == MailboxStatus.NEEDS_SIGN_IN).limit(PAGE).toList()));

      String noIndex = "lever: without the V3 indexes";
      sql(pool, "DROP INDEX m365sync_status_status_idx");
      sql(pool, "DROP INDEX m365sync_status_tenant_idx");
      sql(pool, "DROP INDEX m365sync_status_tenant_key_idx");
      sql(pool, "ANALYZE m365sync_status");
      figures.add(time(noIndex, "count by tenant and status, every tenant", warmUp, runs,
          () -> store.statusCounts(null, row -> {})));
      figures.add(time(noIndex, "count by status, one tenant", warmUp, runs, () -> store.statusCounts(tenant, row -> {})));
      figures.add(time(noIndex, "page of 50: needing sign-in, first page", warmUp, runs,
          () -> store.statusPage(signIn, row -> {})));
      figures.add(time(noIndex, "page of 50: failing (3 statuses), first page", warmUp, runs,
          () -> store.statusPage(StatusQuery.withStatus(failing, PAGE), row -> {})));
      figures.add(time(noIndex, "page of 50: quarantined (0.5 %), first page", warmUp, runs,
          () -> store.statusPage(quarantined, row -> {})));
      figures.add(time(noIndex, "page of 50: one tenant, any status", warmUp, runs,
          () -> store.statusPage(StatusQuery.all(PAGE).inTenant(tenant), row -> {})));
      sql(pool, "CREATE INDEX m365sync_status_status_idx ON m365sync_status (status, mailbox_key)");
      sql(pool, "CREATE INDEX m365sync_status_tenant_idx ON m365sync_status (tenant_id, status, mailbox_key)");
      sql(pool, "CREATE INDEX m365sync_status_tenant_key_idx ON m365sync_status (tenant_id, mailbox_key)");
      sql(pool, "VACUUM ANALYZE m365sync_status");

      String lever = "lever: paging and connections";
      int deepOffset = (int) (mailboxes * 0.9);
      figures.add(time(lever, "page of 50: every mailbox, 90 % deep, OFFSET " + deepOffset, warmUp, runs,
          () -> offsetPage(pool, deepOffset)));
      figures.add(time(lever, "page of 50: every mailbox, 90 % deep, keyset (again)", warmUp, runs,
          () -> store.statusPage(StatusQuery.all(PAGE).after(deepCursor), row -> {})));
      JdbcSyncStateStore unpooled = JdbcSyncStateStore.create(pg.getPostgresDatabase());
      figures.add(time(lever, "count, every tenant, new connection per call (no pool)", warmUp, runs,
          () -> unpooled.statusCounts(null, row -> {})));

      long countedByStore = store.statusCounts(null, row -> {}).stream().mapToLong(StatusCount::count).sum();
      long countedByBaseline = oldCounts(store).values().stream().mapToLong(m -> m.values().stream()
          .mapToLong(Long::longValue).sum()).sum();
      return new Result(mailboxes, tenants, runs, machine, postgres, figures, loaded, countedByStore, countedByBaseline,
          plans);
    }
  }

  /** The monitor before the store could count: every status row read and grouped in Java. */
  private static Map<TenantId, Map<MailboxStatus, Long>> oldCounts(SyncStateStore store) {
    Map<TenantId, Map<MailboxStatus, Long>> counts = new java.util.HashMap<>();
    for (MailboxState s : store.statuses()) {
      counts.computeIfAbsent(s.mailbox().tenant(), t -> new EnumMap<>(MailboxStatus.class)).merge(s.status(), 1L, Long::sum);
    }
    return counts;
  }

  private static Figure time(String group, String name, int warmUp, int runs, Supplier<?> call) {
    for (int i = 0; i < warmUp; i++) {
      check(call.get());
    }
    double[] millis = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      Object answer = call.get();
      millis[i] = (System.nanoTime() - start) / 1e6;
      check(answer);
    }
    Figure f = new Figure(group, name, millis);
    System.err.printf("%-32s %-62s median %8.2f ms (%.2f-%.2f)%n", group, name, f.median(), f.min(), f.max());
    return f;
  }

  /** Every question must have an answer: an empty page would time nothing. */
  private static void check(Object answer) {
    boolean empty = answer instanceof StatusPage p ? p.items().isEmpty()
        : answer instanceof List<?> l ? l.isEmpty() : answer instanceof Map<?, ?> m && m.isEmpty();
    if (empty) {
      throw new IllegalStateException("the benchmark asked a question with no answer");
    }
  }

  /** Batched inserts of a realistic mix: mostly active, a few percent each needing attention. */
  private static Map<MailboxStatus, Long> load(DataSource ds, int mailboxes, int tenants) throws SQLException {
    Random random = new Random(16);
    Map<MailboxStatus, Long> loaded = new EnumMap<>(MailboxStatus.class);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO m365sync_status (mailbox_key, tenant_id, status,"
          + " auth_mode, reason_code, since, last_attempt_at, last_success_at, last_duration_nanos,"
          + " consecutive_failures) VALUES (?, ?, ?, 'APPLICATION', ?, ?, ?, ?, ?, ?)")) {
        for (int i = 0; i < mailboxes; i++) {
          String tenant = tenantName(i % tenants);
          MailboxStatus status = statusFor(random.nextInt(1000));
          loaded.merge(status, 1L, Long::sum);
          ps.setString(1, tenant + "/" + new UUID(random.nextLong(), random.nextLong()));
          ps.setString(2, tenant);
          ps.setString(3, status.name());
          ps.setString(4, status == MailboxStatus.ACTIVE ? null : "reason-" + status.name().toLowerCase());
          Timestamp since = Timestamp.from(T0.minusSeconds(random.nextInt(86_400 * 30)));
          ps.setTimestamp(5, since);
          ps.setTimestamp(6, since);
          ps.setTimestamp(7, status == MailboxStatus.PENDING ? null : since);
          ps.setLong(8, 1_000_000L * (50 + random.nextInt(2000)));
          ps.setInt(9, status == MailboxStatus.FAILING ? 1 + random.nextInt(5) : 0);
          ps.addBatch();
          if (i % 1000 == 999) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      c.commit();
    }
    return loaded;
  }

  /** Per mille: 90 % active, 3 % needing sign-in, 2 % denied, 2 % failing, 1 % each pending and throttled, ... */
  private static MailboxStatus statusFor(int perMille) {
    if (perMille < 900) {
      return MailboxStatus.ACTIVE;
    } else if (perMille < 930) {
      return MailboxStatus.NEEDS_SIGN_IN;
    } else if (perMille < 950) {
      return MailboxStatus.DENIED_BY_POLICY;
    } else if (perMille < 970) {
      return MailboxStatus.FAILING;
    } else if (perMille < 980) {
      return MailboxStatus.PENDING;
    } else if (perMille < 990) {
      return MailboxStatus.THROTTLED;
    } else if (perMille < 995) {
      return MailboxStatus.MAILBOX_UNAVAILABLE;
    }
    return MailboxStatus.QUARANTINED;
  }

  private static String tenantName(int i) {
    return String.format("tenant-%04d.onmicrosoft.com", i);
  }

  private static MailboxId keyAt(DataSource ds, int offset) throws SQLException {
    String key = query(ds, "SELECT mailbox_key FROM m365sync_status ORDER BY mailbox_key OFFSET " + offset + " LIMIT 1");
    int slash = key.indexOf('/');
    return MailboxId.of(key.substring(0, slash), key.substring(slash + 1));
  }

  /** The OFFSET page the keyset one replaces, through the same pool: the database reads and drops every earlier row. */
  private static List<String> offsetPage(DataSource ds, int offset) {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT mailbox_key, status, auth_mode, reason_code, reason, since, next_attempt, last_attempt_at,"
            + " last_success_at, last_duration_nanos, delegated_dead_since, notified_at, consecutive_failures"
            + " FROM m365sync_status ORDER BY mailbox_key OFFSET " + offset + " ROWS FETCH FIRST " + PAGE + " ROWS ONLY");
         ResultSet rs = ps.executeQuery()) {
      List<String> keys = new ArrayList<>();
      while (rs.next()) {
        keys.add(rs.getString(1));
      }
      return keys;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** PostgreSQL's plan for {@code sql}, run once: the top node, the scans, and the server's execution time. */
  private static String plan(DataSource ds, String name, String sql) throws SQLException {
    List<String> kept = new ArrayList<>();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
      while (rs.next()) {
        String line = rs.getString(1).strip().replaceFirst("^->\\s*", "");
        if (kept.isEmpty() || line.contains("Scan") || line.startsWith("Heap Fetches") || line.startsWith("Execution Time")) {
          kept.add(line.replaceAll("\\(cost=[^)]*\\) ", ""));
        }
      }
    }
    return name + ": " + String.join("; ", kept);
  }

  private static HikariDataSource pool(DataSource ds, int size) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(ds);
    config.setMaximumPoolSize(size);
    config.setPoolName("monitor-benchmark");
    return new HikariDataSource(config);
  }

  private static void sql(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String query(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String machine() {
    return String.format("%d cpus, load average %.1f, JDK %s, max heap %d MiB", Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
  }

  /** A Markdown table of every figure, with the run's setting. */
  static String report(Result r) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("%,d mailbox statuses in %,d tenants, PostgreSQL %s (embedded), %s; loaded %s%n",
        r.mailboxes(), r.tenants(), r.postgres(), r.machine(), r.loaded()));
    out.append(String.format("load average at the end %.1f; counted by the store %,d, by the baseline %,d%n%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), r.countedByStore(), r.countedByBaseline()));
    r.plans().forEach(p -> out.append("- plan ").append(p).append('\n'));
    out.append('\n');
    out.append("| path | question | runs | median ms | spread ms (min–max) |\n|---|---|---:|---:|---:|\n");
    String group = null;
    for (Figure f : r.figures()) {
      out.append(String.format("| %s | %s | %d | %.2f | %.2f–%.2f |%n", f.group().equals(group) ? "" : f.group(), f.name(),
          f.millis().length, f.median(), f.min(), f.max()));
      group = f.group();
    }
    return out.toString();
  }
}

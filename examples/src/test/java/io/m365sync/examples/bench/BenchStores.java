package io.m365sync.examples.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.m365sync.jdbc.JdbcSyncStateStore;
import io.m365sync.state.SyncStateStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Fresh state stores for benchmark runs, one per run: in memory, a durable H2 file (the embedded
 * default), or a new schema on one embedded PostgreSQL server (started on first use, the jdbc tests'
 * zonky binaries) behind a HikariCP pool, as a host would run it.
 */
final class BenchStores implements AutoCloseable {
  /** Which store: {@code store=memory|h2|postgres}. */
  enum Kind { MEMORY, H2, POSTGRES }

  /** A store for one run, and what to release after it. */
  interface Opened extends AutoCloseable {
    SyncStateStore store();

    /**
     * The commits made on the store's connections so far (PostgreSQL), all and those of transactions
     * that wrote, or null where not counted.
     */
    default Commits commits() {
      return null;
    }

    @Override
    void close() throws Exception;
  }

  /** Commits on a store's connections: all, and those of transactions that wrote. */
  record Commits(long all, long wrote) {
    Commits since(Commits before) {
      return new Commits(all - before.all, wrote - before.wrote);
    }
  }

  private final Kind kind;
  private final int poolSize;
  private final AtomicInteger schemas = new AtomicInteger();
  private boolean statements;
  private EmbeddedPostgres postgres;

  BenchStores(Kind kind, int poolSize) {
    this.kind = kind;
    this.poolSize = poolSize;
  }

  /**
   * Loads {@code pg_stat_statements} into the embedded server (before it starts), so a run can print
   * what PostgreSQL spent its time on per statement ({@link #topStatements}).
   */
  BenchStores withStatementStatistics() {
    this.statements = true;
    return this;
  }

  /** {@code store=} (else {@code otherwise}) and {@code pool=} (else {@link #poolForThisHost}). */
  static BenchStores from(BenchArgs args, Kind otherwise) {
    return new BenchStores(Kind.valueOf(args.text("store", otherwise.name()).toUpperCase(java.util.Locale.ROOT)),
        args.integer("pool", poolForThisHost()));
  }

  /**
   * HikariCP's sizing rule for a pool (its wiki, "About Pool Sizing"): twice the database host's cores
   * plus its disks; here the embedded server shares this host. Connections beyond what the server's
   * cores run at once only contend: on 2 cores a pool of 16 cost the server 4.0 s of CPU per 100,000
   * links where 4 or 5 cost 2.6 s.
   */
  static int poolForThisHost() {
    return 2 * Runtime.getRuntime().availableProcessors() + 1;
  }

  Kind kind() {
    return kind;
  }

  /** What the report names: the store and, for PostgreSQL, the server's version. */
  String describe() throws Exception {
    return switch (kind) {
      case MEMORY -> "in-memory state store";
      case H2 -> "durable H2 file (each commit in the file before it returns)";
      case POSTGRES -> "embedded PostgreSQL " + serverVersion() + ", HikariCP pool of " + poolSize;
    };
  }

  Opened open() throws Exception {
    switch (kind) {
      case MEMORY:
        SyncStateStore memory = SyncStateStore.inMemory();
        return opened(memory, () -> {});
      case H2:
        Path dir = Files.createTempDirectory("m365sync-bench");
        JdbcSyncStateStore h2 = JdbcSyncStateStore.h2File(dir.resolve("state"));
        return opened(h2, () -> {
          h2.close();
          deleteTree(dir);
        });
      default:
        CommitCounter counter = new CommitCounter();
        HikariDataSource pool = pool(counter.counting(newSchema()));
        SyncStateStore postgres = JdbcSyncStateStore.create(pool);
        return new Opened() {
          @Override
          public SyncStateStore store() {
            return postgres;
          }

          @Override
          public Commits commits() {
            return new Commits(counter.commits(), counter.writeCommits());
          }

          @Override
          public void close() {
            pool.close();
          }
        };
    }
  }

  private synchronized EmbeddedPostgres postgres() throws IOException {
    if (postgres == null) {
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
      if (statements) {
        builder.setServerConfig("shared_preload_libraries", "pg_stat_statements")
            .setServerConfig("pg_stat_statements.track", "all");
      }
      postgres = builder.start();
      if (statements) {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
          s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        } catch (SQLException e) {
          throw new IOException("pg_stat_statements did not load", e);
        }
      }
    }
    return postgres;
  }

  /** A new schema on the embedded PostgreSQL server, unpooled: a cluster's nodes each pool it with {@link #pool}. */
  javax.sql.DataSource newSchema() throws IOException, SQLException {
    String schema = "bench" + schemas.incrementAndGet();
    try (Connection c = postgres().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      s.execute("CREATE SCHEMA " + schema);
    }
    return postgres().getPostgresDatabase(Map.of("currentSchema", schema, "reWriteBatchedInserts", "true"));
  }

  /**
   * CPU time the embedded PostgreSQL server has used so far: its postmaster and the processes alive
   * under it (backends of closed connections no longer count), or zero where the OS does not say. The
   * backend that answers this question is left out: it ends with its connection, so counted in one
   * reading and gone from the next it made a difference of two readings negative.
   */
  Duration serverCpu() throws IOException, SQLException {
    String dataDirectory;
    long asking;
    try (Connection c = postgres().getPostgresDatabase().getConnection(); Statement s = c.createStatement();
         var rs = s.executeQuery("SELECT current_setting('data_directory'), pg_backend_pid()")) {
      rs.next();
      dataDirectory = rs.getString(1);
      asking = rs.getLong(2);
    }
    long pid = Long.parseLong(Files.readAllLines(Path.of(dataDirectory, "postmaster.pid")).get(0).trim());
    return ProcessHandle.of(pid).stream().flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
        .filter(p -> p.pid() != asking)
        .map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO)).reduce(Duration.ZERO, Duration::plus);
  }

  /** Forgets the statement statistics gathered so far (with {@link #withStatementStatistics}). */
  void resetStatements() throws IOException, SQLException {
    try (Connection c = postgres().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_statements_reset()");
    }
  }

  /**
   * The {@code top} statements (by text, over every run's schema) by total execution time since the last
   * reset, as a Markdown table (calls, total and mean ms, rows, share of all statements' time), and the
   * totals of all.
   */
  String topStatements(int top) throws IOException, SQLException {
    StringBuilder sb = new StringBuilder("| calls | total ms | mean ms | rows | share | statement |\n|---|---|---|---|---|---|\n");
    try (Connection c = postgres().getPostgresDatabase().getConnection(); Statement s = c.createStatement();
         // by statement text: each run has a schema of its own, and so its own statement ids
         var rs = s.executeQuery("SELECT SUM(calls), SUM(total_exec_time), SUM(total_exec_time) / SUM(calls), SUM(rows),"
             + " SUM(total_exec_time) / NULLIF(SUM(SUM(total_exec_time)) OVER (), 0), q,"
             + " SUM(SUM(calls)) OVER (), SUM(SUM(total_exec_time)) OVER ()"
             + " FROM (SELECT calls, total_exec_time, rows, regexp_replace(query, '\\s+', ' ', 'g') AS q"
             + " FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%') per_schema"
             + " GROUP BY q ORDER BY 2 DESC")) {
      long calls = 0;
      double total = 0;
      for (int i = 0; rs.next(); i++) {
        calls = rs.getLong(7);
        total = rs.getDouble(8);
        if (i < top) {
          String query = rs.getString(6);
          sb.append(String.format("| %,d | %,.0f | %.3f | %,d | %.1f %% | `%s` |%n", rs.getLong(1), rs.getDouble(2),
              rs.getDouble(3), rs.getLong(4), 100 * rs.getDouble(5),
              query.length() > 160 ? query.substring(0, 160) + "..." : query));
        }
      }
      sb.append(String.format("all statements: %,d calls, %,.0f ms executing%n", calls, total));
    }
    return sb.toString();
  }

  private String serverVersion() throws IOException, SQLException {
    try (Connection c = postgres().getPostgresDatabase().getConnection(); Statement s = c.createStatement();
         var rs = s.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** A HikariCP pool of {@code poolSize} connections over {@code ds}, as a host would run it. */
  HikariDataSource pool(javax.sql.DataSource ds) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(ds);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(0);
    config.setPoolName("m365sync-bench-" + System.nanoTime());
    return new HikariDataSource(config);
  }

  private interface Release {
    void run() throws Exception;
  }

  private static Opened opened(SyncStateStore store, Release release) {
    return new Opened() {
      @Override
      public SyncStateStore store() {
        return store;
      }

      @Override
      public void close() throws Exception {
        release.run();
      }
    };
  }

  static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
  }
}

package io.m365sync.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** Fresh, empty databases for tests: H2 in memory, and schemas on one real PostgreSQL per test JVM. */
final class TestDatabases {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres postgres;

  private TestDatabases() {}

  /** A new private H2 in-memory database, kept until the JVM exits. */
  static DataSource h2Memory() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:m365sync-" + COUNTER.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    ds.setUser("sa");
    return ds;
  }

  /** A real PostgreSQL server (embedded binaries from Maven), started on first use and stopped at JVM exit. */
  static synchronized EmbeddedPostgres postgres() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start embedded PostgreSQL", e);
      }
      EmbeddedPostgres started = postgres;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (IOException ignored) {
          // the JVM is exiting
        }
      }));
    }
    return postgres;
  }

  /** A new, empty schema on the shared PostgreSQL server; connections use it as their current schema. */
  static DataSource postgresSchema() {
    String schema = "t" + COUNTER.incrementAndGet();
    try (Connection c = postgres().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return postgres().getPostgresDatabase(Map.of("currentSchema", schema, "reWriteBatchedInserts", "true"));
  }

  /**
   * Like {@link #postgresSchema()} behind a small connection pool, for tests that run many short
   * transactions (the embedded server's own {@code DataSource} opens a new connection every call).
   * The pool's threads are daemons; it lives until the JVM exits.
   */
  static DataSource postgresSchemaPooled() {
    return pooled(postgresSchema(), 4);
  }

  static HikariDataSource pooled(DataSource dataSource, int size) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(dataSource);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(0);
    config.setPoolName("m365sync-test-" + COUNTER.incrementAndGet());
    return new HikariDataSource(config);
  }
}

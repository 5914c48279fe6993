package io.m365sync.examples.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.m365sync.jdbc.JdbcSyncStateStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The full stack's durable state for one run: a new H2 file ({@code h2}), or a new database on an
 * embedded PostgreSQL server started once per JVM behind a HikariCP pool of 10 ({@code postgres}).
 */
final class BenchStore implements AutoCloseable {
  private static EmbeddedPostgres postgres;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final JdbcSyncStateStore store;
  private final AutoCloseable resources;

  private BenchStore(JdbcSyncStateStore store, AutoCloseable resources) {
    this.store = store;
    this.resources = resources;
  }

  static BenchStore open(String kind, Path dir) throws IOException, SQLException {
    if (kind.equals("h2")) {
      JdbcSyncStateStore h2 = JdbcSyncStateStore.h2File(dir.resolve("state"));
      return new BenchStore(h2, h2);
    }
    if (!kind.equals("postgres")) {
      throw new IllegalArgumentException("bench.store must be h2 or postgres but was '" + kind + "'");
    }
    String name = "bench_" + DATABASES.incrementAndGet();
    try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    HikariConfig config = new HikariConfig();
    config.setDataSource(server().getDatabase("postgres", name));
    config.setMaximumPoolSize(10);
    config.setPoolName(name);
    HikariDataSource pool = new HikariDataSource(config);
    return new BenchStore(JdbcSyncStateStore.create(pool), pool);
  }

  private static synchronized EmbeddedPostgres server() throws IOException {
    if (postgres == null) {
      postgres = EmbeddedPostgres.builder().start();
    }
    return postgres;
  }

  JdbcSyncStateStore store() {
    return store;
  }

  @Override
  public void close() throws Exception {
    resources.close();
  }
}

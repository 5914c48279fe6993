package io.m365sync.jdbc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Opens the embedded H2 file database; H2 is an optional dependency, so only this class names it. */
final class H2Files {
  /** H2's own threshold for compacting (its {@code autoCompactFillRate}): chunks less full than this, in percent. */
  static final int COMPACT_FILL_RATE = 90;
  /** At most this much live data rewritten per {@link Pool#compact()} (H2's background writer's own limit is ~19 MB). */
  static final int COMPACT_WRITE_BYTES = 16 << 20;
  /** H2's default pool of 10, plus the store's kept readers: a host's scheduler on the same pool keeps its room. */
  static final int POOL_CONNECTIONS = 10 + Jdbc.KEPT_READERS;

  private H2Files() {}

  /** A connection pool the store owns; closing it closes the database file. */
  interface Pool extends AutoCloseable {
    DataSource dataSource();

    /**
     * Rewrites the live pages of sparsely filled chunks into new ones and commits, so that the old
     * chunks die and H2 drops them (and their metadata on the heap) once its retention time passed.
     * With {@code WRITE_DELAY=0} H2 runs no background writer, and nothing else compacts: each commit
     * writes a chunk, and one whose pages are later rewritten but for one stays in the file and on the
     * heap for good. Safe beside running transactions (it is what H2's background writer does).
     */
    void compact();

    @Override
    void close();
  }

  static Pool open(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    String name = absolute.getFileName() == null ? "" : absolute.getFileName().toString();
    if (name.isBlank()) {
      throw new IllegalArgumentException("'file' must name a database file but was '" + file + "'");
    }
    if (name.endsWith(".mv.db")) {
      // H2 adds the suffix itself
      absolute = absolute.resolveSibling(name.substring(0, name.length() - ".mv.db".length()));
    }
    try {
      if (absolute.getParent() != null) {
        Files.createDirectories(absolute.getParent());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the directory " + absolute.getParent()
          + " for the m365sync H2 database: " + e.getMessage(), e);
    }
    // QUERY_CACHE_SIZE: the store uses a few dozen distinct statements per connection; H2 caches 8
    // by default and would parse most of them again on every call.
    // MAX_LENGTH_INPLACE_LOB: delta links and write-ahead notes stay in their row, not H2's LOB store.
    // WRITE_DELAY=0: every commit reaches the file before it returns. H2's default writes commits in
    // the background within about a second, and a process killed meanwhile lost them (measured: 290
    // commits); losing the write-ahead note or a link duplicates CRM records.
    String url = "jdbc:h2:file:" + absolute + ";QUERY_CACHE_SIZE=64;MAX_LENGTH_INPLACE_LOB=262144;WRITE_DELAY=0";
    try {
      org.h2.jdbcx.JdbcConnectionPool pool = org.h2.jdbcx.JdbcConnectionPool.create(url, "sa", "");
      pool.setMaxConnections(POOL_CONNECTIONS);
      return new H2Pool(pool);
    } catch (NoClassDefFoundError e) {
      throw new IllegalStateException("JdbcSyncStateStore.h2File needs com.h2database:h2 on the classpath;"
          + " add it to the host's dependencies", e);
    }
  }

  private static final class H2Pool implements Pool {
    private final org.h2.jdbcx.JdbcConnectionPool pool;

    H2Pool(org.h2.jdbcx.JdbcConnectionPool pool) {
      this.pool = pool;
    }

    @Override
    public DataSource dataSource() {
      return pool;
    }

    @Override
    public void compact() {
      try (Connection c = pool.getConnection()) {
        org.h2.engine.SessionLocal session = (org.h2.engine.SessionLocal) c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession();
        org.h2.mvstore.MVStore store = session.getDatabase().getStore().getMvStore();
        store.compact(COMPACT_FILL_RATE, COMPACT_WRITE_BYTES);
        store.commit();
      } catch (SQLException e) {
        throw JdbcStateException.wrap("compacting the H2 file", null, e);
      }
    }

    @Override
    public void close() {
      pool.dispose();
    }
  }
}

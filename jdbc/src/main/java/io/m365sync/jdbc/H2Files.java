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

  /** H2's switch for its shared value cache, read once, when H2 first starts in the JVM. */
  static final String VALUE_CACHE_PROPERTY = "h2.objectCache";

  private H2Files() {}

  /**
   * Turns H2's shared value cache off unless the host chose: H2 keeps one array of recently bound or read
   * values for the whole JVM and hashes every id it is given into it, so that equal values share one object.
   * A store's ids are each seen about once, so nothing is shared, and every thread writes the same array
   * and its soft reference: on 2 cores an initial sync ran ~6 % faster without it (BENCHMARKS.md). Only a
   * cache: H2 returns the same values either way. Takes effect only if H2 has not started in this JVM yet.
   */
  static void valueCacheOffUnlessSet() {
    if (System.getProperty(VALUE_CACHE_PROPERTY) == null) {
      System.setProperty(VALUE_CACHE_PROPERTY, "false");
    }
  }

  /** A connection pool the store owns; closing it closes the database file. */
  interface Pool extends AutoCloseable {
    /** For the store's {@code Jdbc}, which writes its commits to the file through {@link #groupCommit()}. */
    DataSource dataSource();

    /** For the host (its scheduler): each commit on these connections is in the file when it returns. */
    DataSource hostDataSource();

    /** Writes commits to the file, several at once; each caller returns once its commit is there. */
    GroupCommit groupCommit();

    /**
     * Rewrites the live pages of sparsely filled chunks into new ones and commits, so that the old
     * chunks die and H2 drops them (and their metadata on the heap) once its retention time passed.
     * H2's background writer, which would, never wakes here ({@link #open}), and nothing else compacts:
     * each write of the file adds a chunk, and one whose pages are later rewritten but for one stays in
     * the file and on the heap for good. Safe beside running transactions (it is what H2's background
     * writer does).
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
    valueCacheOffUnlessSet();
    // QUERY_CACHE_SIZE: the store uses a few dozen distinct statements per connection; H2 caches 8
    // by default and would parse most of them again on every call.
    // MAX_LENGTH_INPLACE_LOB: delta links and write-ahead notes stay in their row, not H2's LOB store.
    // WRITE_DELAY: H2 writes no commit to the file by itself; the group commit does, before the call
    // that made the commit returns. H2's default writes commits in the background within about a
    // second, and a process killed meanwhile lost them (measured: 290 commits); losing the write-ahead
    // note or a link duplicates CRM records. With WRITE_DELAY=0 each commit wrote a chunk of its own
    // under the store's one writer. The delay is H2's background writer's period (it wakes every
    // WRITE_DELAY / 3 ms to write and compact): at this value it never wakes (the store's upkeep compacts).
    // Its two helper threads stay: when a large transaction's unsaved pages pass H2's threshold, they
    // write them while the writer goes on (a negative delay, without them, measured 56,000-61,000
    // first-sync events/s against 63,000-65,000).
    // OPTIMIZE_REUSE_RESULTS=0: H2 keeps each prepared query's last result, its rows, to hand back if no
    // table changed since; the store's tables change every round, so it was hardly ever reused, but every
    // cached statement of every connection held its last rows: the idle benchmark's heap grew from 1.2-2.1 KB
    // to 3.3-4.4 KB per enrolled mailbox over 10 idle cycles, whatever H2's page cache size; without, flat.
    String url = "jdbc:h2:file:" + absolute + ";QUERY_CACHE_SIZE=64;MAX_LENGTH_INPLACE_LOB=262144"
        + ";OPTIMIZE_REUSE_RESULTS=0;WRITE_DELAY=" + Integer.MAX_VALUE;
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
    private final GroupCommit groupCommit = new GroupCommit(this::writeFile);
    private final DataSource hostDataSource;
    private volatile org.h2.mvstore.MVStore store;

    H2Pool(org.h2.jdbcx.JdbcConnectionPool pool) {
      this.pool = pool;
      this.hostDataSource = new FileWritingDataSource(pool, groupCommit::awaitWritten);
    }

    @Override
    public DataSource dataSource() {
      return pool;
    }

    @Override
    public DataSource hostDataSource() {
      return hostDataSource;
    }

    @Override
    public GroupCommit groupCommit() {
      return groupCommit;
    }

    @Override
    public void compact() {
      org.h2.mvstore.MVStore store = store();
      store.compact(COMPACT_FILL_RATE, COMPACT_WRITE_BYTES);
      groupCommit.awaitWritten();
    }

    /**
     * Writes every commit made so far to the file (one chunk for all of them) and returns when it is
     * there; a no-op if there is none.
     *
     * @throws RuntimeException if H2 could not write the file (it then closes the database)
     */
    private void writeFile() {
      org.h2.mvstore.MVStore store = store();
      store.commit(); // a no-op on a closed store: a normal close wrote everything, a failure is said below
      org.h2.mvstore.MVStoreException failure = store.getPanicException();
      if (failure != null) {
        throw failure;
      }
    }

    /** The open database's storage; looked up again once closed (H2 closes a database with its last connection). */
    private org.h2.mvstore.MVStore store() {
      org.h2.mvstore.MVStore store = this.store;
      if (store != null && !store.isClosed()) {
        return store;
      }
      try (Connection c = pool.getConnection()) {
        org.h2.engine.SessionLocal session = (org.h2.engine.SessionLocal) c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession();
        store = session.getDatabase().getStore().getMvStore();
        this.store = store;
        return store;
      } catch (SQLException e) {
        throw JdbcStateException.wrap("opening the H2 file", null, e);
      }
    }

    @Override
    public void close() {
      pool.dispose();
    }
  }
}

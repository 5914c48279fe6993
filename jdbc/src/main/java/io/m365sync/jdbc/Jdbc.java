package io.m365sync.jdbc;

import io.m365sync.MailboxId;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/** Transactions over the host's DataSource, and the few type bindings that differ between drivers. */
final class Jdbc {
  /** Unique-key races between "update, else insert" writers are retried this often. */
  private static final int ATTEMPTS = 3;

  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Reads at once beside the one writer, each on a kept connection of its own. */
  static final int KEPT_READERS = 4;

  private final DataSource dataSource;
  private final Lock oneAtATime;
  private final boolean keepConnection;
  /** With the embedded H2 file: the writer's commits reach the file after it is released, several at once. */
  private final GroupCommit groupCommit;
  /** The kept connection, guarded by {@link #oneAtATime}; dropped after any failure. */
  private Connection kept;
  /** With a kept connection: permits for {@link #KEPT_READERS} reads, and the reader connections not in use. */
  private final Semaphore readerPermits = new Semaphore(KEPT_READERS);
  private final ConcurrentLinkedQueue<Connection> idleReaders = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  /**
   * @param oneAtATime run this JVM's transactions one at a time: H2's MVStore slows down sharply
   *     with concurrent writers (measured: 50k links/s with one writer, 20k with eight on 2 cores;
   *     in the full stack two writers used more CPU for fewer events than one). Reads do not wait
   *     for it: a page's write holds the writer for milliseconds, and with dozens of mailboxes in
   *     flight a host's status read queued behind all of theirs
   * @param keepConnection (with {@code oneAtATime}) keep connections instead of borrowing one per
   *     transaction: H2's own pool rolls back on every borrow and return, which empties the session's
   *     statement cache, so every statement was parsed again
   * @param groupCommit (with {@code oneAtATime}) writes the commits to the file outside the writer's
   *     lock, or null where each commit is in the file when it returns
   */
  Jdbc(DataSource dataSource, boolean oneAtATime, boolean keepConnection, GroupCommit groupCommit) {
    if ((keepConnection || groupCommit != null) && !oneAtATime) {
      throw new IllegalArgumentException("a kept connection and a group commit need one transaction at a time");
    }
    this.dataSource = dataSource;
    this.oneAtATime = oneAtATime ? new ReentrantLock() : null;
    this.keepConnection = keepConnection;
    this.groupCommit = groupCommit;
  }

  /** Closes the kept connections, if any; a reader still running closes its own when it ends. */
  void close() throws SQLException {
    if (oneAtATime == null) {
      return;
    }
    closed = true;
    oneAtATime.lock();
    try {
      if (kept != null) {
        kept.close();
        kept = null;
      }
      for (Connection c; (c = idleReaders.poll()) != null; ) {
        c.close();
      }
    } finally {
      oneAtATime.unlock();
    }
  }

  /**
   * Runs {@code work} in one transaction: committed if it returns, rolled back if it throws.
   * Runtime exceptions (such as {@code FencedOutException}) pass through unchanged; SQL failures
   * become {@link JdbcStateException}. A duplicate-key race is retried on a fresh transaction.
   */
  <T> T tx(String operation, MailboxId mailbox, Work<T> work) {
    return run(operation, mailbox, work, true);
  }

  /**
   * As {@link #tx}, for work that only reads, without a transaction around it: on a connection in
   * auto-commit mode (a pool's default) each statement is its own and sees what was committed when it
   * ran, as inside a transaction at READ COMMITTED (the default of H2, PostgreSQL and Oracle), and a
   * database server gets no BEGIN and COMMIT round trips for it. A connection outside auto-commit mode
   * has its read ended as {@code tx} would. On H2 a read does not wait for the one writer.
   */
  <T> T read(String operation, MailboxId mailbox, Work<T> work) {
    return run(operation, mailbox, work, false);
  }

  private <T> T run(String operation, MailboxId mailbox, Work<T> work, boolean transaction) {
    boolean writer = transaction && oneAtATime != null;
    boolean keptReader = !transaction && keepConnection;
    for (int attempt = 1; ; attempt++) {
      if (writer) {
        oneAtATime.lock();
      } else if (keptReader) {
        readerPermits.acquireUninterruptibly();
      }
      T result;
      long ticket = 0;
      try {
        result = once(work, transaction, writer);
        if (writer && groupCommit != null) {
          ticket = groupCommit.committed();
        }
      } catch (SQLException e) {
        if (attempt < ATTEMPTS && isRetryableRace(e)) {
          continue;
        }
        throw JdbcStateException.wrap(operation, mailbox, e);
      } finally {
        if (writer) {
          oneAtATime.unlock();
        } else if (keptReader) {
          readerPermits.release();
        }
      }
      if (ticket != 0) {
        awaitWritten(operation, mailbox, ticket); // the next transaction runs meanwhile
      }
      return result;
    }
  }

  private void awaitWritten(String operation, MailboxId mailbox, long ticket) {
    try {
      groupCommit.awaitWritten(ticket);
    } catch (RuntimeException e) {
      // committed in memory but not in the file: the database closes itself and a restart will not see it
      throw new JdbcStateException(JdbcStateException.subject(operation, mailbox)
          + " committed but could not be written to the file: " + e.getMessage(), mailbox, false, e);
    }
  }

  /** {@code transaction}: out of auto-commit mode for the work, if the connection was in it. */
  private <T> T once(Work<T> work, boolean transaction, boolean writer) throws SQLException {
    Connection c = borrow(writer);
    boolean failed = true;
    try {
      boolean suspendAutoCommit = transaction && c.getAutoCommit();
      if (suspendAutoCommit) {
        c.setAutoCommit(false);
      }
      try {
        T result = work.run(c);
        if (!c.getAutoCommit()) {
          c.commit();
        }
        failed = false;
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        try {
          if (!c.getAutoCommit()) {
            c.rollback();
          }
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      } finally {
        if (suspendAutoCommit) {
          c.setAutoCommit(true);
        }
      }
    } finally {
      giveBack(c, writer, failed);
    }
  }

  /** {@code writer}: the kept writer connection, under {@link #oneAtATime}; else a kept reader's, under a permit. */
  private Connection borrow(boolean writer) throws SQLException {
    if (!keepConnection) {
      return dataSource.getConnection();
    }
    if (!writer) {
      Connection c = idleReaders.poll();
      return c != null ? c : dataSource.getConnection();
    }
    if (kept == null) {
      kept = dataSource.getConnection();
    }
    return kept;
  }

  /** A kept connection is kept only after a success: a failure may have been the connection's. */
  private void giveBack(Connection c, boolean writer, boolean failed) throws SQLException {
    if (!keepConnection) {
      c.close();
    } else if (writer) {
      if (failed) {
        kept = null;
        c.close();
      }
    } else if (failed || closed) {
      c.close();
    } else {
      idleReaders.offer(c);
      if (closed && idleReaders.remove(c)) {
        c.close();
      }
    }
  }

  private static boolean isRetryableRace(SQLException e) {
    String state = e.getSQLState();
    // 23xxx integrity constraint violation (two writers inserted the same key), 40001 serialization failure
    return state != null && (state.startsWith("23") || state.equals("40001") || state.equals("40P01"));
  }

  static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
    }
  }

  /**
   * @throws DateTimeException for PostgreSQL's {@code infinity} and {@code -infinity}, which its driver
   *     reads as {@code OffsetDateTime.MAX} and {@code MIN}: this library never writes them
   */
  static Instant getInstant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    if (OffsetDateTime.MAX.equals(value) || OffsetDateTime.MIN.equals(value)) {
      throw new DateTimeException("column " + column + " holds an infinite timestamp");
    }
    return value == null ? null : value.toInstant();
  }

  /** Large text (delta links exceed 4,000 bytes): a stream binds CLOB and TEXT alike. */
  static void setLongText(PreparedStatement ps, int index, String value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setCharacterStream(index, new StringReader(value), value.length());
    }
  }

  static void setBlob(PreparedStatement ps, int index, byte[] value) throws SQLException {
    ps.setBinaryStream(index, new ByteArrayInputStream(value), value.length);
  }

  static void setLongOrNull(PreparedStatement ps, int index, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }

  static Long getLongOrNull(ResultSet rs, String column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }

  static <E extends Enum<E>> E getEnum(ResultSet rs, String column, Class<E> type) throws SQLException {
    String value = rs.getString(column);
    return value == null ? null : enumValue(type, value, column);
  }

  /** The constant named {@code name}; a name this version does not know (a newer one wrote it) is refused. */
  static <E extends Enum<E>> E enumValue(Class<E> type, String name, String column) {
    try {
      return Enum.valueOf(type, name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown " + type.getSimpleName() + " '" + name + "' in column " + column, e);
    }
  }

  static String name(Enum<?> value) {
    return value == null ? null : value.name();
  }
}

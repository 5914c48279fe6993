package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On H2 the store writes one transaction at a time; its reads run beside that writer. A host's status
 * read (or a round's cursor read) must not queue behind the batches of dozens of mailboxes in flight.
 * Both ways the store meets H2: its own file with kept connections, and a host's DataSource.
 */
class ReadsBesideTheWriterTest {
  @TempDir
  Path dir;

  private H2Files.Pool pool;
  private ExecutorService threads;

  @BeforeEach
  void openDatabase() throws SQLException {
    pool = H2Files.open(dir.resolve("state"));
    try (Connection c = pool.dataSource().getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INT PRIMARY KEY)");
    }
    threads = Executors.newCachedThreadPool();
  }

  @AfterEach
  void closeDatabase() {
    threads.shutdownNow();
    pool.close();
  }

  @ParameterizedTest(name = "kept connections: {0}")
  @ValueSource(booleans = {true, false})
  void aReadRunsWhileAWriteTransactionIsOpenAndSeesOnlyWhatWasCommitted(boolean keep) throws Exception {
    Jdbc jdbc = new Jdbc(pool.dataSource(), true, keep, null);
    CountDownLatch inserted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> write = CompletableFuture.runAsync(() -> jdbc.tx("write", null, c -> {
      try (Statement st = c.createStatement()) {
        st.executeUpdate("INSERT INTO t VALUES (1)");
      }
      inserted.countDown();
      await(release);
      return null;
    }), threads);
    assertThat(inserted.await(30, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> count(jdbc), threads);

    // the writer still holds its transaction open: a read that waited for it would never get here
    assertThat(read.get(30, TimeUnit.SECONDS)).isZero();
    assertThat(write).isNotDone();
    release.countDown();
    write.get(30, TimeUnit.SECONDS);
    assertThat(count(jdbc)).isEqualTo(1);
    jdbc.close();
  }

  @ParameterizedTest(name = "kept connections: {0}")
  @ValueSource(booleans = {true, false})
  void writeTransactionsStillRunOneAtATime(boolean keep) throws Exception {
    Jdbc jdbc = new Jdbc(pool.dataSource(), true, keep, null);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      int id = i;
      writes.add(CompletableFuture.runAsync(() -> jdbc.tx("write", null, c -> {
        mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
        try (Statement st = c.createStatement()) {
          st.executeUpdate("INSERT INTO t VALUES (" + id + ")");
        }
        inside.decrementAndGet();
        return null;
      }), threads));
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    assertThat(mostInside).hasValue(1);
    assertThat(count(jdbc)).isEqualTo(8);
    jdbc.close();
  }

  @Test
  void keptReadersAreBoundedLeaveAHostItsRoomInThePoolAndCloseWithTheStore() throws Exception {
    Jdbc jdbc = new Jdbc(pool.dataSource(), true, true, null);
    JdbcConnectionPool h2 = (JdbcConnectionPool) pool.dataSource();
    h2.setLoginTimeout(5); // a borrow from an exhausted pool fails after this many seconds instead of 30
    jdbc.tx("write", null, c -> { // the writer's connection, kept
      try (Statement st = c.createStatement()) {
        return st.executeUpdate("INSERT INTO t VALUES (1)");
      }
    });
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger reading = new AtomicInteger();
    AtomicInteger mostReading = new AtomicInteger();
    List<CompletableFuture<Integer>> reads = new ArrayList<>();
    for (int i = 0; i < 3 * Jdbc.KEPT_READERS; i++) {
      reads.add(CompletableFuture.supplyAsync(() -> jdbc.read("read", null, c -> {
        mostReading.accumulateAndGet(reading.incrementAndGet(), Math::max);
        await(release);
        reading.decrementAndGet();
        return 0;
      }), threads));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (reading.get() < Jdbc.KEPT_READERS && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    // a host's scheduler sharing the pool still gets the 9 connections H2's default pool of 10 left it beside the writer
    List<Connection> hosts = new ArrayList<>();
    try {
      for (int i = 0; i < 9; i++) {
        hosts.add(pool.dataSource().getConnection());
      }
    } finally {
      release.countDown();
      for (Connection c : hosts) {
        c.close();
      }
    }
    CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    assertThat(hosts).hasSize(9);
    assertThat(mostReading).hasValue(Jdbc.KEPT_READERS);
    assertThat(h2.getActiveConnections()).isEqualTo(1 + Jdbc.KEPT_READERS);
    jdbc.close();
    assertThat(h2.getActiveConnections()).isZero();
  }

  private static int count(Jdbc jdbc) {
    return jdbc.read("count", null, c -> {
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM t")) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the latch");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

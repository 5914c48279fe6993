package io.m365sync.jdbc;

import io.m365sync.AuthMode;
import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Resource;
import io.m365sync.schedule.SyncTarget;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.RunRecord;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import javax.sql.DataSource;

/**
 * Figures for {@code BENCHMARKS.md} ("Durable state (jdbc)"); a runner, not a test:
 *
 * <pre>
 * mvn -q -B install -DskipTests -pl core,testkit,graph-adapter
 * mvn -q -B -pl jdbc test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.m365sync.jdbc.DurableStateBenchmark [-Dexec.args="100000"]
 * </pre>
 *
 * <ol>
 *   <li>Registers N (default 100,000) enrolled mailboxes on PostgreSQL: enrollments in the state
 *       store (4 threads) and one db-scheduler task each ({@code enrolledAll}).
 *   <li>Scheduling overhead per mailbox-run: a node with a no-op {@link SyncTarget} runs mailboxes
 *       that are all due; runs per second and milliseconds per run, on PostgreSQL (lock-and-fetch and
 *       fetch) over the N tasks, and on an H2 file (fetch) over 20,000.
 *   <li>State-store operations per second on an H2 file and on PostgreSQL: each operation alone on
 *       one thread, and a mailbox round's state work (claim fence, read cursor, 5 × look up + link,
 *       commit cursor, status, run record) on 4 threads.
 * </ol>
 * PostgreSQL is the embedded 17.x server of the tests, on the same machine, behind a HikariCP pool.
 */
public final class DurableStateBenchmark {
  private static final StringBuilder report = new StringBuilder();

  private DurableStateBenchmark() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    line("machine: %d vCPU, %s, %s %s; load average at start %.1f", Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name"), System.getProperty("java.vm.name"), System.getProperty("java.version"),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

    // 1 + 2 on PostgreSQL
    DataSource pg = TestDatabases.pooled(TestDatabases.postgresSchema(), 10);
    JdbcSyncStateStore pgStore = JdbcSyncStateStore.create(pg);
    List<MailboxId> mailboxes = ScaleRegistrationTest.mailboxes(n);
    long t0 = System.nanoTime();
    parallel(4, n, i -> pgStore.putEnrollment(new Mailbox(mailboxes.get(i), "user" + i + "@contoso.com", "crm-" + i,
        Instant.now(), EnumSet.of(Resource.EVENTS, Resource.CONTACTS))));
    double enrollSeconds = seconds(t0);
    DbSchedulerSyncScheduler registrar = scheduler(pg, "registrar", true, 8);
    t0 = System.nanoTime();
    int added = registrar.enrolledAll(mailboxes);
    double scheduleSeconds = seconds(t0);
    registrar.close();
    line("");
    line("| registration on PostgreSQL | mailboxes | seconds | per second |");
    line("|---|---:|---:|---:|");
    line("| enrollments (`putEnrollment`, 4 threads) | %,d | %.1f | %,.0f |", n, enrollSeconds, n / enrollSeconds);
    line("| scheduler tasks (`enrolledAll`, batches of 1,000) | %,d | %.1f | %,.0f |", added, scheduleSeconds,
        added / scheduleSeconds);
    line("| tasks in `%s` afterwards | %,d | | |", DbSchedulerSyncScheduler.TABLE_NAME, ScaleRegistrationTest.tasks(pg));

    line("");
    line("| scheduling overhead, no-op target, 8 threads | tasks due | runs measured | runs/s | ms per run (wall) | JVM CPU ms per run |");
    line("|---|---:|---:|---:|---:|---:|");
    schedulingOverhead("PostgreSQL, lock-and-fetch", pg, true, n, Math.min(n, 20_000));
    // the same tasks again, now polled with optimistic fetch (the first pass rescheduled them an hour out)
    reschedule(pg);
    schedulingOverhead("PostgreSQL, fetch", pg, false, n, Math.min(n, 20_000));
    Path dir = Files.createTempDirectory("m365sync-bench");
    try (JdbcSyncStateStore h2 = JdbcSyncStateStore.h2File(dir.resolve("bench"))) {
      int h2Tasks = Math.min(n, 20_000);
      DbSchedulerSyncScheduler r = scheduler(h2.dataSource(), "registrar", false, 8);
      r.enrolledAll(mailboxes.subList(0, h2Tasks));
      r.close();
      schedulingOverhead("H2 file, fetch", h2.dataSource(), false, h2Tasks, Math.min(h2Tasks, 10_000));

      line("");
      line("| state store, operations per second | H2 file | PostgreSQL |");
      line("|---|---:|---:|");
      List<String[]> h2Ops = storeOps(h2);
      List<String[]> pgOps = storeOps(JdbcSyncStateStore.create(TestDatabases.pooled(TestDatabases.postgresSchema(), 10)));
      for (int i = 0; i < h2Ops.size(); i++) {
        line("| %s | %s | %s |", h2Ops.get(i)[0], h2Ops.get(i)[1], pgOps.get(i)[1]);
      }
    }
    line("");
    line("load average at end %.1f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    // exec:java runs in the reactor root; surefire-style runs in the module
    Path out = (Files.isDirectory(Path.of("jdbc", "target")) ? Path.of("jdbc", "target") : Path.of("target"))
        .resolve("benchmark-durable-state.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println("written to " + out.toAbsolutePath());
    System.exit(0);
  }

  private static DbSchedulerSyncScheduler scheduler(DataSource ds, String node, boolean lockAndFetch, int threads) {
    return DbSchedulerSyncScheduler.builder(ds)
        .interval(Duration.ofHours(1))
        .jitter(Duration.ofSeconds(1))
        .pollingInterval(Duration.ofMillis(100))
        .heartbeat(Duration.ofSeconds(5))
        .threads(threads)
        .lockAndFetch(lockAndFetch)
        .shutdownMaxWait(Duration.ofSeconds(5))
        .nodeName(node)
        .build();
  }

  private static void reschedule(DataSource ds) throws Exception {
    try (var c = ds.getConnection(); var ps = c.prepareStatement("UPDATE " + DbSchedulerSyncScheduler.TABLE_NAME
        + " SET execution_time = ? WHERE task_name = ?")) {
      ps.setObject(1, java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC));
      ps.setString(2, DbSchedulerSyncScheduler.TASK_NAME);
      ps.executeUpdate();
    }
  }

  /** Starts a node over {@code due} due tasks and times {@code runs} no-op runs after a warm-up of 10 %. */
  private static void schedulingOverhead(String label, DataSource ds, boolean lockAndFetch, int due, int runs)
      throws Exception {
    AtomicInteger done = new AtomicInteger();
    SyncTarget noOp = new SyncTarget() {
      @Override
      public CycleReport runCycle() {
        throw new UnsupportedOperationException();
      }

      @Override
      public MailboxSyncReport syncIfDue(MailboxId mailbox) {
        done.incrementAndGet();
        return new MailboxSyncReport(mailbox, MailboxState.pending(mailbox, Instant.EPOCH), List.of(), true, Duration.ZERO);
      }
    };
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    DbSchedulerSyncScheduler node = scheduler(ds, "bench-node", lockAndFetch, 8);
    node.start(noOp);
    int warmUp = runs / 10;
    while (done.get() < warmUp) {
      Thread.sleep(5);
    }
    int from = done.get();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    long deadline = t0 + Duration.ofSeconds(120).toNanos();
    while (done.get() - from < runs - warmUp && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    double secs = seconds(t0);
    long cpu = os.getProcessCpuTime() - cpu0;
    int measured = done.get() - from;
    node.close();
    line("| %s | %,d | %,d | %,.0f | %.2f | %.2f |", label, due, measured, measured / secs, secs * 1000 / measured,
        cpu / 1e6 / measured);
  }

  /** Each operation alone (one thread), then a round's state work on 4 threads; "rate" column as text. */
  private static List<String[]> storeOps(JdbcSyncStateStore store) throws Exception {
    int mailboxes = 200;
    int ops = 3_000;
    List<MailboxId> ids = new ArrayList<>();
    for (int i = 0; i < mailboxes; i++) {
      MailboxId id = MailboxId.of("bench", String.format("oid-%04d", i));
      ids.add(id);
      store.putEnrollment(new Mailbox(id, "u" + i + "@contoso.com", "crm-" + i, Instant.now(), EnumSet.of(Resource.EVENTS)));
    }
    long[] fences = new long[mailboxes];
    for (int i = 0; i < mailboxes; i++) {
      fences[i] = store.claimFence(ids.get(i));
    }
    String deltaLink = "https://graph.microsoft.com/v1.0/users/x/calendarView/delta?$deltatoken=" + "x".repeat(2_000);
    List<String[]> rows = new ArrayList<>();
    rows.add(rate("`claimFence`", ops, 1, i -> fences[i % mailboxes] = store.claimFence(ids.get(i % mailboxes))));
    rows.add(rate("`putCursor` (fenced, 2 KB delta link)", ops, 1, i -> store.putCursor(
        new CursorKey(ids.get(i % mailboxes), Resource.EVENTS, ""), deltaLink + i, fences[i % mailboxes])));
    rows.add(rate("`cursor` (read)", ops, 1, i -> store.cursor(new CursorKey(ids.get(i % mailboxes), Resource.EVENTS, ""))));
    rows.add(rate("`putLink` (fenced)", ops, 1, i -> store.putLink(new IdLink(ids.get(i % mailboxes), Resource.EVENTS,
        "crm-" + i, "remote-" + i, "ck-" + i, i), fences[i % mailboxes])));
    rows.add(rate("`linkByRemoteId`", ops, 1, i -> store.linkByRemoteId(ids.get(i % mailboxes), Resource.EVENTS, "remote-" + i)));
    rows.add(rate("`putStatus`", ops, 1, i -> store.putStatus(MailboxState.pending(ids.get(i % mailboxes), Instant.now())
        .withStatus(MailboxStatus.ACTIVE, AuthMode.APPLICATION, "OK", "synced", Instant.now(), null))));
    rows.add(rate("`recordRun` (with retention)", ops, 1, i -> store.recordRun(new RunRecord(ids.get(i % mailboxes),
        Instant.now(), Instant.now(), AuthMode.APPLICATION, MailboxStatus.ACTIVE, 3, null))));
    int rounds = 1_000;
    String[] round = rate("a round's state work, 4 threads (14 operations: fence, cursor, 5 × look up + link, cursor,"
        + " status, run) — rounds/s", rounds, 4, i -> {
          MailboxId id = ids.get(i % mailboxes);
          long fence = store.claimFence(id);
          CursorKey key = new CursorKey(id, Resource.CONTACTS, "");
          store.cursor(key);
          for (int k = 0; k < 5; k++) {
            String remote = "r-" + i + "-" + k;
            store.linkByRemoteId(id, Resource.CONTACTS, remote);
            store.putLink(new IdLink(id, Resource.CONTACTS, "c-" + i + "-" + k, remote, "ck", k), fence);
          }
          store.putCursor(key, deltaLink + i, fence);
          store.putStatus(MailboxState.pending(id, Instant.now()).withStatus(MailboxStatus.ACTIVE, AuthMode.APPLICATION,
              "OK", "synced", Instant.now(), null));
          store.recordRun(new RunRecord(id, Instant.now(), Instant.now(), AuthMode.APPLICATION, MailboxStatus.ACTIVE, 5, null));
        });
    rows.add(round);
    return rows;
  }

  private static String[] rate(String label, int ops, int threads, IntConsumer op) throws Exception {
    int warm = Math.max(1, ops / 10);
    parallel(threads, warm, i -> op.accept(ops + i)); // warm-up on other keys
    long t0 = System.nanoTime();
    parallel(threads, ops, op);
    double secs = seconds(t0);
    return new String[] {label, String.format(Locale.ROOT, "%,.0f", ops / secs)};
  }

  private static void parallel(int threads, int count, IntConsumer op) throws Exception {
    if (threads == 1) {
      for (int i = 0; i < count; i++) {
        op.accept(i);
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      AtomicInteger next = new AtomicInteger();
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
            op.accept(i);
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void line(String format, Object... args) {
    String s = String.format(Locale.ROOT, format, args);
    System.out.println(s);
    report.append(s).append('\n');
  }
}

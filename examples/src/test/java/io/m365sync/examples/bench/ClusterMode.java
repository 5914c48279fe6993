package io.m365sync.examples.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.m365sync.Resource;
import io.m365sync.SyncOptions;
import io.m365sync.examples.bench.SyncBenchmark.Phase;
import io.m365sync.jdbc.DbSchedulerSyncScheduler;
import io.m365sync.jdbc.JdbcSyncStateStore;
import io.m365sync.model.CalendarEvent;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.emulator.Latency;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.GraphLimits;
import io.m365sync.testkit.model.ModelUser;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Mode {@code cluster}: the latency of mode (b) and Graph's Outlook limits, with the production
 * stack as a CRM cluster runs it — {@code SyncEngine} in application mode, MSAL, the Graph SDK
 * gateway, {@code JdbcSyncStateStore} and {@code DbSchedulerSyncScheduler} on one embedded
 * PostgreSQL, each at the library's defaults. First one node alone syncs every mailbox once; then,
 * on a fresh schema and a fresh CRM, two nodes do. Each node has its own connection pool, state
 * store, scheduler, engine, MSAL app, Graph client and executor, as a second JVM would; both run in
 * this JVM (with the emulator), sharing its cores, and share one thread-safe CRM, as the nodes of a
 * real deployment share the CRM. A round runs from its fence claim to {@code mailboxSynced}
 * ({@link ClusterRounds}); two rounds of one mailbox at once, on any nodes, are an overlap.
 */
final class ClusterMode {
  private ClusterMode() {}

  /** One cluster's run over every mailbox, with what the witness, the limiter and the CRM saw. */
  record Run(int nodes, Phase phase, Map<String, Integer> roundsPerNode, Map<String, Integer> peakRoundsPerNode,
             Throttling throttling, List<String> overlaps, int openRounds, long duplicates, double emulatorCores,
             double databaseCores, double loadStart, double loadEnd) {
    Run {
      roundsPerNode = Map.copyOf(roundsPerNode);
      peakRoundsPerNode = Map.copyOf(peakRoundsPerNode);
      overlaps = List.copyOf(overlaps);
    }
  }

  /** The runner's first-round spread: short, so the nodes' capacity, not the spread, sets the time. */
  static final int JITTER_MS = 1000;

  record Result(int mailboxes, int eventsPerMailbox, String latency, String store, String scheduler,
                int emulatorThreads, int warmups, Run one, Run two) {
    double ratio() {
      return two.phase().eventsPerSecond() / one.phase().eventsPerSecond();
    }
  }

  /**
   * Arguments: mailboxes (2000), events (200), medianMs (150), p99Ms (1000), emulatorThreads (8),
   * timeoutMinutes (30), statements (0: with N, PostgreSQL's top N statements by time per run, from
   * {@code pg_stat_statements}); jitterMs ({@value #JITTER_MS}: the first rounds all due at once, where the
   * scheduler's default spreads them over a minute); the scheduler's other settings keep their defaults
   * unless given: threads, pollingMs, lockAndFetch; warmups (1): runs of one node and of two before the
   * counted ones, not counted, so that neither counted run pays the JIT's compiling (in a one-minute run
   * its threads used about as much CPU as the rounds, and the first run alone would pay it).
   */
  static Result run(BenchArgs args) throws Exception {
    int mailboxes = args.integer("mailboxes", 2000);
    int events = args.integer("events", 200);
    int emulatorThreads = args.integer("emulatorThreads", 8);
    Duration timeout = Duration.ofMinutes(args.integer("timeoutMinutes", 30));
    Latency latency = Latency.longTail(Duration.ofMillis(args.integer("medianMs", 150)),
        Duration.ofMillis(args.integer("p99Ms", 1000)));
    System.setProperty("sun.net.httpserver.nodelay", "true");
    Clock clock = Clock.systemUTC(); // db-scheduler, Retry-After and the limits' window in real time
    BenchWorld world = new BenchWorld(clock);
    world.tenant.graphLimits(GraphLimits.OUTLOOK);
    List<ModelUser> users = world.addMailboxes("user", mailboxes, events);
    int statements = args.integer("statements", 0);
    // each node pools 16 connections unless told (goal 5's figures were measured so)
    BenchStores postgres = new BenchStores(BenchStores.Kind.POSTGRES, args.integer("pool", 16));
    try (BenchStores stores = statements > 0 ? postgres.withStatementStatistics() : postgres;
         M365Emulator emulator = new M365Emulator(world.cloud).threads(emulatorThreads).maxRecordedRequests(0).start()) {
      emulator.graphLatency(latency).tokenLatency(latency);
      Cluster cluster = new Cluster(emulator, world, stores, users, (long) mailboxes * events, args, timeout, statements);
      int warmups = args.integer("warmups", 1);
      for (int i = 1; i <= warmups; i++) {
        System.out.printf("warm-up %d of %d, not counted:%n", i, warmups);
        print(cluster.run(1));
        print(cluster.run(2));
      }
      Run one = print(cluster.run(1));
      Run two = print(cluster.run(2));
      return new Result(mailboxes, events, latency.toString(), stores.describe(), scheduler(args), emulatorThreads,
          warmups, one, two);
    }
  }

  /** What the report says about the scheduler: each setting given, or "defaults". */
  private static String scheduler(BenchArgs args) {
    List<String> set = new ArrayList<>(List.of("jitterMs=" + args.integer("jitterMs", JITTER_MS)));
    for (String key : List.of("threads", "pollingMs", "lockAndFetch")) {
      if (args.values().containsKey(key)) {
        set.add(key + "=" + args.text(key, ""));
      }
    }
    return "DbSchedulerSyncScheduler at its defaults except " + String.join(", ", set);
  }

  /** Runs {@code n} nodes over a fresh schema and a fresh CRM until every event reached the CRM. */
  private record Cluster(M365Emulator emulator, BenchWorld world, BenchStores stores, List<ModelUser> users, long total,
                         BenchArgs args, Duration timeout, int statements) {
    Run run(int n) throws Exception {
      Throttling.reset(world.tenant);
      DataSource schema = stores.newSchema();
      InMemoryCrmStore<CalendarEvent> crm = FullStackPath.eventsTable();
      ClusterRounds rounds = new ClusterRounds();
      List<Node> nodes = new ArrayList<>();
      try {
        for (int i = 0; i < n; i++) {
          nodes.add(node("node-" + (char) ('a' + i), schema, crm, rounds));
        }
        nodes.get(0).path().enroll(users, world.clock); // the enrollments and their tasks, in the shared database
        if (statements > 0) {
          stores.resetStatements();
        }
        double loadStart = loadAverage();
        long emulatorCpu0 = emulatorCpuNanos();
        Duration databaseCpu0 = stores.serverCpu();
        Phase p = SyncBenchmark.measure(n + (n == 1 ? " node" : " nodes"), () -> {
          nodes.forEach(node -> node.path().engine.start());
          awaitSaves(crm, total, timeout);
          return total;
        });
        double emulatorCores = (emulatorCpuNanos() - emulatorCpu0) / (double) p.took().toNanos();
        double databaseCores = stores.serverCpu().minus(databaseCpu0).toNanos() / (double) p.took().toNanos();
        double loadEnd = loadAverage();
        if (statements > 0) {
          System.out.printf("%d node(s): PostgreSQL's top %d statements by total execution time during the run%n%s", n,
              statements, stores.topStatements(statements));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (rounds.open() > 0 && System.nanoTime() < deadline) {
          Thread.sleep(20); // the last rounds write their state after their last CRM save
        }
        long duplicates = users.stream().mapToLong(u -> crm.duplicates(nodes.get(0).path().id(u))).sum();
        return new Run(n, p, rounds.perNode(), rounds.peakConcurrentPerNode(), Throttling.of(world.tenant),
            rounds.overlaps(), rounds.open(), duplicates, emulatorCores, databaseCores, loadStart, loadEnd);
      } finally {
        for (Node node : nodes) {
          node.close();
        }
      }
    }

    /** One node: its own pool, state store, scheduler, engine and executor; the database and the CRM are shared. */
    private Node node(String name, DataSource schema, InMemoryCrmStore<CalendarEvent> crm, ClusterRounds rounds) {
      HikariDataSource pool = stores.pool(schema);
      DbSchedulerSyncScheduler.Builder scheduler = DbSchedulerSyncScheduler.builder(pool).nodeName(name);
      if (args.values().containsKey("threads")) {
        scheduler.threads(args.integer("threads", 0));
      }
      if (args.values().containsKey("pollingMs")) {
        scheduler.pollingInterval(Duration.ofMillis(args.integer("pollingMs", 0)));
      }
      // every mailbox due at once unless told: with the scheduler's own minute of spread a node is
      // never saturated and both runs just last the minute, which says nothing about a second node
      scheduler.jitter(Duration.ofMillis(args.integer("jitterMs", JITTER_MS)));
      if (args.values().containsKey("lockAndFetch")) {
        scheduler.lockAndFetch(Boolean.parseBoolean(args.text("lockAndFetch", "false")));
      }
      DbSchedulerSyncScheduler built = scheduler.build();
      FullStackPath path = new FullStackPath(emulator, world.tenant, world.clock,
          rounds.store(JdbcSyncStateStore.create(pool), name), SyncOptions.defaults(), Set.of(Resource.EVENTS), crm,
          b -> b.scheduler(built).listener(rounds.listener(name)));
      return new Node(pool, path);
    }
  }

  private record Node(HikariDataSource pool, FullStackPath path) implements AutoCloseable {
    @Override
    public void close() {
      path.engine.close(); // stops the scheduler; rounds in flight finish
      path.close();
      pool.close();
    }
  }

  private static void awaitSaves(InMemoryCrmStore<CalendarEvent> crm, long total, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (crm.saves() < total) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the CRM got " + crm.saves() + " of " + total + " events in " + timeout);
      }
      Thread.sleep(20); // the harness watches the CRM; the nodes' schedulers do the work
    }
  }

  /** CPU time of the emulator's handler and timer threads: whether it, not the nodes, bounds the run. */
  private static long emulatorCpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("m365-emulator-")) {
        sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return sum;
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static Run print(Run r) {
    Throttling t = r.throttling();
    System.out.printf("%s: %,.0f events/s in %.1f s (this JVM %.2f cores busy, of which the emulator's threads %.2f;"
        + " PostgreSQL %.2f cores); rounds per node %s,"
        + " most at once per node %s; %d Graph + %d token requests, %d x 429, %d mailboxes throttled twice in a row;"
        + " %d overlapping rounds, %d rounds left open, %d CRM duplicates; load average %.1f -> %.1f%n",
        r.phase().name(), r.phase().eventsPerSecond(), r.phase().took().toNanos() / 1e9, r.phase().coresBusy(),
        r.emulatorCores(), r.databaseCores(), r.roundsPerNode(), r.peakRoundsPerNode(), t.graphRequests(), t.tokenRequests(),
        t.throttled(), t.mailboxesThrottledTwiceInARow(), r.overlaps().size(), r.openRounds(), r.duplicates(), r.loadStart(), r.loadEnd());
    r.overlaps().stream().limit(5).forEach(o -> System.out.println("  overlap: " + o));
    return r;
  }

  static String report(Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("cluster: %s on Graph and the token endpoint, Graph's Outlook limits; %,d mailboxes x %d events;"
        + " each node SyncEngine at SyncOptions.defaults() (application mode, MSAL, Graph SDK gateway, own cached executor),"
        + " JdbcSyncStateStore and %s on %s, one shared in-memory CRM; all nodes and the emulator (%d handler threads)"
        + " in one JVM; counted after %d warm-up run(s) of each%n", r.latency(), r.mailboxes(), r.eventsPerMailbox(),
        r.scheduler(), r.store(), r.emulatorThreads(), r.warmups()));
    sb.append("| nodes | events/s | time | cores busy: JVM (of which emulator) / PostgreSQL | rounds per node | most rounds at once per node"
        + " | Graph / token requests | 429s | throttled twice in a row | overlapping rounds | CRM duplicates | load average |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Run run : List.of(r.one(), r.two())) {
      Throttling t = run.throttling();
      sb.append(String.format("| %d | %,.0f | %.1f s | %.2f (%.2f) / %.2f | %s | %s | %,d / %,d | %,d | %,d | %d | %d | %.1f -> %.1f |%n",
          run.nodes(), run.phase().eventsPerSecond(), run.phase().took().toNanos() / 1e9, run.phase().coresBusy(),
          run.emulatorCores(), run.databaseCores(), run.roundsPerNode(), run.peakRoundsPerNode(), t.graphRequests(), t.tokenRequests(),
          t.throttled(), t.mailboxesThrottledTwiceInARow(), run.overlaps().size(), run.duplicates(), run.loadStart(),
          run.loadEnd()));
    }
    sb.append(String.format("two nodes / one node: %.2fx (goal >= 1.8x); overlapping rounds: %d (goal 0)%n", r.ratio(),
        r.one().overlaps().size() + r.two().overlaps().size()));
    return sb.toString();
  }
}

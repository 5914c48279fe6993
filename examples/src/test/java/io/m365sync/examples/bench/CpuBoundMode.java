package io.m365sync.examples.bench;

import io.m365sync.CycleReport;
import io.m365sync.Resource;
import io.m365sync.SyncOptions;
import io.m365sync.examples.bench.SyncBenchmark.Phase;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Mode (a), CPU-bound: loopback, no latency, no per-mailbox limits (runs repeat on a clock that does
 * not move), the JVM's collector as launched. Each path — the naive loop, the full stack at the
 * library's defaults on the chosen state store, the floor — runs until its rate settles; the report
 * gives the warm-up each needed and the median of its last three runs, then one idle cycle.
 */
final class CpuBoundMode {
  /** A run is warm when the JIT took at most this share of the CPU the process used in it. */
  static final double WARM_JIT_SHARE = 0.10;
  /**
   * Runs a path may take to settle. On 2 cores the full stack's JIT kept a core busy for 31–52 runs of
   * 100,000 events (2026-12-05): at 30 the counted runs were often not yet warm.
   */
  static final int MAX_RUNS = 60;
  /**
   * Pairs of a full-stack and a floor run taken in turns once both settled: goal 1's ratio. The two
   * paths' settled medians are minutes apart, and on the shared machine a minute moved either rate by a
   * quarter (2026-12-05: the floor settled at 58,000–77,000 events/s in four JVMs).
   */
  static final int PAIRS = 10;
  private CpuBoundMode() {}

  /** What the mode measured. */
  record Result(int mailboxes, int eventsPerMailbox, String store, double jitShare, Settling.Settled<Phase> naive,
                Settling.Settled<Phase> fullStack, Settling.Settled<Phase> floor, Settling.InTurns inTurns,
                IdleCycle idle, long duplicates) {
    /** Goal 1's ratio: the median of the pairs run in turns, or the settled medians' without pairs. */
    double fullVsFloor() {
      return inTurns != null ? inTurns.median() : settledFullVsFloor();
    }

    double settledFullVsFloor() {
      return fullStack.counted().eventsPerSecond() / floor.counted().eventsPerSecond();
    }

    double fullVsNaive() {
      return naive == null ? Double.NaN : fullStack.counted().eventsPerSecond() / naive.counted().eventsPerSecond();
    }
  }

  /**
   * Arguments: mailboxes (200), events (500), store (h2 | postgres | memory), maxRuns ({@link #MAX_RUNS}),
   * tolerance (0.05), jitShare (0.10: a run is warm when the JIT took at most this share of its CPU), naive
   * (true: false leaves the naive loop out, for profiling the full stack against the floor), statements (0: on
   * PostgreSQL, print this many of the costliest statements of the full-stack runs), monitorEveryMs (0: off;
   * else a host's status page read every this many ms during each full-stack run, its latency printed),
   * mailboxesInFlight (the default's {@code maxConcurrentMailboxes}; another value is a diagnostic, not goal 1),
   * pairs ({@link #PAIRS}; 0: none, goal 1 then read from the settled medians).
   */
  static Result run(BenchArgs args) throws Exception {
    int mailboxes = args.integer("mailboxes", 200);
    int events = args.integer("events", 500);
    int maxRuns = args.integer("maxRuns", MAX_RUNS);
    double tolerance = args.decimal("tolerance", 0.05);
    double jitShare = args.decimal("jitShare", WARM_JIT_SHARE);
    System.setProperty("sun.net.httpserver.nodelay", "true");
    MutableClock clock = MutableClock.startingNow();
    BenchWorld world = new BenchWorld(clock);
    world.tenant.throttling(100, 100_000_000, Duration.ofMinutes(10));
    List<ModelUser> users = world.addMailboxes("user", mailboxes, events);
    long total = (long) mailboxes * events;
    int statements = args.integer("statements", 0);
    int monitorEveryMs = args.integer("monitorEveryMs", 0);
    SyncOptions options = SyncOptions.defaults()
        .withMaxConcurrentMailboxes(args.integer("mailboxesInFlight", SyncOptions.defaults().maxConcurrentMailboxes()));
    BenchStores chosen = BenchStores.from(args, BenchStores.Kind.H2);
    try (BenchStores stores = statements > 0 ? chosen.withStatementStatistics() : chosen;
         M365Emulator emulator = new M365Emulator(world.cloud).threads(4).maxRecordedRequests(0).start()) {
      String store = stores.describe();
      Settling.Settled<Phase> naive = !Boolean.parseBoolean(args.text("naive", "true")) ? null
          : settle(maxRuns, tolerance, jitShare, () -> SyncBenchmark.measure("naive loop",
              () -> SyncBenchmark.naive(emulator, world.tenant, users, world.from, world.to)));
      IdleCycle[] idle = new IdleCycle[1];
      long[] duplicates = new long[1];
      Settling.Run<Phase> fullRun = () -> {
        try (BenchStores.Opened opened = stores.open();
             FullStackPath path = new FullStackPath(emulator, world.tenant, clock, opened.store(), options,
                 Set.of(Resource.EVENTS))) {
          path.enroll(users, clock);
          Duration server0 = stores.kind() == BenchStores.Kind.POSTGRES ? stores.serverCpu() : Duration.ZERO;
          MonitorProbe probe = monitorEveryMs <= 0 ? null
              : new MonitorProbe(path.engine.monitor(), path.id(users.get(users.size() / 2)), monitorEveryMs);
          Phase p;
          try {
            p = SyncBenchmark.measure("full stack", () -> {
              CycleReport initial = path.engine.runCycle();
              if (initial.applied() != total) {
                throw new IllegalStateException("full stack applied " + initial.applied() + " of " + total + " events");
              }
              return initial.applied();
            });
          } finally {
            if (probe != null) {
              System.out.printf("  during the run: %s%n", probe.summary());
            }
          }
          if (stores.kind() == BenchStores.Kind.POSTGRES) {
            // the server's processes are not in the JVM's CPU time: printed beside it
            double server = (stores.serverCpu().minus(server0).toNanos()) / 1e9;
            System.out.printf("  PostgreSQL server: %.1f s CPU in the run (%.2f cores)%n", server,
                server / (p.took().toNanos() / 1e9));
          }
          idle[0] = IdleCycle.measure(path, emulator, world.cloud, clock);
          duplicates[0] = path.duplicates(users);
          return p;
        }
      };
      Settling.Run<Phase> floorRun = () -> SyncBenchmark.measure("floor",
          () -> SyncBenchmark.floor(emulator, world.tenant, users, world.from, world.to));
      Settling.Settled<Phase> full = settle(maxRuns, tolerance, jitShare, fullRun);
      if (statements > 0 && stores.kind() == BenchStores.Kind.POSTGRES) {
        System.out.printf("PostgreSQL's %d costliest statements over every full-stack run:%n%s", statements,
            stores.topStatements(statements));
      }
      Settling.Settled<Phase> floor = settle(maxRuns, tolerance, jitShare, floorRun);
      int pairs = args.integer("pairs", PAIRS);
      int[] n = {0};
      Settling.InTurns inTurns = pairs == 0 ? null : Settling.inTurns(pairs, fullRun, floorRun, Phase::eventsPerSecond,
          (f, fl) -> System.out.printf("in turns, pair %d: full stack %,.0f, floor %,.0f events/s: %.2fx%n", ++n[0],
              f.eventsPerSecond(), fl.eventsPerSecond(), f.eventsPerSecond() / fl.eventsPerSecond()));
      return new Result(mailboxes, events, store, jitShare, naive, full, floor, inTurns, idle[0], duplicates[0]);
    }
  }

  private static Settling.Settled<Phase> settle(int maxRuns, double tolerance, double jitShare, Settling.Run<Phase> path)
      throws Exception {
    int[] n = {0};
    return Settling.untilSettled(maxRuns, tolerance, Phase::eventsPerSecond, p -> p.took().toNanos() / 1e9,
        p -> p.jitShare() <= jitShare, path,
        p -> System.out.printf("%s, run %d: %,.0f events/s in %.1f s (%.2f cores busy, GC %.1f s, JIT %.1f s, %.0f %% of the CPU)%n",
            p.name(), ++n[0], p.eventsPerSecond(), p.took().toNanos() / 1e9, p.coresBusy(), p.gcMillis() / 1000.0,
            p.jitMillis() / 1000.0, p.jitShare() * 100));
  }

  static String report(Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("(a) CPU-bound: %d mailboxes x %d events, loopback, no latency; full stack at SyncOptions.defaults()"
        + " on %s; each path until 3 consecutive warm runs (JIT <= %.0f %% of the CPU) are within tolerance, counting their median%n",
        r.mailboxes(), r.eventsPerMailbox(), r.store(), r.jitShare() * 100));
    sb.append("| path | events/s | warm-up | runs | cores busy | GC / JIT (counted run) | peak heap | vs naive | vs floor |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|\n");
    double naive = r.naive() == null ? Double.NaN : r.naive().counted().eventsPerSecond();
    double floor = r.floor().counted().eventsPerSecond();
    for (Settling.Settled<Phase> s : Stream.of(r.naive(), r.fullStack(), r.floor())
        .filter(Objects::nonNull).toList()) {
      Phase p = s.counted();
      sb.append(String.format("| %s | %,.0f | %s | %d | %.2f | %.1f / %.1f s | %,d MiB | %s | %.2fx |%n", p.name(),
          p.eventsPerSecond(), s.describe(), s.runs().size(), p.coresBusy(), p.gcMillis() / 1000.0, p.jitMillis() / 1000.0,
          p.peakHeapBytes() >> 20, ratio(p.eventsPerSecond() / naive), p.eventsPerSecond() / floor));
    }
    sb.append(String.format("full stack / floor: %.2fx (goal >= 0.75x), %s; of the settled medians %.2fx;"
        + " full stack / naive: %s%n", r.fullVsFloor(), r.inTurns() == null ? "no pairs run in turns"
        : r.inTurns().describe(), r.settledFullVsFloor(), ratio(r.fullVsNaive())));
    IdleCycle idle = r.idle();
    sb.append(String.format("idle cycle (last full-stack run): %.2f HTTP round trips and %.2f Graph requests per polled"
        + " mailbox-resource, %d token requests; CRM duplicates: %d%n", idle.httpRoundTrips() / (double) r.mailboxes(),
        idle.graphRequests() / (double) r.mailboxes(), idle.tokenRequests(), r.duplicates()));
    return sb.toString();
  }

  /** A ratio, or "not run" when the naive loop was left out ({@code naive=false}). */
  private static String ratio(double x) {
    return Double.isNaN(x) ? "not run" : String.format("%.2fx", x);
  }
}

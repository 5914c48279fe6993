package io.m365sync.examples.bench;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncListener;
import io.m365sync.SyncOptions;
import io.m365sync.examples.bench.SyncBenchmark.Phase;
import io.m365sync.sync.ResourceResult;
import io.m365sync.testkit.emulator.Latency;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.GraphLimits;
import io.m365sync.testkit.model.ModelUser;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.ToDoubleFunction;

/**
 * Mode (b), latency-bound: every Graph and token request answered after a long-tailed delay (median
 * 150 ms, p99 1 s by default), Graph's Outlook limits enforced (4 in flight, 10,000 per 10 minutes
 * per mailbox), real time (a {@code Retry-After} costs what it says). In one run: the full stack at
 * the library's defaults without latency (its CPU-bound rate, until it settles), then with latency
 * (the median of its warm runs); the naive loop with latency; and one large mailbox alone against the time
 * a single next-link chain needs (its pages × the mean latency).
 */
final class LatencyBoundMode {
  private LatencyBoundMode() {}

  /**
   * One full-stack or naive run under latency, with what the limiter saw; {@code rounds}: when its rounds ended
   * ({@link RoundEnds}), or empty.
   */
  record Run(Phase phase, int cycles, Throttling throttling, String rounds) {}

  /**
   * The large mailbox alone: its time, the Graph requests answered, and one next-link chain of the
   * whole calendar (its events ÷ the page size, each at the mean latency): what reading it as a single
   * chain costs in requests alone, however the engine read it; and the JIT's share of the run's CPU.
   */
  record Large(int events, Duration took, long pages, Duration chain, double jitShare) {
    double vsChain() {
      return chain.toNanos() / (double) took.toNanos();
    }
  }

  record Result(int mailboxes, int eventsPerMailbox, int naiveMailboxes, String latency, String store, int inFlight,
                Settling.Settled<Phase> cpuBound, List<Run> fullStack, List<Run> naive, List<Large> large,
                Duration meanLatency, double jitShare) {
    /** The median of the warm runs (the JIT at most {@code jitShare} of their CPU), of all if none is. */
    Run countedFull() {
      return medianOfWarm(fullStack, warmFull(), r -> r.phase().eventsPerSecond());
    }

    List<Run> warmFull() {
      return warm(fullStack, r -> r.phase().jitShare());
    }

    String describeFull() {
      DoubleSummaryStatistics rates = fullStack.stream().mapToDouble(r -> r.phase().eventsPerSecond())
          .summaryStatistics();
      return String.format("median of %d warm runs of %d (%,.0f-%,.0f events/s)", warmFull().size(), fullStack.size(),
          rates.getMin(), rates.getMax());
    }

    Run countedNaive() {
      return Settling.median(naive, r -> r.phase().eventsPerSecond());
    }

    /** As the full stack's: the median of the warm runs, of all if none is. */
    Large countedLarge() {
      return medianOfWarm(large, warmLarge(), Large::vsChain);
    }

    List<Large> warmLarge() {
      return warm(large, Large::jitShare);
    }

    /** The runs whose JIT took at most {@code jitShare} of their CPU. */
    private <T> List<T> warm(List<T> runs, ToDoubleFunction<T> jit) {
      return runs.stream().filter(r -> jit.applyAsDouble(r) <= jitShare).toList();
    }

    private static <T> T medianOfWarm(List<T> runs, List<T> warm, ToDoubleFunction<T> by) {
      return Settling.median(warm.isEmpty() ? runs : warm, by);
    }
  }

  /**
   * Arguments: mailboxes (200; 1000 at full size), events (200), naiveMailboxes (40: the naive loop
   * syncs one mailbox at a time, so its rate does not depend on how many), largeEvents (10000),
   * medianMs (150), p99Ms (1000), seed (0: the latencies' sequence, of which every request draws the next, so
   * that each run of a JVM draws other latencies, the same ones in every JVM of one seed), runs (1: the naive
   * loop's runs), largeRuns (5: the large mailbox's; the
   * median of the warm ones counts: its first run in a JVM compiles the code a large calendar's first read
   * takes, slices and all, which the rounds of the small mailboxes never ran),
   * latencyRuns (10: the full stack's with latency; the median of the warm ones counts, each run being a
   * different draw of 1,001 latencies whose slowest, 1.5-3.1 s in the default sequence, ends the cycle),
   * store (h2 | postgres | memory), maxRuns ({@link CpuBoundMode#MAX_RUNS}), tolerance (0.05) and jitShare
   * (0.10)
   * for the CPU-bound reference (jitShare for the latency runs too), as in {@link CpuBoundMode};
   * inFlight ({@code maxConcurrentMailboxes}, the default's 128: every path of the run at this setting, to see what
   * another default would do; the goals read the default).
   */
  static Result run(BenchArgs args) throws Exception {
    int mailboxes = args.integer("mailboxes", 200);
    int events = args.integer("events", 200);
    int naiveMailboxes = Math.min(mailboxes, args.integer("naiveMailboxes", 40));
    int largeEvents = args.integer("largeEvents", 10_000);
    int runs = args.integer("runs", 1);
    Duration median = Duration.ofMillis(args.integer("medianMs", 150));
    Duration p99 = Duration.ofMillis(args.integer("p99Ms", 1000));
    SyncOptions options = SyncOptions.defaults().withMaxConcurrentMailboxes(
        args.integer("inFlight", SyncOptions.defaults().maxConcurrentMailboxes()));
    System.setProperty("sun.net.httpserver.nodelay", "true");
    Clock clock = Clock.systemUTC(); // Retry-After and the limits' window in real time
    BenchWorld world = new BenchWorld(clock);
    world.tenant.graphLimits(GraphLimits.OUTLOOK);
    List<ModelUser> users = world.addMailboxes("user", mailboxes, events);
    List<ModelUser> large = world.addMailboxes("large", 1, largeEvents);
    long total = (long) mailboxes * events;
    long seed = args.integer("seed", 0);
    Latency latency = Latency.longTail(median, p99, seed);
    Duration meanLatency = mean(Latency.longTail(median, p99, seed + 1)); // not the emulator's: that would shift its draws
    try (BenchStores stores = BenchStores.from(args, BenchStores.Kind.H2);
         M365Emulator emulator = new M365Emulator(world.cloud).threads(4).maxRecordedRequests(0).start()) {
      int[] n = {0};
      double jitShare = args.decimal("jitShare", CpuBoundMode.WARM_JIT_SHARE);
      Settling.Settled<Phase> cpu = Settling.untilSettled(args.integer("maxRuns", CpuBoundMode.MAX_RUNS),
          args.decimal("tolerance", 0.05),
          Phase::eventsPerSecond, p -> p.took().toNanos() / 1e9, p -> p.jitShare() <= jitShare,
          () -> fullStack(emulator, world, stores, options, users, total, "full stack, no latency").phase(),
          p -> System.out.printf("full stack without latency, run %d: %,.0f events/s in %.1f s, %.1f CPU-s"
              + " (JIT %.0f %% of the CPU)%n", ++n[0], p.eventsPerSecond(), p.took().toNanos() / 1e9, p.cpuSeconds(),
              p.jitShare() * 100));

      emulator.graphLatency(latency).tokenLatency(latency);
      List<Run> naive = new ArrayList<>();
      List<Large> largeRuns = new ArrayList<>();
      List<ModelUser> naiveUsers = users.subList(0, naiveMailboxes);
      // each path's runs back to back: interleaved, the large mailbox's run (10,000 events through one
      // mailbox) deoptimized code the next full-stack run recompiled
      List<Run> full = new ArrayList<>();
      for (int r = 1; r <= args.integer("latencyRuns", 10); r++) {
        full.add(print(fullStack(emulator, world, stores, options, users, total, "full stack, " + latency), r));
      }
      for (int r = 1; r <= runs; r++) {
        Throttling.reset(world.tenant);
        Phase p = SyncBenchmark.measure("naive loop, " + latency,
            () -> SyncBenchmark.naive(emulator, world.tenant, naiveUsers, world.from, world.to));
        naive.add(print(new Run(p, 1, Throttling.of(world.tenant), ""), r));
      }
      for (int r = 1; r <= args.integer("largeRuns", 5); r++) {
        Run alone = fullStack(emulator, world, stores, options, large, largeEvents, "large mailbox alone, " + latency);
        long pages = alone.throttling().graphRequests() - alone.throttling().throttled();
        int pageSize = SyncOptions.defaults().pageSize();
        Large l = new Large(largeEvents, alone.phase().took(), pages,
            meanLatency.multipliedBy(Math.max(1, (largeEvents + pageSize - 1) / pageSize)), alone.phase().jitShare());
        largeRuns.add(l);
        System.out.printf("large mailbox (%,d events) alone, run %d: %.1f s in %d cycle(s) for %d requests answered, JIT"
            + " %.0f %% of the CPU; a single next-link chain of the calendar: %.1f s (%.2fx)%n", largeEvents, r,
            l.took().toNanos() / 1e9, alone.cycles(), l.pages(), l.jitShare() * 100, l.chain().toNanos() / 1e9, l.vsChain());
      }
      return new Result(mailboxes, events, naiveMailboxes, latency.toString(), stores.describe(),
          options.maxConcurrentMailboxes(), cpu, full, naive,
          largeRuns, meanLatency, jitShare);
    }
  }

  /** A new engine at the library's defaults on a fresh store syncs {@code users} until every event is applied. */
  private static Run fullStack(M365Emulator emulator, BenchWorld world, BenchStores stores, SyncOptions options,
                               List<ModelUser> users, long total, String name) throws Exception {
    Throttling.reset(world.tenant);
    RoundEnds ends = new RoundEnds();
    try (BenchStores.Opened opened = stores.open();
         FullStackPath path = new FullStackPath(emulator, world.tenant, world.clock, opened.store(), options,
             Set.of(Resource.EVENTS), FullStackPath.eventsTable(), b -> b.listener(ends))) {
      path.enroll(users, world.clock);
      int[] cycles = {0};
      Phase p = SyncBenchmark.measure(name, () -> {
        ends.start();
        cycles[0] = path.syncUntilApplied(total, world.clock, Duration.ofMinutes(30));
        return total;
      });
      if (path.duplicates(users) != 0) {
        throw new IllegalStateException(name + ": " + path.duplicates(users) + " CRM duplicates");
      }
      return new Run(p, cycles[0], Throttling.of(world.tenant), ends.describe());
    }
  }

  /**
   * When a run's rounds ended, from its start: how long its first answers took, and how long its last
   * rounds kept the cycle going after most had ended (the part of a cycle that latency, not CPU, sets).
   */
  static final class RoundEnds implements SyncListener {
    private final ConcurrentLinkedQueue<Long> ends = new ConcurrentLinkedQueue<>();
    private volatile long start;

    void start() {
      start = System.nanoTime();
    }

    @Override
    public void resourceSynced(Mailbox mailbox, ResourceResult result) {
      ends.add(System.nanoTime() - start);
    }

    String describe() {
      long[] sorted = ends.stream().mapToLong(Long::longValue).sorted().toArray();
      if (sorted.length == 0) {
        return "no round ended";
      }
      StringBuilder sb = new StringBuilder("rounds ended at");
      for (double q : new double[] {0, 0.5, 0.9, 0.99, 1}) {
        long at = sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
        String which = q == 0 ? "first" : q == 1 ? "last" : (int) (q * 100) + " %";
        sb.append(String.format(" %s %.2f s,", which, at / 1e9));
      }
      return sb.substring(0, sb.length() - 1);
    }
  }

  private static Run print(Run run, int r) {
    Throttling t = run.throttling();
    System.out.printf("%s, run %d: %,.0f events/s in %.1f s, %.1f CPU-s (JIT %.0f %%), GC %.2f s, %d cycles;"
        + " %d Graph + %d token requests, %d x 429, %d mailboxes throttled twice in a row, peak in flight per"
        + " mailbox %s%s%n", run.phase().name(), r, run.phase().eventsPerSecond(), run.phase().took().toNanos() / 1e9,
        run.phase().cpuSeconds(), run.phase().jitShare() * 100, run.phase().gcMillis() / 1e3, run.cycles(),
        t.graphRequests(), t.tokenRequests(), t.throttled(), t.mailboxesThrottledTwiceInARow(), t.peakInFlight(),
        run.rounds().isEmpty() ? "" : "; " + run.rounds());
    return run;
  }

  /** The distribution's mean, sampled (a long tail's mean lies well above its median). */
  static Duration mean(Latency latency) {
    double sum = 0;
    int samples = 200_000;
    for (int i = 0; i < samples; i++) {
      sum += latency.next().toNanos();
    }
    return Duration.ofNanos(Math.round(sum / samples));
  }

  static String report(Result r) {
    StringBuilder sb = new StringBuilder();
    Run full = r.countedFull();
    Run naive = r.countedNaive();
    Phase cpu = r.cpuBound().counted();
    sb.append(String.format("(b) latency-bound: %s on Graph and the token endpoint (mean %d ms), Graph's Outlook limits;"
        + " %d mailboxes x %d events (the naive loop: the first %d), full stack at SyncOptions.defaults()%s on %s;"
        + " the full stack %s, the naive loop median of %d run(s)%n", r.latency(), r.meanLatency().toMillis(),
        r.mailboxes(), r.eventsPerMailbox(), r.naiveMailboxes(),
        r.inFlight() == SyncOptions.defaults().maxConcurrentMailboxes() ? ""
            : " with maxConcurrentMailboxes " + r.inFlight(),
        r.store(), r.describeFull(), r.naive().size()));
    sb.append("| path | events/s | time | cycles | Graph requests | token requests | 429s | mailboxes throttled twice in a row"
        + " | peak requests in flight per mailbox (mailboxes) |\n|---|---|---|---|---|---|---|---|---|\n");
    for (Run run : List.of(full, naive)) {
      Throttling t = run.throttling();
      sb.append(String.format("| %s | %,.0f | %.1f s | %d | %,d | %,d | %,d | %,d | %s |%n", run.phase().name(),
          run.phase().eventsPerSecond(), run.phase().took().toNanos() / 1e9, run.cycles(), t.graphRequests(),
          t.tokenRequests(), t.throttled(), t.mailboxesThrottledTwiceInARow(), t.peakInFlight()));
    }
    sb.append(String.format("| full stack, no latency (CPU-bound, %s) | %,.0f | %.1f s | | | | | | |%n",
        r.cpuBound().describe(), cpu.eventsPerSecond(), cpu.took().toNanos() / 1e9));
    sb.append(String.format("full stack with latency / without: %.2fx (goal >= 0.8x); / naive loop: %.1fx (goal >= 30x);"
        + " mailboxes throttled twice in a row: %d (goal 0); max requests in flight per mailbox: %d%n",
        full.phase().eventsPerSecond() / cpu.eventsPerSecond(), full.phase().eventsPerSecond() / naive.phase().eventsPerSecond(),
        full.throttling().mailboxesThrottledTwiceInARow(), full.throttling().maxInFlight()));
    Large l = r.countedLarge();
    DoubleSummaryStatistics ratios = r.large().stream().mapToDouble(Large::vsChain).summaryStatistics();
    sb.append(String.format("one %,d-event mailbox alone (median of %d warm runs of %d, %.2f-%.2fx): %.1f s for %d requests"
        + " answered; a single next-link chain of the calendar's pages at the mean latency: %.1f s; %.2fx faster than the"
        + " chain (goal >= 3x)%n", l.events(), r.warmLarge().size(), r.large().size(), ratios.getMin(), ratios.getMax(),
        l.took().toNanos() / 1e9, l.pages(), l.chain().toNanos() / 1e9, l.vsChain()));
    return sb.toString();
  }
}

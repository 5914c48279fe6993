package io.m365sync.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Each mode of {@link ThroughputBenchmark} works end to end at a tiny size and reports sane figures
 * (not timed: the figures come from the full runs in BENCHMARKS.md). The tolerance and the JIT's
 * share are wide so that every path settles after three runs.
 */
class ThroughputBenchmarkTest {
  private static final String QUICK = "maxRuns=3 tolerance=1000 jitShare=1000";

  @Test
  void cpuModeRunsEveryPathUntilItSettlesOnDurableH2() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    CpuBoundMode.Result r;
    try {
      r = CpuBoundMode.run(BenchArgs.parse(("mailboxes=3 events=120 monitorEveryMs=1 pairs=2 " + QUICK).split(" ")));
    } finally {
      System.setOut(out);
    }
    out.print(printed.toString(StandardCharsets.UTF_8));

    for (Settling.Settled<SyncBenchmark.Phase> path : java.util.List.of(r.naive(), r.fullStack(), r.floor())) {
      assertThat(path.counted().events()).isEqualTo(360);
      assertThat(path.settled()).isTrue();
      assertThat(path.runs()).hasSize(3);
      assertThat(path.warmUpRuns()).isZero();
    }
    // goal 1 reads the pairs run in turns after both paths settled
    assertThat(r.inTurns().ratios()).hasSize(2).allMatch(x -> x > 0);
    assertThat(r.fullVsFloor()).isEqualTo(r.inTurns().median());
    assertThat(r.idle().applied()).isZero();
    assertThat(r.idle().httpRoundTrips()).isBetween(1L, 3L); // at most one per mailbox-resource
    assertThat(r.idle().tokenRequests()).isZero();
    assertThat(r.duplicates()).isZero();
    assertThat(CpuBoundMode.report(r)).contains("durable H2", "full stack / floor", "settled after 0 warm-up runs",
        "median of 2 pairs run in turns");
    // the host's status page read during each full-stack run
    assertThat(printed.toString(StandardCharsets.UTF_8)).containsPattern(
        "during the run: [1-9][0-9]* monitor reads, median [0-9.]+ ms, p99 [0-9.]+ ms");
  }

  @Test
  void cpuModeRunsTheStateStoreOnEmbeddedPostgres() throws Exception {
    CpuBoundMode.Result r = CpuBoundMode.run(BenchArgs.parse(
        ("store=postgres mailboxes=2 events=50 pairs=0 " + QUICK).split(" ")));

    assertThat(r.fullStack().counted().events()).isEqualTo(100);
    assertThat(r.store()).startsWith("embedded PostgreSQL");
    assertThat(r.inTurns()).isNull(); // pairs=0: the settled medians' ratio
    assertThat(r.fullVsFloor()).isEqualTo(r.settledFullVsFloor());
    assertThat(r.duplicates()).isZero();
  }

  @Test
  void latencyModeSyncsWithinGraphsLimitsAndComparesTheLargeMailboxWithOneChain() throws Exception {
    LatencyBoundMode.Result r = LatencyBoundMode.run(BenchArgs.parse(("store=memory mailboxes=4 events=150 naiveMailboxes=2"
        + " largeEvents=300 largeRuns=2 medianMs=5 p99Ms=20 latencyRuns=3 " + QUICK).split(" ")));

    assertThat(r.countedFull().phase().events()).isEqualTo(600);
    assertThat(r.fullStack()).hasSize(3); // latencyRuns=3
    assertThat(r.describeFull()).startsWith("median of 3 warm runs of 3");
    assertThat(r.countedNaive().phase().events()).isEqualTo(300);
    assertThat(r.cpuBound().counted().events()).isEqualTo(600);
    Throttling t = r.countedFull().throttling();
    assertThat(t.maxInFlight()).isBetween(1, 4); // the limiter refuses a fifth
    assertThat(t.peakInFlight().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(4);
    assertThat(t.graphRequests()).isGreaterThanOrEqualTo(4); // a first read asks for two pages at once: 150 events in one
    assertThat(r.countedNaive().throttling().tokenRequests()).isEqualTo(2); // a new MSAL app per mailbox
    assertThat(r.large()).hasSize(2); // largeRuns=2
    LatencyBoundMode.Large large = r.countedLarge();
    assertThat(large.pages()).isGreaterThanOrEqualTo(3); // 300 events, 100 a page: 3 or more (several chains)
    assertThat(large.chain()).isEqualTo(r.meanLatency().multipliedBy(3)); // one chain of the calendar's 3 pages
    assertThat(r.meanLatency().toMillis()).isBetween(4L, 10L); // a long tail's mean lies above its median
    assertThat(LatencyBoundMode.report(r)).contains("goal >= 0.8x", "goal >= 30x", "goal >= 3x", "throttled twice in a row",
            "median of 2 warm runs of 2")
        .doesNotContain("with maxConcurrentMailboxes");
    LatencyBoundMode.Result two = new LatencyBoundMode.Result(r.mailboxes(), r.eventsPerMailbox(), r.naiveMailboxes(),
        r.latency(), r.store(), 2, r.cpuBound(), r.fullStack(), r.naive(), r.large(), r.meanLatency(), r.jitShare());
    assertThat(LatencyBoundMode.report(two)).contains("SyncOptions.defaults() with maxConcurrentMailboxes 2");
  }

  @Test
  void idleModeCountsRoundTripsTokensHeapAndRunRecordsPerCycle() throws Exception {
    IdleCycleMode.Result r = IdleCycleMode.run(BenchArgs.parse("mailboxes=20", "cycles=4"));

    assertThat(r.polledPerCycle()).isEqualTo(40);
    assertThat(r.perPolled(r.httpRoundTrips())).isGreaterThan(0).isLessThanOrEqualTo(1.0);
    assertThat(r.perPolled(r.graphRequests())).isGreaterThan(0).isLessThanOrEqualTo(1.0);
    assertThat(r.tokenRequests()).isZero(); // 4 cycles of 15 minutes: within the token's lifetime
    assertThat(r.heap()).extracting(IdleCycleMode.HeapPoint::cycle).containsExactly(1, 2, 4);
    assertThat(r.runRecords()).isPositive().isLessThanOrEqualTo(r.runsCounted());
    // every app-only round and probe of a mailbox-resource within the day folds into one record
    assertThat(r.heap()).extracting(IdleCycleMode.HeapPoint::auditRecords).containsOnly(40L);
    assertThat(r.composition()).isNotEmpty();
    assertThat(IdleCycleMode.report(r)).contains("HTTP round trips", "heap per idle enrolled mailbox", "run records",
        "access audit records held", "runs counted", "class histogram");
  }

  @Test
  void idleModeOnPostgresCountsTheStoresCommitsAndABatchsAuditIsOneOfThem() throws Exception {
    IdleCycleMode.Result r = IdleCycleMode.run(BenchArgs.parse("mailboxes=20", "cycles=2", "store=postgres"));

    assertThat(r.store()).startsWith("embedded PostgreSQL");
    // 40 polled mailbox-resources a cycle are 2 batches of 20 probes: 2 audit writes (were 40, one per probe), and the
    // upkeep after the cycle prunes the audit; nothing else of an idle cycle writes, and its reads commit nothing
    assertThat(r.commits().wrote()).isEqualTo(3L * r.cycles());
    assertThat(r.commits().all()).isEqualTo(r.commits().wrote());
    assertThat(IdleCycleMode.report(r)).contains("state store commits per idle cycle");
  }

  @Test
  void clusterModeRunsOneNodeThenTwoOnPostgresWithoutOverlappingRounds() throws Exception {
    // on PostgreSQL a node locks up to twice its threads' due mailboxes (lock-and-fetch) and looks again as soon as
    // a thread is free: twice as many mailboxes as both nodes lock, and the second node polling every 50 ms, so that
    // the first cannot take every mailbox before the second looks
    ClusterMode.Result r = ClusterMode.run(BenchArgs.parse("mailboxes=24", "events=120", "medianMs=5", "p99Ms=20",
        "pollingMs=50", "jitterMs=100", "threads=3"));

    for (ClusterMode.Run run : java.util.List.of(r.one(), r.two())) {
      assertThat(run.phase().events()).isEqualTo(24 * 120);
      assertThat(run.overlaps()).isEmpty();
      assertThat(run.openRounds()).isZero();
      assertThat(run.duplicates()).isZero();
      assertThat(run.roundsPerNode().values().stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(24);
      assertThat(run.throttling().tokenRequests()).isEqualTo(run.nodes()); // one MSAL app per node
    }
    assertThat(r.one().roundsPerNode()).containsOnlyKeys("node-a");
    assertThat(r.two().roundsPerNode()).as("both nodes ran rounds").containsOnlyKeys("node-a", "node-b");
    assertThat(r.two().peakRoundsPerNode().values()).allSatisfy(peak -> assertThat(peak).isBetween(1, 3));
    assertThat(r.ratio()).isPositive();
    assertThat(r.store()).startsWith("embedded PostgreSQL");
    assertThat(ClusterMode.report(r)).contains("goal >= 1.8x", "overlapping rounds: 0", "threads=3");
  }

  @Test
  void linksModeWritesEveryLinkOfBothShapesOnDurableH2() throws Exception {
    LinkWritesMode.Result r = LinkWritesMode.run(BenchArgs.parse("links=1200", "small=100", "large=600", "batch=250",
        "runs=2", "counted=1"));

    for (LinkWritesMode.Shape shape : java.util.List.of(r.small(), r.large())) {
      assertThat(shape.mailboxes() * shape.linksPerMailbox()).isEqualTo(1200);
      assertThat(shape.cpuMicros()).hasSize(2).allSatisfy(us -> assertThat(us).isPositive());
      assertThat(shape.wallMicros()).hasSize(2).allSatisfy(us -> assertThat(us).isPositive());
    }
    assertThat(r.small().mailboxes()).isEqualTo(12);
    assertThat(r.large().mailboxes()).isEqualTo(2);
    assertThat(r.store()).startsWith("durable H2 file");
    assertThat(LinkWritesMode.report(r)).contains("| 12 x 100 |", "| 2 x 600 |", "250 links per putLinksAndCursors");
  }

  @Test
  void linkShapesModeInsertsEveryRowIntoEachShapeOnPostgres() throws Exception {
    LinkTableShapesMode.Result r = LinkTableShapesMode.run(BenchArgs.parse("rows=1000", "batch=250", "perMailbox=100",
        "rounds=2"));

    assertThat(r.shapes()).extracting(LinkTableShapesMode.Shape::name).hasSize(4)
        .startsWith("as shipped (primary key + unique remote id)");
    assertThat(r.shapes()).allSatisfy(shape -> {
      // the OS counts a process's CPU in 10 ms ticks: at this size a shape may read none
      assertThat(shape.cpuMicros()).hasSize(2).allSatisfy(us -> assertThat(us).isNotNegative());
      assertThat(shape.wallMicros()).hasSize(2).allSatisfy(us -> assertThat(us).isPositive());
    });
    assertThat(LinkTableShapesMode.report(r)).contains("embedded PostgreSQL", "| no index (heap and statement) |",
        "1,000 rows per shape");
  }

  @Test
  void linkShapesModeInsertsEveryRowIntoEachShapeOnAnH2File() throws Exception {
    LinkTableShapesMode.Result r = LinkTableShapesMode.run(BenchArgs.parse("store=h2", "rows=1000", "batch=250",
        "perMailbox=100", "rounds=2"));

    assertThat(r.shapes()).extracting(LinkTableShapesMode.Shape::name).hasSize(4)
        .startsWith("as shipped (primary key + unique remote id, keyed by mailbox and resource)");
    assertThat(r.shapes()).allSatisfy(shape -> {
      assertThat(shape.cpuMicros()).hasSize(2).allSatisfy(us -> assertThat(us).isNotNegative());
      assertThat(shape.wallMicros()).hasSize(2).allSatisfy(us -> assertThat(us).isPositive());
    });
    assertThat(LinkTableShapesMode.report(r)).contains("durable H2 file", "| CPU (this JVM) per row |",
        "| keyed by the mailbox's number and the resource's name (before schema version 12) |");
  }

  @Test
  void anUnknownModeIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ThroughputBenchmark.run("fast", BenchArgs.parse()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'fast'");
  }
}

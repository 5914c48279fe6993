package io.m365sync.examples.bench;

import io.m365sync.Resource;
import io.m365sync.SyncOptions;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.ModelUser;
import java.lang.ref.Reference;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Mode (c), the idle cycle: N mailboxes (default 10,000) with one event and one contact each, synced
 * one-way over HTTP by the full stack at the library's defaults, then many idle cycles 15 minutes
 * apart on the engine's clock (default 100), from 01:00 UTC. Per polled mailbox-resource and cycle: HTTP round trips,
 * Graph requests as Graph's limits count them, token requests. Heap per idle enrolled mailbox at
 * checkpoints: used heap after a full GC with the engine alive, minus the same once the engine and its
 * state store are dropped (the emulator, its tenant and the CRMs, the host's data, stay alive in both), and the run
 * records the store holds at the end. Taken between cycles, as a host's heap is for most of the 15 minutes: the
 * executor's idle threads ended, as a cached pool's do 60 s after a cycle, and on the H2 file its dead chunks
 * dropped once H2's retention time passed; and right after the cycle with its threads alive, whose per-thread
 * buffers (socket, JSON) are a fixed cost, not a mailbox's.
 */
final class IdleCycleMode {
  /** H2's MVStore keeps a dead chunk this long (its default retention time, 45 s) before it drops it. */
  private static final Duration H2_RETENTION = Duration.ofSeconds(46);

  private IdleCycleMode() {}

  /**
   * Heap per mailbox after {@code cycle} idle cycles, between cycles; the part of it that is not the access
   * audit (its records held then, at what one record cost the heap at the end); and the same right after
   * the cycle, its threads alive.
   */
  record HeapPoint(int cycle, double bytesPerMailbox, long auditRecords, double bytesPerMailboxWithoutAudit,
                   double bytesPerMailboxThreadsAlive) {}

  record Result(int mailboxes, int resources, int cycles, String store, Duration initialSync, long httpRoundTrips,
                long graphRequests, long tokenRequests, long maxRoundTripsInACycle, Duration idleTime, BenchStores.Commits commits,
                List<HeapPoint> heap, long runRecords, long runsCounted, double bytesPerAuditRecord,
                List<HeapHistogram.Line> composition) {
    long polledPerCycle() {
      return (long) mailboxes * resources;
    }

    double perPolled(long count) {
      return count / (double) (polledPerCycle() * cycles);
    }
  }

  /**
   * Arguments: mailboxes (10000), cycles (100), store (memory | h2 | postgres), composition (classes listed,
   * 12), statements (0: on PostgreSQL, print this many of the idle cycles' costliest statements and their
   * count).
   */
  static Result run(BenchArgs args) throws Exception {
    int mailboxes = args.integer("mailboxes", 10_000);
    int cycles = args.integer("cycles", 100);
    int statements = args.integer("statements", 0);
    System.setProperty("sun.net.httpserver.nodelay", "true");
    // today 01:00 UTC: the audit keeps a record per mailbox-resource per UTC day, so every run of 100
    // cycles (25 hours) crosses one day boundary, at cycle 92, whatever the hour it runs
    MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(1)));
    BenchWorld world = new BenchWorld(clock);
    List<ModelUser> users = world.addMailboxes("user", mailboxes, 1);
    users.forEach(world::addContact);
    Set<Resource> resources = Set.of(Resource.EVENTS, Resource.CONTACTS);
    Set<Integer> checkpoints = new TreeSet<>(List.of(1, Math.max(1, cycles / 10), Math.max(1, cycles / 4),
        Math.max(1, cycles / 2), cycles));
    BenchStores chosen = BenchStores.from(args, BenchStores.Kind.MEMORY);
    boolean countStatements = statements > 0 && chosen.kind() == BenchStores.Kind.POSTGRES;
    try (BenchStores stores = countStatements ? chosen.withStatementStatistics() : chosen;
         M365Emulator emulator = new M365Emulator(world.cloud).threads(4).maxRecordedRequests(0).start()) {
      BenchStores.Opened opened = stores.open();
      FullStackPath path = new FullStackPath(emulator, world.tenant, clock, opened.store(), SyncOptions.defaults(), resources);
      path.enroll(users, clock);
      long t0 = System.nanoTime();
      path.syncUntilApplied(2L * mailboxes, clock, Duration.ofMinutes(30));
      Duration initial = Duration.ofNanos(System.nanoTime() - t0);
      System.out.printf("initial sync of %,d mailboxes x 2 resources: %.1f s%n", mailboxes, initial.toNanos() / 1e9);
      long http = 0;
      long graph = 0;
      long tokens = 0;
      long maxHttp = 0;
      long idleNanos = 0;
      BenchStores.Commits commitsBefore = opened.commits();
      if (countStatements) {
        stores.resetStatements();
      }
      List<Long> usedAt = new ArrayList<>();
      List<Long> usedThreadsAliveAt = new ArrayList<>();
      List<Long> auditAt = new ArrayList<>();
      Instant start = clock.instant();
      for (int c = 1; c <= cycles; c++) {
        IdleCycle idle = IdleCycle.measure(path, emulator, world.cloud, clock);
        if (idle.applied() != 0) {
          throw new IllegalStateException("idle cycle " + c + " applied " + idle.applied() + " changes");
        }
        http += idle.httpRoundTrips();
        graph += idle.graphRequests();
        tokens += idle.tokenRequests();
        maxHttp = Math.max(maxHttp, idle.httpRoundTrips());
        idleNanos += idle.took().toNanos();
        if (checkpoints.contains(c)) {
          usedThreadsAliveAt.add(usedAfterGc());
          asBetweenCycles(path, stores.kind());
          usedAt.add(usedAfterGc());
          auditAt.add((long) opened.store().accessRecords(start.minus(Duration.ofDays(1)), clock.instant().plusSeconds(1)).size());
          System.out.printf("idle cycle %d: %,d HTTP round trips, %,d Graph requests, %d token requests, %.1f s;"
              + " used heap after GC %,d B, %,d access audit records%n", c, idle.httpRoundTrips(), idle.graphRequests(),
              idle.tokenRequests(), idle.took().toNanos() / 1e9, usedAt.get(usedAt.size() - 1), auditAt.get(auditAt.size() - 1));
        }
      }
      BenchStores.Commits commits = commitsBefore == null ? null : opened.commits().since(commitsBefore);
      if (countStatements) {
        System.out.printf("PostgreSQL's %d costliest statements over the %d idle cycles:%n%s", statements, cycles,
            stores.topStatements(statements));
      }
      long runRecords = path.runRecords(users);
      long runsCounted = path.runsCounted(users);
      // the audit's share: what pruning every record frees (the app-only probes each cycle add records)
      asBetweenCycles(path, stores.kind());
      long withAudit = usedAfterGc();
      HeapHistogram withEngine = HeapHistogram.take();
      opened.store().pruneAccessAudit(clock.instant().plus(Duration.ofDays(1)));
      long auditRecords = auditAt.get(auditAt.size() - 1);
      double perAuditRecord = auditRecords == 0 ? 0 : Math.max(0, withAudit - usedAfterGc()) / (double) auditRecords;
      String store = stores.describe();
      // the CRM's records are the host's (its own tables in production): they stay in both measurements
      Object crms = List.of(path.events, path.contacts);
      path.close();
      opened.close();
      Reference.reachabilityFence(path);
      Reference.reachabilityFence(opened);
      path = null; // the engine and its store go; the emulator, its tenant and the CRMs stay
      opened = null;
      long without = usedAfterGc();
      List<HeapHistogram.Line> composition = withEngine.minus(HeapHistogram.take(), args.integer("composition", 12));
      Reference.reachabilityFence(crms);
      List<HeapPoint> heap = new ArrayList<>();
      int i = 0;
      for (int c : checkpoints) {
        double total = (usedAt.get(i) - without) / (double) mailboxes;
        heap.add(new HeapPoint(c, total, auditAt.get(i), total - auditAt.get(i) * perAuditRecord / mailboxes,
            (usedThreadsAliveAt.get(i) - without) / (double) mailboxes));
        i++;
      }
      return new Result(mailboxes, resources.size(), cycles, store, initial, http, graph, tokens, maxHttp,
          Duration.ofNanos(idleNanos), commits, heap, runRecords, runsCounted, perAuditRecord, composition);
    }
  }

  /**
   * What the minutes between two cycles do that back-to-back cycles do not: the executor's idle threads
   * end (a cached pool's 60 s), and on the H2 file the chunks the last commits left dead outlive H2's
   * retention time (45 s, real time), so the next upkeep drops them and their metadata.
   */
  private static void asBetweenCycles(FullStackPath path, BenchStores.Kind store) throws InterruptedException {
    int busy = path.endIdleThreads();
    if (busy > 0) {
      System.out.printf("(%d of the executor's threads still ran a task 10 s after the cycle)%n", busy);
    }
    if (store == BenchStores.Kind.H2) {
      Thread.sleep(H2_RETENTION.toMillis());
      path.engine.upkeep();
    }
  }

  private static long usedAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Runtime rt = Runtime.getRuntime();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  static String report(Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("(c) idle cycle: %,d mailboxes x %d resources (one item each), full stack at SyncOptions.defaults()"
        + " on %s over HTTP, %d idle cycles 15 minutes apart (initial sync %.1f s)%n", r.mailboxes(), r.resources(),
        r.store(), r.cycles(), r.initialSync().toNanos() / 1e9));
    sb.append(String.format("per polled mailbox-resource per idle cycle: %.3f HTTP round trips (goal <= 0.05; most in one cycle"
        + " %,d for %,d polled), %.3f Graph requests as the limits count them, %.6f token requests (%d in %d cycles; goal 0)%n",
        r.perPolled(r.httpRoundTrips()), r.maxRoundTripsInACycle(), r.polledPerCycle(), r.perPolled(r.graphRequests()),
        r.perPolled(r.tokenRequests()), r.tokenRequests(), r.cycles()));
    sb.append(String.format("an idle cycle took %.2f s on average: %,.0f mailbox-resources/s%n",
        r.idleTime().toNanos() / 1e9 / r.cycles(), r.polledPerCycle() * r.cycles() / (r.idleTime().toNanos() / 1e9)));
    if (r.commits() != null) {
      sb.append(String.format("state store commits per idle cycle: %,.0f (%.3f per polled mailbox-resource), of which"
          + " transactions that wrote %,.0f (%.3f)%n", r.commits().all() / (double) r.cycles(), r.perPolled(r.commits().all()),
          r.commits().wrote() / (double) r.cycles(), r.perPolled(r.commits().wrote())));
    }
    sb.append("heap per idle enrolled mailbox between cycles, the executor's idle threads ended (goal <= 2 KB, flat): ");
    r.heap().forEach(h -> sb.append(String.format("after cycle %d %,.0f B; ", h.cycle(), h.bytesPerMailbox())));
    sb.append(String.format("%nthe same right after the cycle, its threads alive: "));
    r.heap().forEach(h -> sb.append(String.format("after cycle %d %,.0f B; ", h.cycle(), h.bytesPerMailboxThreadsAlive())));
    sb.append(String.format("%nof which not the access audit: "));
    r.heap().forEach(h -> sb.append(String.format("after cycle %d %,.0f B; ", h.cycle(), h.bytesPerMailboxWithoutAudit())));
    sb.append(String.format("%naccess audit records held (app-only rounds and probes, kept for auditRetention): "));
    r.heap().forEach(h -> sb.append(String.format("after cycle %d %,d (%.1f per mailbox); ", h.cycle(), h.auditRecords(),
        h.auditRecords() / (double) r.mailboxes())));
    sb.append(String.format("%,.0f B each on the heap%n", r.bytesPerAuditRecord()));
    sb.append(String.format("run records held at the end: %,d (%.1f per mailbox); runs counted: %,d%n", r.runRecords(),
        r.runRecords() / (double) r.mailboxes(), r.runsCounted()));
    // the last point is exact (both sides taken at the end); earlier ones subtract the end's baseline,
    // so the emulator's own heap moving between them shows up there
    sb.append("what it is at the end, between cycles (class histogram, engine and store alive minus dropped), bytes (instances) per mailbox: ");
    r.composition().forEach(l -> sb.append(String.format("%s %.0f (%.2f); ", l.className(), l.bytes() / (double) r.mailboxes(),
        l.instances() / (double) r.mailboxes())));
    sb.append(System.lineSeparator());
    return sb.toString();
  }
}

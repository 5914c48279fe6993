package io.m365sync.examples.bench;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.state.IdLink;
import io.m365sync.state.SyncStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Mode {@code links}: what a first sync's link writes cost the state store per link, through its public
 * API alone (no Graph, no CRM), as a round writes them: one {@code putLinksAndCursors} per batch of
 * fresh links under the mailbox's fence. The same number of links in two shapes, alternating in one JVM:
 * many small mailboxes and a few large ones, to show whether a link costs more as its mailbox grows.
 * Ids are shaped as Graph's and a CRM's: remote ids with a long common prefix per mailbox and a random
 * tail, CRM ids random UUIDs, so each batch lands all over its mailbox's range of both unique indexes.
 */
final class LinkWritesMode {
  /** What follows the mailbox's part of a Graph event id, up to the item's own part (the folder's ids). */
  static final String GRAPH_ID_FOLDER_PART = "BGAAAAAAEGAADf5Gm0VMNEQp4AAAAAAAENAAAd5Gm0VMNEQp4AAAAAAA";

  private LinkWritesMode() {}

  /** One shape's runs: CPU (this process, plus the database server's on PostgreSQL) and wall time per link. */
  record Shape(int mailboxes, int linksPerMailbox, List<Double> cpuMicros, List<Double> wallMicros) {
    double medianCpu(int counted) {
      return medianOfLast(cpuMicros, counted);
    }

    double medianWall(int counted) {
      return medianOfLast(wallMicros, counted);
    }

    private static double medianOfLast(List<Double> runs, int counted) {
      return Settling.median(runs.subList(Math.max(0, runs.size() - counted), runs.size()), v -> v);
    }
  }

  record Result(String store, int batch, int counted, Shape small, Shape large) {}

  /**
   * Arguments: store (h2 | postgres | memory), links (100,000 per run), small (500 links per mailbox),
   * large (10,000), batch (500: the engine's CRM writes per state commit at the default page size),
   * runs (6 per shape, alternating), counted (the last 3).
   */
  static Result run(BenchArgs args) throws Exception {
    int links = args.integer("links", 100_000);
    int small = args.integer("small", 500);
    int large = args.integer("large", 10_000);
    int batch = args.integer("batch", 500);
    int runs = args.integer("runs", 6);
    int counted = args.integer("counted", 3);
    Shape smallShape = new Shape(links / small, small, new ArrayList<>(), new ArrayList<>());
    Shape largeShape = new Shape(links / large, large, new ArrayList<>(), new ArrayList<>());
    try (BenchStores stores = BenchStores.from(args, BenchStores.Kind.H2)) {
      String store = stores.describe();
      for (int run = 1; run <= runs; run++) {
        for (Shape shape : List.of(smallShape, largeShape)) {
          measure(stores, shape, batch, run);
        }
      }
      return new Result(store, batch, counted, smallShape, largeShape);
    }
  }

  private static void measure(BenchStores stores, Shape shape, int batch, int run) throws Exception {
    TenantId tenant = new TenantId("bench-tenant");
    try (BenchStores.Opened opened = stores.open()) {
      SyncStateStore store = opened.store();
      List<MailboxId> mailboxes = new ArrayList<>();
      for (int m = 0; m < shape.mailboxes(); m++) {
        MailboxId id = new MailboxId(tenant, UUID.nameUUIDFromBytes(("user" + m).getBytes()).toString());
        store.putEnrollment(new Mailbox(id, "user" + m + "@bench.example", "crm-user-" + m, Instant.EPOCH,
            Set.of(Resource.EVENTS)));
        mailboxes.add(id);
      }
      Random random = new Random(run);
      List<List<IdLink>> batches = new ArrayList<>();
      List<MailboxId> owners = new ArrayList<>();
      for (MailboxId id : mailboxes) {
        // a Graph event id: base64 of the mailbox's and the folder's ids, then the item's own
        String prefix = "AAMkA" + UUID.nameUUIDFromBytes(id.userObjectId().getBytes()).toString().replace("-", "")
            + GRAPH_ID_FOLDER_PART;
        for (int from = 0; from < shape.linksPerMailbox(); from += batch) {
          List<IdLink> links = new ArrayList<>();
          for (int i = from; i < Math.min(shape.linksPerMailbox(), from + batch); i++) {
            links.add(new IdLink(id, Resource.EVENTS, new UUID(random.nextLong(), random.nextLong()).toString(),
                prefix + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()) + "AAA=",
                "DwAAABYAAAAd5Gm0VMNEQp4AAAAA" + i, 1, null));
          }
          batches.add(links);
          owners.add(id);
        }
      }
      Duration server0 = stores.kind() == BenchStores.Kind.POSTGRES ? stores.serverCpu() : Duration.ZERO;
      long cpu0 = SyncBenchmark.processCpuNanos();
      long t0 = System.nanoTime();
      MailboxId fenced = null;
      long fence = 0;
      for (int b = 0; b < batches.size(); b++) {
        if (!owners.get(b).equals(fenced)) {
          fenced = owners.get(b);
          fence = store.claimFence(fenced);
        }
        store.putLinksAndCursors(List.of(), List.of(), batches.get(b), Map.of(), fence);
      }
      long wall = System.nanoTime() - t0;
      long cpu = SyncBenchmark.processCpuNanos() - cpu0;
      if (stores.kind() == BenchStores.Kind.POSTGRES) {
        cpu += stores.serverCpu().minus(server0).toNanos();
      }
      for (MailboxId id : mailboxes) {
        int held = store.links(id, Resource.EVENTS).size();
        if (held != shape.linksPerMailbox()) {
          throw new IllegalStateException(id + " holds " + held + " links of the " + shape.linksPerMailbox() + " written");
        }
      }
      long total = (long) shape.mailboxes() * shape.linksPerMailbox();
      shape.cpuMicros().add(cpu / 1000.0 / total);
      shape.wallMicros().add(wall / 1000.0 / total);
      System.out.printf("run %d, %d mailboxes x %,d links: %.1f us CPU, %.1f us wall per link%n", run, shape.mailboxes(),
          shape.linksPerMailbox(), cpu / 1000.0 / total, wall / 1000.0 / total);
    }
  }

  static String report(Result r) {
    double small = r.small().medianCpu(r.counted());
    double large = r.large().medianCpu(r.counted());
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("first-sync link writes on %s, %d links per putLinksAndCursors, median of the last %d runs"
        + " (CPU: this JVM's, plus a PostgreSQL server's)%n", r.store(), r.batch(), r.counted()));
    sb.append("| mailboxes x links | CPU per link | wall per link | runs (CPU) |\n|---|---|---|---|\n");
    for (Shape s : List.of(r.small(), r.large())) {
      sb.append(String.format("| %d x %,d | %.1f us | %.1f us | %s |%n", s.mailboxes(), s.linksPerMailbox(),
          s.medianCpu(r.counted()), s.medianWall(r.counted()),
          s.cpuMicros().stream().map(v -> String.format("%.1f", v)).toList()));
    }
    sb.append(String.format("large / small: %.2fx the CPU per link%n", large / small));
    return sb.toString();
  }
}

package io.m365sync.examples.bench;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.TenantId;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.emulator.Latency;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.GraphLimits;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.StoredItem;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runner (not a test): the round after a mass deletion in Outlook, through the production stack against
 * the emulator with Graph's latency (long-tailed, median 150 ms, p99 1 s) and Outlook's limits. A
 * calendar's delta reports an event moved out of the window exactly as a deleted one, so the round asks
 * Microsoft 365 about each linked event reported removed before it deletes the CRM record: what this
 * times. The first sync runs without latency. Arguments ({@code key=value}): events (200), deleted share
 * (0.4: under the mass-change guard's half), runs (3), medianMs (150), p99Ms (1000).
 */
public final class EventDeletionsLatencyBenchmark {
  private EventDeletionsLatencyBenchmark() {}

  /** One run: CRM records deleted, seconds of the round, and what the limiter saw. */
  record Run(long deleted, double seconds, Throttling throttling) {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv);
    int events = args.integer("events", 200);
    double share = args.decimal("deleted", 0.4);
    int runs = args.integer("runs", 3);
    Latency latency = args.latency();
    System.out.printf("one mailbox of %d events, %.0f %% deleted in Outlook, the next round with %s on Graph and the"
        + " token endpoint, Graph's Outlook limits%n", events, share * 100, latency);
    for (int r = 1; r <= runs; r++) {
      Run run = run(events, share, latency);
      Throttling t = run.throttling();
      System.out.printf("run %d: %,d CRM records deleted in a round of %.1f s; %,d Graph requests, %d x 429, peak"
          + " requests in flight per mailbox %s%n", r, run.deleted(), run.seconds(), t.graphRequests(), t.throttled(),
          t.peakInFlight());
    }
  }

  static Run run(int events, double share, Latency latency) throws Exception {
    Clock clock = Clock.systemUTC(); // Retry-After and the limits' window in real time
    BenchWorld world = new BenchWorld(clock);
    world.tenant.graphLimits(GraphLimits.OUTLOOK);
    ModelUser user = world.addMailboxes("user", 1, events).get(0);
    InMemoryCrmStore<CalendarEvent> crm = FullStackPath.eventsTable();
    ExecutorService pool = Executors.newCachedThreadPool();
    try (M365Emulator emulator = new M365Emulator(world.cloud).threads(4).maxRecordedRequests(0).start()) {
      TenantId tenant = TenantId.of(world.tenant.tenantId());
      SyncEngine engine = EmulatorEngines.builder(emulator, clock, pool, SyncStateStore.inMemory())
          .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm)).build();
      engine.setApplicationPermissionEnabled(tenant, true);
      MailboxId id = new MailboxId(tenant, user.objectId());
      engine.enroll(new Mailbox(id, user.userPrincipalName(), "crm-" + user.displayName(), clock.instant(),
          Set.of(Resource.EVENTS)));
      engine.syncMailbox(id);
      engine.syncMailbox(id); // a large calendar's first read keeps no link: the second one does
      check(crm.items(id).size(), events, "after the first sync");

      List<StoredItem<CalendarEvent>> all = world.tenant.mailbox(user).calendar().all();
      int deleted = (int) (all.size() * share);
      all.subList(0, deleted).forEach(e -> world.tenant.mailbox(user).calendar().delete(e.id(), null));
      emulator.graphLatency(latency).tokenLatency(latency);
      Throttling.reset(world.tenant);
      long start = System.nanoTime();
      engine.syncMailbox(id);
      double seconds = (System.nanoTime() - start) / 1e9;
      check(crm.items(id).size(), events - deleted, "after the deletions' round");
      return new Run(deleted, seconds, Throttling.of(world.tenant));
    } finally {
      pool.shutdownNow();
    }
  }

  private static void check(int records, int expected, String when) {
    if (records != expected) {
      throw new IllegalStateException(records + " CRM records " + when + ", expected " + expected);
    }
  }
}

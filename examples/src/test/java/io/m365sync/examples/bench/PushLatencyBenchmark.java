package io.m365sync.examples.bench;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.TenantId;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.emulator.Latency;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.GraphLimits;
import io.m365sync.testkit.model.ModelUser;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runner (not a test): a CRM's contacts going out to mailboxes just enrolled two-way, through the
 * production stack (MSAL application tokens, {@code GraphMailboxGateway}, the engine at its defaults)
 * against the emulator with Graph's latency (long-tailed, median 150 ms, p99 1 s) and Outlook's limits
 * (4 requests in flight, 10,000 per 10 minutes per mailbox): each mailbox's first round creates its CRM
 * contacts in Microsoft 365. Prints the time, creates per second, Graph requests, 429s and the peak of
 * requests in flight per mailbox. Arguments ({@code key=value}): mailboxes (1), contacts (200 per
 * mailbox), runs (3), medianMs (150), p99Ms (1000).
 */
public final class PushLatencyBenchmark {
  private PushLatencyBenchmark() {}

  /** One run: creates made, seconds, and what the limiter saw. */
  record Run(long created, double seconds, Throttling throttling) {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv);
    int mailboxes = args.integer("mailboxes", 1);
    int contacts = args.integer("contacts", 200);
    int runs = args.integer("runs", 3);
    Latency latency = args.latency();
    System.out.printf("%d mailbox(es) x %d CRM contacts pushed two-way, %s on Graph and the token endpoint,"
        + " Graph's Outlook limits%n", mailboxes, contacts, latency);
    for (int r = 1; r <= runs; r++) {
      Run run = run(mailboxes, contacts, latency);
      Throttling t = run.throttling();
      System.out.printf("run %d: %,d creates in %.1f s: %,.1f creates/s; %,d Graph requests, %d x 429,"
          + " peak requests in flight per mailbox %s%n", r, run.created(), run.seconds(), run.created() / run.seconds(),
          t.graphRequests(), t.throttled(), t.peakInFlight());
    }
  }

  static Run run(int mailboxes, int contacts, Latency latency) throws Exception {
    Clock clock = Clock.systemUTC(); // Retry-After and the limits' window in real time
    BenchWorld world = new BenchWorld(clock);
    world.tenant.graphLimits(GraphLimits.OUTLOOK);
    List<ModelUser> users = world.addMailboxes("user", mailboxes, 0);
    InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
    ExecutorService pool = Executors.newCachedThreadPool();
    try (M365Emulator emulator = new M365Emulator(world.cloud).threads(4).maxRecordedRequests(0).start()) {
      emulator.graphLatency(latency).tokenLatency(latency);
      TenantId tenant = TenantId.of(world.tenant.tenantId());
      SyncEngine engine = EmulatorEngines.builder(emulator, clock, pool, SyncStateStore.inMemory())
          .resource(ResourceSyncers.twoWay(ResourceType.CONTACTS, crm)).build();
      engine.setApplicationPermissionEnabled(tenant, true);
      for (ModelUser u : users) {
        MailboxId id = new MailboxId(tenant, u.objectId());
        engine.enroll(new Mailbox(id, u.userPrincipalName(), "crm-" + u.displayName(), clock.instant(),
            Set.of(Resource.CONTACTS)));
        for (int i = 0; i < contacts; i++) {
          crm.save(id, null, Contact.of("Ada" + i, "Lovelace", "ada" + i + "@example.com"));
        }
      }
      Throttling.reset(world.tenant);
      long start = System.nanoTime();
      long deadline = start + Duration.ofMinutes(30).toNanos();
      while (created(world, users) < (long) mailboxes * contacts) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("not every contact was created within 30 minutes");
        }
        engine.runCycle();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Run(created(world, users), seconds, Throttling.of(world.tenant));
    } finally {
      pool.shutdownNow();
    }
  }

  private static long created(BenchWorld world, List<ModelUser> users) {
    return users.stream().mapToLong(u -> world.tenant.mailbox(u).contacts().all().size()).sum();
  }
}

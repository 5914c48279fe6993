package io.m365sync.examples.bench;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.TenantId;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The production stack against the emulator: {@code SyncEngine} in application mode with
 * {@code MsalApplicationTokenStrategy}, {@code GraphMailboxGateway}, the given state store and
 * in-memory CRMs for events (and contacts when enabled), one-way. The executor is a cached pool, so
 * the engine's own settings bound its concurrency ({@link SyncOptions#maxConcurrentMailboxes()} at
 * the defaults): a benchmark at the library's defaults must not bound it with a pool of its own.
 */
final class FullStackPath implements AutoCloseable {
  final SyncEngine engine;
  final InMemoryCrmStore<CalendarEvent> events;
  final InMemoryCrmStore<Contact> contacts = new InMemoryCrmStore<>("contact");
  /** As {@code Executors.newCachedThreadPool}: idle threads end after 60 s. */
  private final ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
      new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "bench-engine");
        t.setDaemon(true);
        return t;
      });
  private final Set<Resource> resources;
  private final TenantId tenant;
  private final SyncStateStore store;

  FullStackPath(M365Emulator emulator, TenantModel tenant, Clock clock, SyncStateStore store, SyncOptions options,
                Set<Resource> resources) {
    this(emulator, tenant, clock, store, options, resources, eventsTable(), b -> {});
  }

  /**
   * As above, with the CRM's events table given (a cluster's nodes share one) and {@code wiring} for
   * what the builder gets beyond the stack (a scheduler, listeners).
   */
  FullStackPath(M365Emulator emulator, TenantModel tenant, Clock clock, SyncStateStore store, SyncOptions options,
                Set<Resource> resources, InMemoryCrmStore<CalendarEvent> events, Consumer<SyncEngine.Builder> wiring) {
    this.events = events;
    this.resources = EnumSet.copyOf(resources);
    this.tenant = TenantId.of(tenant.tenantId());
    this.store = store;
    SyncEngine.Builder b = EmulatorEngines.builder(emulator, clock, pool, store).options(options)
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, events));
    if (resources.contains(Resource.CONTACTS)) {
      b.resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, contacts));
    }
    wiring.accept(b);
    engine = b.build();
    engine.setApplicationPermissionEnabled(this.tenant, true);
  }

  /**
   * The benchmarks' CRM events table. It keeps of each event the columns the duplicate check reads
   * (its match key: iCalUId, subject, start, end) and its type and all-day flag, as a host's table
   * does in its database: a table holding every whole event the engine handed it kept a run's
   * 100,000–200,000 events alive in the benchmark's heap, which every young collection then copied, a
   * cost no host's sync node has.
   */
  static InMemoryCrmStore<CalendarEvent> eventsTable() {
    return InMemoryCrmStore.keeping("event", e -> new CalendarEvent(e.subject(), null, e.start(), e.end(), null,
        e.allDay(), null, null, List.of(), e.type(), null, null, e.iCalUid(), Map.of()));
  }

  void enroll(List<ModelUser> users, Clock clock) {
    for (ModelUser u : users) {
      engine.enroll(new Mailbox(id(u), u.userPrincipalName(), "crm-" + u.displayName(), clock.instant(), resources));
    }
  }

  MailboxId id(ModelUser u) {
    return new MailboxId(tenant, u.objectId());
  }

  /**
   * Runs cycles until {@code expected} records were applied (a throttled mailbox finishes in a later
   * cycle, after its {@code Retry-After}); the time spent waiting counts against the path.
   *
   * @return the cycles it took
   * @throws IllegalStateException if that took longer than {@code timeout}
   */
  int syncUntilApplied(long expected, Clock clock, Duration timeout) throws InterruptedException {
    long applied = 0;
    int cycles = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (applied < expected) {
      CycleReport r = engine.runCycle();
      cycles++;
      applied += r.applied();
      if (applied < expected) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("applied " + applied + " of " + expected + " in " + timeout + " (" + cycles
              + " cycles, statuses " + r.countByStatus() + ")");
        }
        if (r.applied() == 0) {
          Thread.sleep(50); // the harness waits out a Retry-After in real time, as a scheduler would
        }
      }
    }
    return cycles;
  }

  long duplicates(List<ModelUser> users) {
    return users.stream().mapToLong(u -> events.duplicates(id(u)) + contacts.duplicates(id(u))).sum();
  }

  /** Run records the store keeps for {@code users} (the run history a long-lived node accumulates). */
  long runRecords(List<ModelUser> users) {
    return users.stream().mapToLong(u -> store.runs(id(u), 100_000).size()).sum();
  }

  /** The runs the store counted, held or not. */
  long runsCounted(List<ModelUser> users) {
    return users.stream().mapToLong(u -> store.runCount(id(u))).sum();
  }

  /**
   * Ends the pool's idle threads now, as the cached pool does 60 s after a cycle: with idle cycles
   * minutes apart none is alive between them, so their per-thread buffers (socket, JSON) are not an
   * idle mailbox's heap. Returns the threads still running a task after 10 s.
   */
  int endIdleThreads() throws InterruptedException {
    pool.setKeepAliveTime(1, TimeUnit.MILLISECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (pool.getPoolSize() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    pool.setKeepAliveTime(60, TimeUnit.SECONDS);
    return pool.getPoolSize();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}

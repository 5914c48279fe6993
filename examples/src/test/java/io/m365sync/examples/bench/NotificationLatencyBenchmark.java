package io.m365sync.examples.bench;

import com.sun.net.httpserver.HttpServer;
import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncListener;
import io.m365sync.SyncOptions;
import io.m365sync.TenantId;
import io.m365sync.examples.JdkHttpNotificationServer;
import io.m365sync.graph.AppCredential;
import io.m365sync.graph.GraphMailboxGateway;
import io.m365sync.graph.MsalApplicationTokenStrategy;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.notify.ChangeNotifications;
import io.m365sync.notify.ResourceFeed;
import io.m365sync.schedule.SyncScheduler;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.EmulatorRequest;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.DeliverySettings;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.RecordedRequest;
import io.m365sync.testkit.model.TenantModel;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * Not a test: how long a change made in Microsoft 365 takes to reach the CRM with change
 * notifications on, against polling at a 5-minute cycle, both through the production stack (engine +
 * MSAL + Graph SDK gateway, in-memory state store and CRM) against the emulator on 127.0.0.1.
 *
 * <ul>
 *   <li><b>push</b>, in real time on the system clock: N mailboxes (events and contacts), the engine
 *       with {@code changeNotifications} at the default debounce behind a JDK {@code HttpServer}
 *       receiver, driven by the in-process scheduler. After the initial sync, one change per second
 *       for S seconds, each in another mailbox; latency = from just before the change is made in the
 *       emulator to the CRM write of that item.
 *   <li><b>baseline: polling at a 5-minute cycle</b>, on a {@code MutableClock} (a real 5-minute
 *       cycle would take too long): the same stack without notifications; after the initial sync and
 *       one idle cycle, one change per simulated second over a whole cycle, then the next cycle runs
 *       for real. Latency = the simulated wait until that cycle's tick + the measured time from the
 *       tick to the item's CRM write.
 * </ul>
 *
 * <p>Arguments: mailboxes, seconds of changes, runs, the emulator's delivery delay and the debounce in
 * ms (default 1000 60 3 0 2000: the debounce is {@link ChangeNotifications#DEFAULT_DEBOUNCE}; the other
 * values are levers).
 * Command and figures: {@code BENCHMARKS.md}.
 */
public final class NotificationLatencyBenchmark {
  static final String CLIENT_ID = "5d2e8f47-1c3b-4a9d-8e6f-7a0b1c2d3e4f";
  static final String SECRET = "benchmark-secret";
  static final int EVENTS_PER_MAILBOX = 5;
  static final int CONTACTS_PER_MAILBOX = 2;
  static final Duration POLL_CYCLE = Duration.ofMinutes(5);
  /**
   * The push path's scheduler cycle ({@code -Dbench.pushCycleSeconds}): with notifications a cycle
   * reads only what is due, so cycles run during the changes to show idle mailboxes cost nothing.
   */
  static final Duration PUSH_CYCLE = Duration.ofSeconds(Long.getLong("bench.pushCycleSeconds", 20));
  private static final Duration CHANGE_GAP = Duration.ofSeconds(1);

  /** One path's figures; latencies sorted. */
  record PathResult(String name, List<Duration> latencies, int changes, long graphRequests, long idleMailboxRequests,
                    int idleMailboxes, int cycles, Duration cycleTime, long duplicates) {
    double requestsPerChange() {
      return graphRequests / (double) changes;
    }

    /** Nearest rank (with 60 changes, p99 is the slowest). */
    Duration percentile(double q) {
      return latencies.get(Math.max(0, (int) Math.ceil(q * latencies.size()) - 1));
    }
  }

  /** One run: both paths over their own copy of the same tenant. */
  record Result(int mailboxes, Duration initialPushSync, PathResult push, PathResult polling) {}

  public static void main(String[] args) throws Exception {
    int mailboxes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Duration delivery = Duration.ofMillis(args.length > 3 ? Long.parseLong(args[3]) : 0);
    Duration debounce = args.length > 4 ? Duration.ofMillis(Long.parseLong(args[4])) : ChangeNotifications.DEFAULT_DEBOUNCE;
    System.out.printf("machine: %d cpus, %s %s, JDK %s, %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"),
        ManagementFactory.getGarbageCollectorMXBeans().get(0).getName(), Runtime.getRuntime().maxMemory() >> 20);
    List<Result> results = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      Result r = run(mailboxes, seconds, delivery, debounce);
      results.add(r);
      System.out.printf("%nrun %d of %d (load average %.1f)%n%s", run, runs,
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), report(r));
    }
    System.out.printf("%n%s", summary(results));
  }

  /** One run at the default debounce. */
  static Result run(int mailboxes, int seconds, Duration deliveryDelay) throws Exception {
    return run(mailboxes, seconds, deliveryDelay, ChangeNotifications.DEFAULT_DEBOUNCE);
  }

  static Result run(int mailboxes, int seconds, Duration deliveryDelay, Duration debounce) throws Exception {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    Push push = new Push(mailboxes, seconds, deliveryDelay, debounce);
    PathResult pushed = push.run();
    PathResult polled = new Polling(mailboxes).run();
    return new Result(mailboxes, push.initialSync, pushed, polled);
  }

  // ---------------------------------------------------------------- report

  static String report(Result r) {
    StringBuilder sb = new StringBuilder(String.format("%,d mailboxes x (%d events + %d contacts); push initial sync %.1f s%n",
        r.mailboxes(), EVENTS_PER_MAILBOX, CONTACTS_PER_MAILBOX, r.initialPushSync().toMillis() / 1000.0));
    sb.append("| path | changes | p50 | p95 | p99 | max | Graph requests per change | idle mailboxes' Graph requests"
        + " | cycles run, in (wall time) | CRM duplicates |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
    for (PathResult p : List.of(r.push(), r.polling())) {
      sb.append(String.format("| %s | %d | %s | %s | %s | %s | %.2f | %d (%d mailboxes) | %d in %.1f s | %d |%n",
          p.name(), p.changes(), seconds(p.percentile(0.50)), seconds(p.percentile(0.95)), seconds(p.percentile(0.99)),
          seconds(p.percentile(1.0)), p.requestsPerChange(), p.idleMailboxRequests(), p.idleMailboxes(), p.cycles(),
          p.cycleTime().toMillis() / 1000.0, p.duplicates()));
    }
    return sb.toString();
  }

  /** Median and spread (min–max) over the runs of each figure. */
  static String summary(List<Result> runs) {
    StringBuilder sb = new StringBuilder(String.format("summary over %d runs: median (min-max)%n", runs.size()));
    sb.append("| path | p50 | p95 | p99 | Graph requests per change | idle mailboxes' Graph requests |\n|---|---|---|---|---|---|\n");
    for (boolean push : List.of(true, false)) {
      List<PathResult> ps = runs.stream().map(r -> push ? r.push() : r.polling()).toList();
      sb.append(String.format("| %s | %s | %s | %s | %s | %s |%n", ps.get(0).name(),
          spread(ps, p -> p.percentile(0.50).toMillis() / 1000.0, "%.2f s"),
          spread(ps, p -> p.percentile(0.95).toMillis() / 1000.0, "%.2f s"),
          spread(ps, p -> p.percentile(0.99).toMillis() / 1000.0, "%.2f s"),
          spread(ps, PathResult::requestsPerChange, "%.2f"),
          spread(ps, p -> p.idleMailboxRequests(), "%.0f")));
    }
    return sb.toString();
  }

  static String spread(List<PathResult> runs, ToDoubleFunction<PathResult> figure, String format) {
    List<Double> v = runs.stream().map(figure::applyAsDouble).sorted().toList();
    return String.format(format + " (" + format + "-" + format + ")", v.get((v.size() - 1) / 2), v.get(0), v.get(v.size() - 1));
  }

  private static String seconds(Duration d) {
    return String.format("%.2f s", d.toMillis() / 1000.0);
  }

  // ---------------------------------------------------------------- the two paths

  /** The tenant both paths read: the CRM's app with application permissions, N seeded mailboxes, served on 127.0.0.1. */
  static final class World implements AutoCloseable {
    final CloudModel cloud;
    final TenantModel tenant;
    final List<ModelUser> users;
    final M365Emulator emulator;
    final TenantId tenantId;
    final SyncStateStore store = SyncStateStore.inMemory();
    final ExecutorService pool = Executors.newFixedThreadPool(8);
    final Probe probe = new Probe();
    final InMemoryCrmStore<CalendarEvent> events = new InMemoryCrmStore<>("event");
    final InMemoryCrmStore<Contact> contacts = new InMemoryCrmStore<>("contact");

    World(Clock clock, int mailboxes) {
      cloud = new CloudModel(clock);
      tenant = cloud.addTenant("contoso.com");
      tenant.registerApp(CLIENT_ID, "Benchmark CRM").addSecret(SECRET, clock.instant().plus(Duration.ofDays(365)))
          .addApplicationPermissions(Resource.EVENTS.applicationPermission(), Resource.CONTACTS.applicationPermission())
          .grantAdminConsent();
      users = BenchWorld.seed(tenant, clock.instant(), "user", mailboxes, EVENTS_PER_MAILBOX);
      for (ModelUser u : users) {
        for (int i = 0; i < CONTACTS_PER_MAILBOX; i++) {
          tenant.mailbox(u).contacts().create(Contact.of("Buyer" + i, u.displayName(), "buyer" + i + "." + u.displayName() + "@fabrikam.com"));
        }
      }
      tenantId = TenantId.of(tenant.tenantId());
      emulator = new M365Emulator(cloud).threads(4).maxRecordedRequests(1_000_000).start();
    }

    /** The production stack in application mode, events and contacts one way into the probed CRM. */
    SyncEngine.Builder engine(Clock clock) {
      URI login = URI.create(emulator.loginBaseUrl());
      return SyncEngine.builder().clock(clock).executor(pool).stateStore(store)
          .options(SyncOptions.defaults().withMaxConcurrentMailboxes(8))
          .gateway(GraphMailboxGateway.builder().baseUrl(emulator.graphBaseUrl()).build())
          .applicationTokens(MsalApplicationTokenStrategy.builder().clientId(CLIENT_ID).credential(AppCredential.secret(SECRET))
              .clock(clock).routeTokenRequestsTo(login).build())
          .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, new WatchedCrmStore<>(events, e -> probe.saved(e.subject()))))
          .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS,
              new WatchedCrmStore<>(contacts, c -> probe.saved(c.emailAddresses().isEmpty() ? "" : c.emailAddresses().get(0)))));
    }

    void enrollAll(SyncEngine engine, Instant now) {
      engine.setApplicationPermissionEnabled(tenantId, true);
      for (ModelUser u : users) {
        engine.enroll(new Mailbox(id(u), u.userPrincipalName(), "crm-" + u.displayName(), now,
            Set.of(Resource.EVENTS, Resource.CONTACTS)));
      }
    }

    MailboxId id(ModelUser u) {
      return new MailboxId(tenantId, u.objectId());
    }

    /** Change {@code n}: a meeting created in Outlook, every fourth a contact, known in the CRM by {@link #key}. */
    void change(ModelUser u, String tag, int n, Instant now) {
      if (n % 4 == 3) {
        tenant.mailbox(u).contacts().create(Contact.of("Change", tag + n, key(tag, n)));
        return;
      }
      Instant start = now.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(n));
      tenant.mailbox(u).calendar().create(CalendarEvent.simple(key(tag, n), start, start.plus(Duration.ofMinutes(30))));
    }

    /** What change {@code n}'s CRM write is known by: the event's subject or the contact's address. */
    static String key(String tag, int n) {
      return n % 4 == 3 ? "change-" + tag + "-" + n + "@fabrikam.com" : "Change " + tag + " " + n;
    }

    /** The mailboxes' owners that none of the changes touched. */
    Set<String> idleOwners(Set<String> changed) {
      Set<String> idle = new HashSet<>();
      users.stream().map(ModelUser::objectId).filter(id -> !changed.contains(id)).forEach(idle::add);
      return idle;
    }

    /** The mailboxes changes go to: a seeded shuffle, so consecutive changes land in different mailboxes. */
    List<ModelUser> changeOrder() {
      List<ModelUser> order = new ArrayList<>(users);
      Collections.shuffle(order, new Random(15));
      return order;
    }

    /** Graph requests on the wire since the last clear, token requests excluded. */
    long graphRequests() {
      return emulator.recordedRequests().stream().map(EmulatorRequest::path).filter(p -> !p.contains("/oauth2/")).count();
    }

    /** Graph requests the model logged from index {@code from} on about mailboxes in {@code owners}. */
    long graphRequestsAbout(int from, Set<String> owners) {
      List<RecordedRequest> log = cloud.log().all();
      return log.subList(from, log.size()).stream().filter(r -> r.isGraph() && owners.contains(r.targetUserId())).count();
    }

    long duplicates() {
      return users.stream().mapToLong(u -> events.duplicates(id(u)) + contacts.duplicates(id(u))).sum();
    }

    long crmRecords() {
      return users.stream().mapToLong(u -> events.list(id(u)).size() + contacts.list(id(u)).size()).sum();
    }

    @Override
    public void close() {
      pool.shutdownNow();
      emulator.close();
    }
  }

  /** Change notifications in real time. */
  static final class Push {
    private final int mailboxes;
    private final int seconds;
    private final Duration deliveryDelay;
    private final Duration debounce;
    Duration initialSync = Duration.ZERO;

    Push(int mailboxes, int seconds, Duration deliveryDelay, Duration debounce) {
      this.mailboxes = mailboxes;
      this.seconds = seconds;
      this.deliveryDelay = deliveryDelay;
      this.debounce = debounce;
    }

    PathResult run() throws Exception {
      Clock clock = Clock.systemUTC();
      ScheduledExecutorService timer = Executors.newScheduledThreadPool(4);
      HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      Cycles cycles = new Cycles();
      try (World world = new World(clock, mailboxes)) {
        world.tenant.subscriptions().delivery(DeliverySettings.PROMPT.withDelay(deliveryDelay));
        URI url = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/m365sync/notifications");
        SyncEngine engine = world.engine(clock).listener(cycles)
            .changeNotifications(ChangeNotifications.to(url).withDebounce(debounce))
            .scheduler(SyncScheduler.inProcess(timer, PUSH_CYCLE))
            .build();
        http.createContext(engine.notificationReceiver().path(), JdkHttpNotificationServer.handler(engine.notificationReceiver()));
        http.start();
        try {
          world.enrollAll(engine, clock.instant());
          long s0 = System.nanoTime();
          engine.start(); // its first cycle, at once, is the initial sync: every resource read and subscribed
          cycles.awaitFirst();
          initialSync = Duration.ofNanos(System.nanoTime() - s0);
          requireSyncedAndPushFed(world, engine);
          return measure(world, timer, cycles, engine);
        } finally {
          engine.close();
          http.stop(0);
          timer.shutdownNow();
        }
      }
    }

    private void requireSyncedAndPushFed(World world, SyncEngine engine) {
      long expected = (long) mailboxes * (EVENTS_PER_MAILBOX + CONTACTS_PER_MAILBOX);
      if (world.crmRecords() != expected) {
        throw new IllegalStateException("initial sync wrote " + world.crmRecords() + " of " + expected + " CRM records");
      }
      for (ModelUser u : world.users) {
        if (!engine.monitor().feeds(world.id(u)).stream().allMatch(ResourceFeed::pushFed)) {
          throw new IllegalStateException(u.userPrincipalName() + " is not push-fed after the initial sync");
        }
      }
    }

    private PathResult measure(World world, ScheduledExecutorService timer, Cycles cycles, SyncEngine engine)
        throws InterruptedException {
      List<ModelUser> order = world.changeOrder();
      int changes = seconds;
      Set<String> changed = new HashSet<>();
      for (int i = 0; i < changes; i++) {
        changed.add(order.get(i % order.size()).objectId());
      }
      Set<String> idle = world.idleOwners(changed);
      world.emulator.clearRecordedRequests();
      int logFrom = world.cloud.log().all().size();
      int cyclesBefore = cycles.count.get();
      world.probe.expecting(changes);
      long start = System.nanoTime();
      for (int i = 0; i < changes; i++) {
        int n = i;
        ModelUser u = order.get(i % order.size());
        timer.schedule(() -> {
          world.probe.expect(World.key("push", n), System.nanoTime());
          world.change(u, "push", n, world.cloud.clock().instant());
        }, CHANGE_GAP.toNanos() * i, TimeUnit.NANOSECONDS);
      }
      if (!world.probe.await(Duration.ofSeconds(seconds + 60L))) {
        throw new IllegalStateException("only " + world.probe.latencies().size() + " of " + changes + " changes reached the CRM");
      }
      Duration window = Duration.ofNanos(System.nanoTime() - start);
      return new PathResult("push: change notifications, debounce " + debounce.toMillis() / 1000.0 + " s",
          world.probe.latencies(), changes, world.graphRequests(), world.graphRequestsAbout(logFrom, idle), idle.size(),
          cycles.count.get() - cyclesBefore, window, world.duplicates());
    }
  }

  /** Polling at a 5-minute cycle, the wait until the cycle simulated on a mutable clock, the cycle itself run for real. */
  static final class Polling {
    private final int mailboxes;

    Polling(int mailboxes) {
      this.mailboxes = mailboxes;
    }

    PathResult run() throws InterruptedException {
      MutableClock clock = MutableClock.startingNow();
      try (World world = new World(clock, mailboxes)) {
        SyncEngine engine = world.engine(clock).build();
        world.enrollAll(engine, clock.instant());
        engine.runCycle();
        clock.advance(POLL_CYCLE);
        engine.runCycle(); // one idle cycle: the steady state the changes land in
        Instant tick = clock.instant();
        Instant next = tick.plus(POLL_CYCLE);
        List<ModelUser> order = world.changeOrder();
        int changes = (int) (POLL_CYCLE.toNanos() / CHANGE_GAP.toNanos());
        List<Duration> waits = new ArrayList<>();
        Set<String> changed = new HashSet<>();
        for (int i = 0; i < changes; i++) {
          Instant at = tick.plus(CHANGE_GAP.multipliedBy(i)).plus(CHANGE_GAP.dividedBy(2));
          clock.set(at);
          ModelUser u = order.get(i % order.size());
          changed.add(u.objectId());
          world.change(u, "poll", i, at);
          waits.add(Duration.between(at, next));
        }
        clock.set(next);
        world.emulator.clearRecordedRequests();
        int logFrom = world.cloud.log().all().size();
        world.probe.expecting(changes);
        long cycleStart = System.nanoTime();
        for (int i = 0; i < changes; i++) {
          world.probe.expect(World.key("poll", i), cycleStart - waits.get(i).toNanos());
        }
        CycleReport cycle = engine.runCycle();
        engine.close();
        if (!world.probe.await(Duration.ofSeconds(30))) {
          throw new IllegalStateException("only " + world.probe.latencies().size() + " of " + changes + " changes reached the CRM");
        }
        Set<String> idle = world.idleOwners(changed);
        return new PathResult("baseline: polling, " + POLL_CYCLE.toMinutes() + "-minute cycle", world.probe.latencies(),
            changes, world.graphRequests(), world.graphRequestsAbout(logFrom, idle), idle.size(), 1, cycle.duration(),
            world.duplicates());
      }
    }
  }

  // ---------------------------------------------------------------- measuring

  /** Matches CRM writes to the changes awaited: latency = write time - the change's origin on the nano clock. */
  static final class Probe {
    private final ConcurrentHashMap<String, Long> origins = new ConcurrentHashMap<>();
    private final List<Duration> latencies = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch arrived = new CountDownLatch(0);

    void expecting(int changes) {
      latencies.clear();
      arrived = new CountDownLatch(changes);
    }

    /** Set before the change is made, so its write cannot come first. */
    void expect(String key, long originNanos) {
      origins.put(key, originNanos);
    }

    void saved(String key) {
      long now = System.nanoTime();
      Long origin = origins.remove(key);
      if (origin != null) {
        latencies.add(Duration.ofNanos(now - origin));
        arrived.countDown();
      }
    }

    boolean await(Duration timeout) throws InterruptedException {
      return arrived.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    List<Duration> latencies() {
      List<Duration> sorted = new ArrayList<>(latencies);
      sorted.sort(Comparator.naturalOrder());
      return List.copyOf(sorted);
    }
  }

  /** Counts the scheduler's cycles; the first is the initial sync. */
  static final class Cycles implements SyncListener {
    final AtomicInteger count = new AtomicInteger();
    private final CountDownLatch first = new CountDownLatch(1);

    @Override
    public void cycleFinished(CycleReport report) {
      count.incrementAndGet();
      first.countDown();
    }

    void awaitFirst() throws InterruptedException {
      if (!first.await(30, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the initial sync did not finish within 30 minutes");
      }
    }
  }

  private NotificationLatencyBenchmark() {}
}

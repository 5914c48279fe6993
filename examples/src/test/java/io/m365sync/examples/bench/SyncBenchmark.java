package io.m365sync.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.graph.models.Event;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.calendarview.delta.DeltaGetResponse;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.TenantId;
import io.m365sync.graph.AppCredential;
import io.m365sync.graph.GraphMailboxGateway;
import io.m365sync.graph.MsalApplicationTokenStrategy;
import io.m365sync.jdbc.JdbcSyncStateStore;
import io.m365sync.model.Attendee;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.EmailAddress;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.Latency;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: N mailboxes × M calendar events (default 200 × 500, ~2 KB each) synced through the full
 * stack — engine + MSAL + Graph SDK gateway + H2 file state + in-memory CRM — against the emulator,
 * then one idle steady-state cycle; in the same run two references over the same pages: the naive
 * loop CRM teams write (a new MSAL app and a new GraphServiceClient per mailbox, SDK models, one
 * mailbox at a time) and the floor (java.net.http + Jackson into maps, 4 threads).
 *
 * <p>Arguments: mailboxes, events per mailbox, runs per path (default 200 500 6); system properties
 * {@code bench.inFlight}, {@code bench.latencyMs} and {@code bench.fullStackOnly} (below). Command and figures:
 * {@code BENCHMARKS.md}.
 */
public final class SyncBenchmark {
  static final String CLIENT_ID = "9b3f6c1e-2a4d-4e8f-a1b2-c3d4e5f60718";
  static final String SECRET = "benchmark-secret";
  /** What the gateway asks for on every request: all paths read exactly the same pages. */
  static final String PREFER = "IdType=\"ImmutableId\", outlook.timezone=\"UTC\", outlook.body-content-type=\"text\"";

  /** One phase's figures. */
  record Phase(String name, long events, Duration took, double coresBusy, long peakHeapBytes, long gcMillis, long jitMillis) {
    double eventsPerSecond() {
      return events / Math.max(1e-9, took.toNanos() / 1e9);
    }

    /** The CPU time the whole process used in the run (the emulator's and the JIT's included). */
    double cpuSeconds() {
      return coresBusy * took.toNanos() / 1e9;
    }

    /** The JIT's compiling as a share of the CPU the process used in the run (0: warm, the path's own rate). */
    double jitShare() {
      return jitMillis / 1000.0 / Math.max(1e-9, cpuSeconds());
    }
  }

  /** The whole run's figures. */
  record Result(int mailboxes, int eventsPerMailbox, int rounds, Phase fullStack, Phase naive, Phase floor,
                double graphRequestsPerMailboxResourceIdle, double httpRoundTripsPerMailboxResourceIdle,
                long tokenRequestsIdleCycle, long duplicates, long stateWrites) {}

  public static void main(String[] args) throws Exception {
    int mailboxes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 6;
    System.out.printf("machine: %d cpus, %s %s, JDK %s, %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"),
        ManagementFactory.getGarbageCollectorMXBeans().get(0).getName(), Runtime.getRuntime().maxMemory() >> 20);
    Result r = run(mailboxes, events, rounds);
    System.out.println(report(r));
  }

  static String report(Result r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%d mailboxes x %d events; each path ran %d times and counts the median of its last 3 runs%n",
        r.mailboxes(), r.eventsPerMailbox(), r.rounds()));
    sb.append(String.format("| path | events/s | time | cores busy | GC / JIT | peak heap | vs baseline (naive) | vs floor |%n"
        + "|---|---|---|---|---|---|---|---|%n"));
    for (Phase p : List.of(r.fullStack(), r.naive(), r.floor())) {
      if (p == SKIPPED) {
        continue;
      }
      sb.append(String.format("| %s | %,.0f | %.1f s | %.2f | %.1f / %.1f s | %d MiB | %s | %s |%n", p.name(),
          p.eventsPerSecond(), p.took().toMillis() / 1000.0, p.coresBusy(), p.gcMillis() / 1000.0, p.jitMillis() / 1000.0,
          p.peakHeapBytes() >> 20, ratio(p, r.naive(), "%.1fx"), ratio(p, r.floor(), "%.2fx")));
    }
    sb.append(String.format("idle cycle: %.2f Graph requests ($batch steps counted one by one) and %.3f HTTP round trips"
        + " per mailbox-resource, %d token requests; CRM duplicates: %d%n", r.graphRequestsPerMailboxResourceIdle(),
        r.httpRoundTripsPerMailboxResourceIdle(), r.tokenRequestsIdleCycle(), r.duplicates()));
    long pages = (long) r.mailboxes() * ((r.eventsPerMailbox() + PAGE_SIZE - 1) / PAGE_SIZE);
    sb.append(String.format("state store (%s): %,d write transactions in the initial sync, %.2f per page of %d events,"
        + " %.1f per mailbox%n", STORE, r.stateWrites(), r.stateWrites() / (double) pages, PAGE_SIZE,
        r.stateWrites() / (double) r.mailboxes()));
    return sb.toString();
  }

  private static String ratio(Phase p, Phase reference, String format) {
    return reference == SKIPPED ? "–" : String.format(format, p.eventsPerSecond() / reference.eventsPerSecond());
  }

  /** The page size the full stack reads (the engine's default). */
  static final int PAGE_SIZE = SyncOptions.defaults().pageSize();

  /** The full stack's state store ({@code -Dbench.store}): {@code h2} (a durable H2 file) or {@code postgres} (embedded). */
  static final String STORE = System.getProperty("bench.store", "h2");

  /**
   * Runs only the full stack ({@code -Dbench.paths=full}, or {@code -Dbench.fullStackOnly=true}): the
   * references take minutes each at real latency.
   */
  static final boolean FULL_STACK_ONLY = "full".equals(System.getProperty("bench.paths", "all"))
      || Boolean.getBoolean("bench.fullStackOnly");

  /** A path that did not run. */
  static final Phase SKIPPED = new Phase("skipped", 0, Duration.ofSeconds(1), 0, 0, 0, 0);

  /** Mailboxes the full stack syncs at a time ({@code -Dbench.inFlight}); default: the engine's default. */
  static final int IN_FLIGHT = Integer.getInteger("bench.inFlight", SyncOptions.defaults().maxConcurrentMailboxes());
  /** Milliseconds the emulator waits before each Graph and token answer ({@code -Dbench.latencyMs}); default 0. */
  static final int LATENCY_MS = Integer.getInteger("bench.latencyMs", 0);

  /** What the full stack measured: its phase and the idle cycle after it. */
  record FullStack(Phase phase, double graphRequestsPerMailboxResourceIdle, double httpRoundTripsPerMailboxResourceIdle,
                   long tokenRequestsIdleCycle, long duplicates, long stateWrites) {}

  /**
   * Runs each of the three paths {@code rounds} times over the same pages and counts the median of
   * its last three runs: the earlier ones warm up the JIT (on 2 cores C2 otherwise compiles through
   * most of a first run: JFR showed it busy a third of the time) and the emulator's JSON cache.
   */
  static Result run(int mailboxes, int eventsPerMailbox, int rounds) throws Exception {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    MutableClock clock = MutableClock.startingNow();
    CloudModel cloud = new CloudModel(clock);
    TenantModel tenant = cloud.addTenant("contoso.com");
    tenant.throttling(100, 100_000_000, Duration.ofMinutes(10)).accessTokenLifetime(Duration.ofHours(2));
    AppRegistration app = tenant.registerApp(CLIENT_ID, "Benchmark CRM").addSecret(SECRET, clock.instant().plus(Duration.ofDays(365)));
    app.addApplicationPermissions(Resource.EVENTS.applicationPermission()).grantAdminConsent();
    List<ModelUser> users = seed(tenant, clock.instant(), mailboxes, eventsPerMailbox);
    Instant from = clock.instant().minus(Duration.ofDays(30));
    Instant to = clock.instant().plus(Duration.ofDays(365));
    try (M365Emulator emulator = new M365Emulator(cloud).threads(4).start()) {
      if (LATENCY_MS > 0) {
        Latency latency = Latency.fixed(Duration.ofMillis(LATENCY_MS));
        emulator.graphLatency(latency).tokenLatency(latency);
        System.out.printf("latency: %d ms per Graph and token answer%n", LATENCY_MS);
      }
      // each path runs `rounds` times in a row: C2 keeps compiling through the first runs of each
      // (up to a core for a whole run on 2 cores), the full stack's larger code base the longest
      List<Phase> naive = new ArrayList<>();
      List<FullStack> full = new ArrayList<>();
      List<Phase> floor = new ArrayList<>();
      for (int round = 1; round <= (FULL_STACK_ONLY ? 0 : rounds); round++) {
        naive.add(measure("baseline: naive loop (new MSAL app + new GraphServiceClient per mailbox, SDK models, 1 at a time)",
            () -> naive(emulator, tenant, users, from, to)));
        printRun(naive.get(naive.size() - 1), round, rounds);
      }
      for (int round = 1; round <= rounds; round++) {
        full.add(fullStack(emulator, cloud, clock, tenant, users, eventsPerMailbox));
        printRun(full.get(full.size() - 1).phase(), round, rounds);
      }
      for (int round = 1; round <= (FULL_STACK_ONLY ? 0 : rounds); round++) {
        floor.add(measure("floor: java.net.http + Jackson into maps, 4 threads", () -> floor(emulator, tenant, users, from, to)));
        printRun(floor.get(floor.size() - 1), round, rounds);
      }
      FullStack counted = medianOfLastThree(full, f -> f.phase().eventsPerSecond());
      Result result = new Result(mailboxes, eventsPerMailbox, rounds, counted.phase(),
          FULL_STACK_ONLY ? SKIPPED : medianOfLastThree(naive, Phase::eventsPerSecond),
          FULL_STACK_ONLY ? SKIPPED : medianOfLastThree(floor, Phase::eventsPerSecond),
          counted.graphRequestsPerMailboxResourceIdle(), counted.httpRoundTripsPerMailboxResourceIdle(),
          counted.tokenRequestsIdleCycle(), counted.duplicates(), counted.stateWrites());
      return result;
    }
  }

  /** The median by speed of the last three runs (the slower middle one of two): one lucky or unlucky run does not count. */
  static <T> T medianOfLastThree(List<T> runs, java.util.function.ToDoubleFunction<T> speed) {
    List<T> last = new ArrayList<>(runs.subList(Math.max(0, runs.size() - 3), runs.size()));
    last.sort(java.util.Comparator.comparingDouble(speed));
    return last.get((last.size() - 1) / 2);
  }

  private static void printRun(Phase p, int round, int rounds) {
    // the path's name without its parenthesised details
    System.out.printf("%s, run %d of %d: %,.0f events/s (%.2f cores busy, GC %.1f s, JIT %.1f s)%n",
        p.name().split(" \\(")[0], round, rounds, p.eventsPerSecond(), p.coresBusy(),
        p.gcMillis() / 1000.0, p.jitMillis() / 1000.0);
  }

  @FunctionalInterface
  interface Events {
    long read() throws Exception;
  }

  static Phase measure(String name, Events path) throws Exception {
    resetPeaks();
    long gc0 = gcMillis();
    long jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    long cpu0 = processCpuNanos();
    long t0 = System.nanoTime();
    long events = path.read();
    long took = System.nanoTime() - t0;
    return new Phase(name, events, Duration.ofNanos(took), (processCpuNanos() - cpu0) / (double) took, peakHeap(),
        gcMillis() - gc0, ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0);
  }

  /** The initial sync of {@code users} through a new engine, H2 file and CRM, then one idle cycle. */
  static FullStack fullStack(M365Emulator emulator, CloudModel cloud, MutableClock clock, TenantModel tenant,
                             List<ModelUser> users, int eventsPerMailbox) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
    Path dir = Files.createTempDirectory("m365sync-bench");
    try (BenchStore db = BenchStore.open(STORE, dir)) {
      CountingStore store = new CountingStore(db.store());
      InMemoryCrmStore<CalendarEvent> crm = FullStackPath.eventsTable();
      AtomicLong httpRoundTrips = new AtomicLong(); // what the gateway sends: a $batch is one
      SyncEngine engine = SyncEngine.builder()
          .clock(clock).executor(pool).stateStore(store)
          .options(SyncOptions.defaults().withMaxConcurrentMailboxes(IN_FLIGHT))
          .gateway(GraphMailboxGateway.builder().baseUrl(emulator.graphBaseUrl())
              .httpClient(GraphMailboxGateway.defaultHttpClient().newBuilder().addInterceptor(chain -> {
                httpRoundTrips.incrementAndGet();
                return chain.proceed(chain.request());
              }).build()).build())
          .applicationTokens(MsalApplicationTokenStrategy.builder().clientId(CLIENT_ID).credential(AppCredential.secret(SECRET))
              .clock(clock).routeTokenRequestsTo(URI.create(emulator.loginBaseUrl())).build())
          .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm))
          .build();
      TenantId t = TenantId.of(tenant.tenantId());
      engine.setApplicationPermissionEnabled(t, true);
      for (ModelUser u : users) {
        engine.enroll(new Mailbox(new MailboxId(t, u.objectId()), u.userPrincipalName(), "crm-" + u.displayName(),
            clock.instant(), Set.of(Resource.EVENTS)));
      }
      long[] applied = new long[1];
      long writesBefore = store.writes();
      Phase full = measure("m365sync full stack (engine + MSAL + Graph SDK + " + STORE + " + CRM), " + IN_FLIGHT + " mailboxes in flight", () -> {
        CycleReport initial = engine.runCycle();
        applied[0] = initial.applied();
        return initial.applied();
      });
      long stateWrites = store.writes() - writesBefore;
      long total = (long) users.size() * eventsPerMailbox;
      if (applied[0] != total) {
        throw new IllegalStateException("full stack applied " + applied[0] + " of " + total + " events");
      }
      clock.advance(Duration.ofMinutes(15));
      long graphBefore = cloud.log().count(x -> x.isGraph());
      long tokensBefore = cloud.log().count(x -> x.isToken());
      long roundTripsBefore = httpRoundTrips.get();
      engine.runCycle();
      double perMailboxResource = (cloud.log().count(x -> x.isGraph()) - graphBefore) / (double) users.size();
      double roundTrips = (httpRoundTrips.get() - roundTripsBefore) / (double) users.size();
      long idleTokens = cloud.log().count(x -> x.isToken()) - tokensBefore;
      long duplicates = users.stream().mapToLong(u -> crm.duplicates(new MailboxId(t, u.objectId()))).sum();
      return new FullStack(full, perMailboxResource, roundTrips, idleTokens, duplicates, stateWrites);
    } finally {
      pool.shutdownNow();
      deleteTree(dir);
    }
  }

  static List<ModelUser> seed(TenantModel tenant, Instant now, int mailboxes, int events) {
    List<ModelUser> users = new ArrayList<>();
    String body = "Agenda: pipeline review, renewal terms, next steps and owners. ".repeat(20);
    for (int m = 0; m < mailboxes; m++) {
      ModelUser u = tenant.addUser("user" + m);
      for (int i = 0; i < events; i++) {
        Instant s = now.plus(Duration.ofMinutes(40L * i + 60));
        tenant.mailbox(u).calendar().create(new CalendarEvent("Customer meeting " + i + " with Fabrikam", body, s,
            s.plus(Duration.ofMinutes(30)), "Pacific Standard Time", false, "Room " + (i % 40),
            new EmailAddress(u.userPrincipalName(), u.displayName()),
            List.of(new Attendee(EmailAddress.of("buyer@fabrikam.com"), "required", "accepted"),
                new Attendee(EmailAddress.of("cfo@fabrikam.com"), "optional", "none")),
            CalendarEvent.EventType.SINGLE_INSTANCE, null, null, "uid-" + m + "-" + i, Map.of()));
      }
      users.add(u);
    }
    return users;
  }

  /** The loop CRM teams write first: everything new per mailbox, SDK models, one mailbox at a time. */
  static long naive(M365Emulator emulator, TenantModel tenant, List<ModelUser> users, Instant from, Instant to) throws Exception {
    long n = 0;
    for (ModelUser u : users) {
      ConfidentialClientApplication msal = ConfidentialClientApplication
          .builder(CLIENT_ID, ClientCredentialFactory.createFromSecret(SECRET))
          .authority("https://login.microsoftonline.com/" + tenant.tenantId() + "/")
          .instanceDiscovery(false).httpClient(new EmulatorHttpClient(emulator.loginBaseUrl())).build();
      String token = msal.acquireToken(ClientCredentialParameters.builder(Set.of("https://graph.microsoft.com/.default"))
          .build()).get().accessToken();
      AccessTokenProvider provider = new AccessTokenProvider() {
        @Override
        public String getAuthorizationToken(URI uri, Map<String, Object> context) {
          return token;
        }

        @Override
        public AllowedHostsValidator getAllowedHostsValidator() {
          return new AllowedHostsValidator("127.0.0.1");
        }
      };
      GraphServiceClient graph = new GraphServiceClient(new BaseBearerTokenAuthenticationProvider(provider));
      graph.getRequestAdapter().setBaseUrl(emulator.graphBaseUrl());
      var delta = graph.users().byUserId(u.objectId()).calendarView().delta();
      DeltaGetResponse page = delta.get(rc -> {
        rc.queryParameters.startDateTime = from.toString();
        rc.queryParameters.endDateTime = to.toString();
        rc.headers.add("Prefer", "odata.maxpagesize=100");
        rc.headers.add("Prefer", PREFER);
      });
      while (true) {
        for (Event e : page.getValue()) {
          n += e.getId() != null ? 1 : 0;
        }
        if (page.getOdataNextLink() == null) {
          break;
        }
        page = delta.withUrl(page.getOdataNextLink()).get(rc -> {
          rc.headers.add("Prefer", "odata.maxpagesize=100");
          rc.headers.add("Prefer", PREFER);
        });
      }
    }
    return n;
  }

  /** The floor: plain HTTP and Jackson into maps, 4 mailboxes at a time. */
  @SuppressWarnings("unchecked")
  /**
   * The floor's client, one for every run: a client per run that became unreachable shut down in the
   * middle of a later run, closing connections its readers still read ("fixed content-length ...").
   */
  private static final HttpClient FLOOR_HTTP = HttpClient.newHttpClient();

  static long floor(M365Emulator emulator, TenantModel tenant, List<ModelUser> users, Instant from, Instant to) throws Exception {
    HttpClient http = FLOOR_HTTP;
    ObjectMapper json = new ObjectMapper();
    String form = "grant_type=client_credentials&client_id=" + CLIENT_ID + "&client_secret=" + SECRET
        + "&scope=" + URLEncoder.encode("https://graph.microsoft.com/.default", StandardCharsets.UTF_8);
    Map<String, Object> tokenResponse = json.readValue(http.send(HttpRequest.newBuilder(URI.create(emulator.tokenUrl(tenant.tenantId())))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofInputStream()).body(), Map.class);
    String token = (String) tokenResponse.get("access_token");
    AtomicLong n = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (ModelUser u : users) {
        all.add(CompletableFuture.runAsync(() -> {
          String url = emulator.graphBaseUrl() + "/users/" + u.objectId() + "/calendarView/delta?startDateTime="
              + from + "&endDateTime=" + to;
          int failures = 0;
          while (url != null) {
            try {
              HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url))
                  .header("Authorization", "Bearer " + token).header("Prefer", "odata.maxpagesize=100")
                  .header("Prefer", PREFER).build(),
                  HttpResponse.BodyHandlers.ofInputStream());
              Map<String, Object> page;
              try (var in = r.body()) {
                page = json.readValue(in, Map.class);
              }
              n.addAndGet(((List<Object>) page.get("value")).size());
              url = (String) page.get("@odata.nextLink");
            } catch (java.io.IOException e) {
              // java.net.http now and then closes a connection in the middle of a body ("connection
              // closed locally"): read the page again, as any reader would, rather than lose the run
              if (++failures > 3) {
                throw new IllegalStateException(e);
              }
              System.err.println("floor: read a page again after " + e);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
        }, pool));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    } finally {
      pool.shutdownNow();
    }
    return n.get();
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static long gcMillis() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(g -> Math.max(0, g.getCollectionTime())).sum();
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * Peaks from here on. No {@code System.gc()} first: G1 shrinks the heap after a full collection, and
   * the run after it paid to grow it back (its page faults and young collections), 2–4× slower on 2 cores
   * in every third or fourth run, more in the path that allocates most; a host's JVM does not collect
   * before each cycle. The peak therefore includes what earlier runs left for the collector.
   */
  private static void resetPeaks() {
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  private static long peakHeap() {
    return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
        .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }
}

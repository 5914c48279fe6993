package io.m365sync.graph;

import com.microsoft.graph.models.Event;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Not a test: delta read of calendar events into core records, 4 mailboxes in parallel against the
 * emulator, with the Graph SDK model path as the baseline in the same run.
 *
 * <p>Arguments: events per mailbox (5,000), rounds (8), mode ({@code both}, {@code fast} or {@code sdk}),
 * gateway repetitions per round (3). The first {@value #WARMUP_ROUNDS} rounds are warm-up; the
 * summary line gives medians of the rest. Command and figures: {@code BENCHMARKS.md}.
 */
public final class GatewayBenchmark {
  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    String mode = args.length > 2 ? args[2] : "both";
    int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    // read once when the JDK HttpServer classes initialise (M365Emulator sets it too): keep-alive stalls ~40 ms without it
    System.setProperty("sun.net.httpserver.nodelay", "true");
    int emulatorThreads = Integer.getInteger("bench.emulatorThreads", 4);
    try (EmulatorFixture fx = new EmulatorFixture(0, emulatorThreads)) {
      fx.grantApplication(Resource.EVENTS);
      fx.tenant.throttling(100, 10_000_000, Duration.ofMinutes(10));
      Instant start = fx.clock.instant().plus(Duration.ofDays(1));
      List<MailboxSession> sessions = new ArrayList<>();
      for (int m = 0; m < 4; m++) {
        ModelUser u = fx.tenant.addUser("bench" + m);
        for (int i = 0; i < events; i++) {
          Instant s = start.plus(Duration.ofMinutes(30L * i));
          fx.tenant.mailbox(u).calendar().create(new CalendarEvent("Meeting " + i + " about the quarterly numbers",
              "Agenda: review, plan, decide. ".repeat(8), s, s.plus(Duration.ofMinutes(30)), "Pacific Standard Time", false,
              "Room " + (i % 40), new io.m365sync.model.EmailAddress("organizer@contoso.com", "Organizer"),
              List.of(new io.m365sync.model.Attendee(io.m365sync.model.EmailAddress.of("a@contoso.com"), "required", "accepted"),
                  new io.m365sync.model.Attendee(io.m365sync.model.EmailAddress.of("b@contoso.com"), "optional", "none")),
              CalendarEvent.EventType.SINGLE_INSTANCE, null, null, "uid-" + m + "-" + i, java.util.Map.of()));
        }
        Mailbox mb = fx.mailbox(u, Resource.EVENTS);
        sessions.add(fx.appSession(mb));
      }
      Instant from = start.minus(Duration.ofDays(1));
      Instant to = start.plus(Duration.ofDays(30L * events / 48 + 10));
      ExecutorService pool = Executors.newFixedThreadPool(4);
      System.out.printf("machine: %d cpus, %s %s, JDK %s%n", Runtime.getRuntime().availableProcessors(),
          System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
      System.out.printf("sun.net.httpserver.nodelay=%s, emulator recording off, %d emulator threads, %d mailboxes x %,d events,"
          + " pages of 100%n", System.getProperty("sun.net.httpserver.nodelay"), emulatorThreads, sessions.size(), events);
      List<Double> fastRates = new ArrayList<>();
      List<Double> sdkRates = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        double fast = Double.NaN;
        for (int k = 0; k < repeats && !mode.equals("sdk"); k++) {
          fast = run(pool, sessions, s -> jackson(fx, s, from, to));
          System.out.printf("round %d.%d: gateway (SDK transport + Jackson into core records) %,.0f events/s%n", r + 1, k + 1, fast);
          if (r >= WARMUP_ROUNDS) {
            fastRates.add(fast);
          }
        }
        if (!mode.equals("fast")) {
          double sdk = run(pool, sessions, s -> sdkModels(fx, s, from, to));
          System.out.printf("round %d: SDK models (baseline) %,.0f events/s%n", r + 1, sdk);
          if (r >= WARMUP_ROUNDS) {
            sdkRates.add(sdk);
          }
        }
      }
      cpuByThreadGroup();
      double fastMedian = median(fastRates);
      double sdkMedian = median(sdkRates);
      System.out.printf("after %d warm-up rounds: gateway median %,.0f events/s (best %,.0f, n=%d); SDK models median %,.0f events/s"
              + " (n=%d); ratio of medians %.1fx; load average at end %.1f%n", WARMUP_ROUNDS, fastMedian,
          fastRates.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), fastRates.size(), sdkMedian,
          sdkRates.size(), fastMedian / sdkMedian,
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      pool.shutdown();
    }
  }

  static final int WARMUP_ROUNDS = 4;

  static double median(List<Double> xs) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = xs.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  interface Reader {
    int read(MailboxSession s) throws Exception;
  }

  static double run(ExecutorService pool, List<MailboxSession> sessions, Reader reader) throws Exception {
    long t0 = System.nanoTime();
    long c0 = cpuNanos();
    List<Future<Integer>> fs = new ArrayList<>();
    for (MailboxSession s : sessions) {
      fs.add(pool.submit(() -> reader.read(s)));
    }
    long total = 0;
    for (Future<Integer> f : fs) {
      total += f.get();
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpu = (cpuNanos() - c0) / 1e9;
    System.out.printf("  %,d events in %.2f s wall, %.2f s process CPU (%,.0f events per CPU-second)%n", total, wall, cpu,
        total / cpu);
    return total / wall;
  }

  /** Where the process CPU went: client threads, emulator threads, the rest (GC, JIT, setup). */
  static void cpuByThreadGroup() {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    java.util.Map<String, Long> groups = new java.util.TreeMap<>();
    for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t == null) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(t.getThreadId());
      String name = t.getThreadName();
      String group = name.startsWith("pool-") ? "client (4 reader threads)" : name.startsWith("m365-emulator") || name.startsWith("HTTP-Dispatcher")
          ? "emulator (handlers + dispatcher)" : name.equals("main") ? "main (setup)" : "other Java threads";
      groups.merge(group, Math.max(cpu, 0), Long::sum);
    }
    long total = cpuNanos();
    long inJava = groups.values().stream().mapToLong(Long::longValue).sum();
    groups.put("JVM (GC, JIT; process minus Java threads)", total - inJava);
    groups.forEach((g, ns) -> System.out.printf("cpu %-45s %6.1f s (%4.1f %%)%n", g, ns / 1e9, 100.0 * ns / total));
    long gcMillis = java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
    System.out.printf("gc time (wall, all collectors) %.1f s; JIT compile time %.1f s%n", gcMillis / 1e3,
        java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime() / 1e3);
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static int jackson(EmulatorFixture fx, MailboxSession s, Instant from, Instant to) {
    int n = 0;
    DeltaPage<CalendarEvent> page = fx.gateway.delta(s, ResourceType.EVENTS, new DeltaRequest(null, null, from, to, 100));
    n += page.changes().size();
    while (page.more()) {
      page = fx.gateway.delta(s, ResourceType.EVENTS, new DeltaRequest(null, page.cursor(), null, null, 100));
      n += page.changes().size();
    }
    return n;
  }

  static int sdkModels(EmulatorFixture fx, MailboxSession s, Instant from, Instant to) {
    GraphServiceClient graph = fx.gateway.client(s).graph();
    fx.gateway.client(s).tokens().bind(s.token().value());
    try {
      var delta = graph.users().byUserId(s.mailbox().id().userObjectId()).calendarView().delta();
      var resp = delta.get(rc -> {
        rc.queryParameters.startDateTime = from.toString();
        rc.queryParameters.endDateTime = to.toString();
        rc.headers.add("Prefer", "odata.maxpagesize=100");
        rc.options.add(GraphMailboxGateway.NO_RETRY);
      });
      int n = resp.getValue().size();
      while (resp.getOdataNextLink() != null) {
        resp = delta.withUrl(resp.getOdataNextLink()).get(rc -> {
          rc.headers.add("Prefer", "odata.maxpagesize=100");
          rc.options.add(GraphMailboxGateway.NO_RETRY);
        });
        for (Event e : resp.getValue()) {
          n += e.getId() != null ? 1 : 0;
        }
      }
      return n;
    } finally {
      fx.gateway.client(s).tokens().unbind();
    }
  }

}

package io.m365sync.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m365sync.model.Attendee;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.EmailAddress;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: how fast the emulator serves (a) small GETs from 8 keep-alive clients and (b) realistic
 * calendarView delta pages (~2 KB events, 100 per page) to 4 concurrent readers who parse every page
 * with Jackson. Client and server share the machine. Run:
 * {@code mvn -B -pl testkit test-compile exec:java -Dexec.mainClass=io.m365sync.testkit.emulator.EmulatorBenchmark
 * -Dexec.classpathScope=test}
 */
public final class EmulatorBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CLIENT_ID = "bench-app";
  private static final String SECRET = "bench-secret";

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    CloudModel cloud = new CloudModel(Clock.systemUTC());
    TenantModel tenant = cloud.addTenant("bench.example");
    tenant.throttling(1000, Integer.MAX_VALUE, Duration.ofSeconds(1));
    tenant.registerApp(CLIENT_ID, "bench").addSecret(SECRET, Instant.now().plus(Duration.ofDays(1)))
        .addApplicationPermissions("Calendars.ReadWrite", "MailboxSettings.ReadWrite").grantAdminConsent();
    List<ModelUser> users = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      users.add(tenant.addUser("user" + i));
    }
    Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS);
    String body = "Agenda: " + "quarterly review of the pipeline, open quotes and renewals. ".repeat(1);
    for (int u = 0; u < 4; u++) {
      var cal = tenant.mailbox(users.get(u)).calendar();
      for (int i = 0; i < 2000; i++) {
        Instant s = start.plus(Duration.ofMinutes(30L * i));
        cal.create(new CalendarEvent("Customer meeting " + i, body, s, s.plus(Duration.ofMinutes(30)), "W. Europe Standard Time",
            false, "Meeting room " + (i % 12), new EmailAddress("user" + u + "@bench.example", "User " + u),
            List.of(new Attendee(new EmailAddress("ann.lee@customer.example", "Ann Lee"), "required", "accepted"),
                new Attendee(new EmailAddress("bo.ng@customer.example", "Bo Ng"), "optional", "tentativelyAccepted"),
                new Attendee(new EmailAddress("sales@bench.example", "Sales"), "required", "none")),
            CalendarEvent.EventType.SINGLE_INSTANCE, null, null, "040000008200E00074C5B7101A82E008" + i, Map.of()));
      }
    }
    AtomicBoolean running = new AtomicBoolean(true);
    Thread logTrimmer = new Thread(() -> {
      // the model's request log is copy-on-write: keep it short so it does not dominate the run
      while (running.get()) {
        cloud.log().clear();
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "log-trimmer");
    logTrimmer.setDaemon(true);
    logTrimmer.start();
    try (M365Emulator emulator = new M365Emulator(cloud).maxRecordedRequests(0).start()) {
      HttpClient tokenClient = client();
      String form = "grant_type=client_credentials&client_id=" + CLIENT_ID + "&client_secret=" + SECRET
          + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default";
      String token = JSON.readTree(tokenClient.send(HttpRequest.newBuilder(URI.create(emulator.tokenUrl(tenant.tenantId())))
          .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
          HttpResponse.BodyHandlers.ofString()).body()).get("access_token").asText();

      System.out.printf("machine: %d cpus, %s %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.name"), System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
      double baseline = trivialServerGets(seconds);
      smallGets(emulator, token, users, 3, false);
      double gets = smallGets(emulator, token, users, seconds, true);
      delta(emulator, token, users, 3, false);
      double events = delta(emulator, token, users, seconds, true);
      System.out.printf("RESULT trivial JDK HttpServer GETs/s, same clients (machine baseline): %.0f%n", baseline);
      System.out.printf("RESULT small GETs/s (8 keep-alive clients): %.0f%n", gets);
      System.out.printf("RESULT calendarView delta events/s (4 readers, 100/page): %.0f%n", events);
    } finally {
      running.set(false);
    }
  }

  /** The same 8 clients against a JDK HttpServer whose handler answers a constant: what this machine allows now. */
  private static double trivialServerGets(int seconds) throws Exception {
    com.sun.net.httpserver.HttpServer s = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.1"), 0), 256);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    s.setExecutor(pool);
    byte[] body = "{\"timeZone\":\"UTC\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    s.createContext("/", ex -> {
      try (ex) {
        ex.getRequestBody().readAllBytes();
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      }
    });
    s.start();
    try {
      String url = "http://127.0.0.1:" + s.getAddress().getPort() + "/v1.0/users/x/mailboxSettings";
      AtomicLong count = new AtomicLong();
      long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
      CountDownLatch done = new CountDownLatch(8);
      for (int i = 0; i < 8; i++) {
        new Thread(() -> {
          HttpClient c = client();
          HttpRequest req = HttpRequest.newBuilder(URI.create(url)).build();
          try {
            while (System.nanoTime() < end) {
              if (BLOCKING_CLIENT) {
                blockingGet(url, null);
              } else {
                c.send(req, HttpResponse.BodyHandlers.ofByteArray());
              }
              count.incrementAndGet();
            }
          } catch (Exception e) {
            e.printStackTrace();
          } finally {
            done.countDown();
          }
        }).start();
      }
      done.await();
      double rate = count.get() / (double) seconds;
      System.out.printf("trivial server: %.0f GETs/s%n", rate);
      return rate;
    } finally {
      s.stop(0);
      pool.shutdownNow();
    }
  }

  /**
   * Blocking keep-alive clients ({@code HttpURLConnection}, one socket each, reused) for the small-GET
   * test: {@code java.net.http} hands every exchange between its selector and caller threads, which on
   * 2 cores costs more than the server's work (compare the trivial-server line).
   */
  static final boolean BLOCKING_CLIENT = !"java.net.http".equals(System.getProperty("bench.client"));

  private static byte[] blockingGet(String url, String token) throws java.io.IOException {
    java.net.HttpURLConnection c = (java.net.HttpURLConnection) URI.create(url).toURL().openConnection();
    if (token != null) {
      c.setRequestProperty("Authorization", "Bearer " + token);
    }
    if (c.getResponseCode() != 200) {
      throw new IllegalStateException("status " + c.getResponseCode());
    }
    try (java.io.InputStream in = c.getInputStream()) {
      return in.readAllBytes(); // read to the end so the socket goes back to the keep-alive cache
    }
  }

  private static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  private static double smallGets(M365Emulator emulator, String token, List<ModelUser> users, int seconds, boolean report)
      throws Exception {
    AtomicLong count = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    CountDownLatch done = new CountDownLatch(8);
    for (int i = 0; i < 8; i++) {
      String url = emulator.graphBaseUrl() + "/users/" + users.get(i).objectId() + "/mailboxSettings";
      Thread t = new Thread(() -> {
        HttpClient c = client();
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).build();
        try {
          while (System.nanoTime() < end) {
            byte[] body;
            if (BLOCKING_CLIENT) {
              body = blockingGet(url, token);
            } else {
              HttpResponse<byte[]> r = c.send(req, HttpResponse.BodyHandlers.ofByteArray());
              if (r.statusCode() != 200) {
                throw new IllegalStateException("status " + r.statusCode());
              }
              body = r.body();
            }
            bytes.addAndGet(body.length);
            count.incrementAndGet();
          }
        } catch (Exception e) {
          e.printStackTrace();
        } finally {
          done.countDown();
        }
      });
      t.start();
    }
    done.await();
    double rate = count.get() / (double) seconds;
    if (report) {
      System.out.printf("small GETs: %d in %d s = %.0f/s, %d bytes each%n", count.get(), seconds, rate, bytes.get() / Math.max(1, count.get()));
    }
    return rate;
  }

  private static double delta(M365Emulator emulator, String token, List<ModelUser> users, int seconds, boolean report)
      throws Exception {
    AtomicLong events = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong pages = new AtomicLong();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    CountDownLatch done = new CountDownLatch(4);
    String window = "startDateTime=" + Instant.now().minus(Duration.ofDays(1)) + "&endDateTime=" + Instant.now().plus(Duration.ofDays(90));
    for (int i = 0; i < 4; i++) {
      String first = emulator.graphBaseUrl() + "/users/" + users.get(i).objectId() + "/calendarView/delta()?" + window;
      Thread t = new Thread(() -> {
        HttpClient c = client();
        try {
          while (System.nanoTime() < end) {
            String next = first;
            while (next != null && System.nanoTime() < end) {
              HttpResponse<byte[]> r = c.send(HttpRequest.newBuilder(URI.create(next)).header("Authorization", "Bearer " + token)
                  .header("Prefer", "odata.maxpagesize=100").build(), HttpResponse.BodyHandlers.ofByteArray());
              if (r.statusCode() != 200) {
                throw new IllegalStateException("status " + r.statusCode());
              }
              JsonNode page = JSON.readTree(r.body());
              events.addAndGet(page.get("value").size());
              bytes.addAndGet(r.body().length);
              pages.incrementAndGet();
              next = page.has("@odata.nextLink") ? page.get("@odata.nextLink").asText() : null;
            }
          }
        } catch (Exception e) {
          e.printStackTrace();
        } finally {
          done.countDown();
        }
      });
      t.start();
    }
    done.await();
    double rate = events.get() / (double) seconds;
    if (report) {
      System.out.printf("delta: %d events in %d pages in %d s = %.0f events/s, %d bytes per event%n", events.get(), pages.get(),
          seconds, rate, bytes.get() / Math.max(1, events.get()));
    }
    return rate;
  }
}

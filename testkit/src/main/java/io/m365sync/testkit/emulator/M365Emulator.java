package io.m365sync.testkit.emulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Microsoft 365 over loopback HTTP, like OkHttp's MockWebServer: the Entra ID token endpoint and a
 * Microsoft Graph v1.0 subset served from a {@link CloudModel}, so that the real MSAL4J and Graph SDK
 * run against it unchanged (MSAL's authority is routed to it and the SDK's base URL set to it).
 *
 * <pre>{@code
 * CloudModel cloud = new CloudModel(MutableClock.startingNow());
 * TenantModel tenant = cloud.addTenant("contoso.com");
 * try (M365Emulator emulator = new M365Emulator(cloud).start()) {
 *   String token = emulator.tokenUrl(tenant.tenantId());   // POST client_credentials here
 *   String graph = emulator.graphBaseUrl();                 // http://127.0.0.1:PORT/v1.0
 *   ...
 *   EmulatorRequest first = emulator.takeRequest();
 * }
 * }</pre>
 *
 * <p>Served: {@code POST /{tenant}/oauth2/v2.0/token} (client credentials with a secret or a
 * certificate assertion, refresh token, authorization code), {@code GET /{tenant}/oauth2/v2.0/authorize}
 * (non-interactive, by {@code login_hint}), and under {@code /v1.0}: calendarView, contacts, mail folder
 * and To Do delta; CRUD for events (with basic series), contacts, messages, To Do lists and tasks;
 * mailboxSettings; {@code $batch}; {@code /subscriptions} (create with the validation call, renew, delete;
 * notifications delivered as {@link io.m365sync.testkit.model.SubscriptionModel} emits them, on the
 * emulator's own delivery threads, per the tenant's {@link io.m365sync.testkit.model.DeliverySettings}); service principals, app-role assignments, permission grants,
 * applications, users and groups. Every Graph request passes through
 * {@link TenantModel#graph}, so the model's authorization, access policies, throttling, fault rules
 * and request log apply; fault rules' latency and dropped connections are honoured here, for the token
 * endpoint too (rules matching {@code POST /oauth2/v2.0/token}). Every token
 * request passes through {@link CloudModel#token} as one {@code TokenRequest}, so the model's
 * {@code RequestLog} holds each of them once, whatever the outcome: granted, refused client
 * authentication, dead refresh token or code, unknown tenant or malformed form.
 *
 * <p>Graph's per app per mailbox limits apply as the tenant sets them
 * ({@link TenantModel#graphLimits(io.m365sync.testkit.model.GraphLimits)}: on by default with Graph's
 * numbers); answers can be delayed by a {@link Latency} ({@link #graphLatency}, {@link #tokenLatency}:
 * none by default).
 *
 * <p>It listens on 127.0.0.1 only and calls nothing. Thread-safe. Handlers run on a small fixed
 * pool of daemon threads, and delayed answers wait on one timer thread, which {@link #close()} stops.
 */
public final class M365Emulator implements AutoCloseable {
  private static final Pattern TOKEN = Pattern.compile("^/([^/]+)/oauth2/v2\\.0/token$");
  private static final Pattern AUTHORIZE = Pattern.compile("^/([^/]+)/oauth2/v2\\.0/authorize$");
  private static final Pattern OIDC = Pattern.compile("^/([^/]+)/v2\\.0/\\.well-known/openid-configuration$");
  private static final Set<String> SECRET_FIELDS = Set.of("client_secret", "client_assertion", "refresh_token", "code",
      "password", "assertion");
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final CloudModel cloud;
  private final DirectoryApi directory;
  private final GraphApi graph;
  private final TokenEndpoint entra;
  private final NotificationDelivery delivery;
  private final LinkedBlockingDeque<EmulatorRequest> recorded = new LinkedBlockingDeque<>();
  private final List<Throwable> internalErrors = new CopyOnWriteArrayList<>();
  private final AtomicInteger requestCount = new AtomicInteger();
  private final Set<Delayed> waiting = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile int threads = 8;
  private volatile int maxRecorded = 10_000;
  private volatile boolean recordRequests = true;
  private volatile Latency graphLatency = Latency.NONE;
  private volatile Latency tokenLatency = Latency.NONE;
  private HttpServer server;
  private ExecutorService executor;
  private ScheduledExecutorService answerTimer;
  private volatile String baseUrl;

  /** An emulator serving {@code cloud}; call {@link #start()} before use. */
  public M365Emulator(CloudModel cloud) {
    this.cloud = cloud;
    this.directory = new DirectoryApi(cloud);
    this.delivery = new NotificationDelivery(cloud, INSTANCES.incrementAndGet());
    this.graph = new GraphApi(cloud, this::baseUrl, internalErrors::add, directory, delivery);
    this.entra = new TokenEndpoint(cloud, this::baseUrl, directory);
  }

  /** Handler threads (default 8); set before {@link #start()}. */
  public M365Emulator threads(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("'threads' must be at least 1 but was " + count);
    }
    requireNotStarted("threads");
    this.threads = count;
    return this;
  }

  /**
   * How many recorded requests to keep (default 10,000; the oldest go first); 0 turns recording off,
   * e.g. for benchmarks.
   */
  public M365Emulator maxRecordedRequests(int max) {
    if (max < 0) {
      throw new IllegalArgumentException("'maxRecordedRequests' must not be negative but was " + max);
    }
    this.maxRecorded = max;
    this.recordRequests = max > 0;
    return this;
  }

  /**
   * How long each Graph request ({@code /v1.0}, a {@code $batch} counting once) takes to answer
   * (default {@link Latency#NONE}); may be changed at any time. The request is judged when it arrives
   * and answered the delay after it arrived (the time the emulator took to judge and render it is
   * part of the delay, as Graph's own work is part of its latency), holding its place among the
   * mailbox's concurrent requests
   * ({@link io.m365sync.testkit.model.GraphLimits}) until then. No thread waits out the delay, so a
   * few handler threads serve any number of delayed requests.
   */
  public M365Emulator graphLatency(Latency latency) {
    this.graphLatency = java.util.Objects.requireNonNull(latency, "latency");
    return this;
  }

  /** As {@link #graphLatency(Latency)}, for the token endpoint ({@code POST /{tenant}/oauth2/v2.0/token}). */
  public M365Emulator tokenLatency(Latency latency) {
    this.tokenLatency = java.util.Objects.requireNonNull(latency, "latency");
    return this;
  }

  /** Starts on 127.0.0.1 at a random free port. */
  public M365Emulator start() {
    return start(0);
  }

  /** Starts on 127.0.0.1 at {@code port} (0 for a random free port). */
  public synchronized M365Emulator start(int port) {
    requireNotStarted("start");
    // read once when the JDK server classes initialise: without it every keep-alive request stalls ~40 ms
    System.setProperty("sun.net.httpserver.nodelay", "true");
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 256);
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on 127.0.0.1:" + port, e);
    }
    int instance = INSTANCES.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "m365-emulator-" + instance + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    answerTimer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "m365-emulator-" + instance + "-latency");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::exchange);
    server.start();
    delivery.start();
    baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
    return this;
  }

  private void requireNotStarted(String what) {
    if (server != null) {
      throw new IllegalStateException("cannot " + what + ": the emulator is already started at " + baseUrl);
    }
  }

  /** Stops listening and stops the handler and notification delivery threads. Idempotent. */
  @Override
  public synchronized void close() {
    delivery.close();
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      answerTimer.shutdownNow();
      // answers still waiting out their latency: dropped, freeing their mailboxes' slots in the model,
      // which may outlive this emulator
      waiting.forEach(d -> d.send(Resp.DROP));
    }
  }

  private String requireStarted() {
    String b = baseUrl;
    if (b == null) {
      throw new IllegalStateException("the emulator is not started: call start() first");
    }
    return b;
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String baseUrl() {
    return requireStarted();
  }

  /** {@code http://127.0.0.1:PORT/v1.0}: pass to {@code RequestAdapter.setBaseUrl}. */
  public String graphBaseUrl() {
    return requireStarted() + "/v1.0";
  }

  /** Where MSAL's token requests go: {@code http://127.0.0.1:PORT} (followed by {@code /{tenant}/oauth2/v2.0/token}). */
  public String loginBaseUrl() {
    return requireStarted();
  }

  /** {@code http://127.0.0.1:PORT/{tenant}/oauth2/v2.0/token}. */
  public String tokenUrl(String tenant) {
    return loginBaseUrl() + "/" + tenant + "/oauth2/v2.0/token";
  }

  public CloudModel cloud() {
    return cloud;
  }

  /**
   * A one-time authorization code for {@code user} signing in to {@code clientId}, as the add-in's
   * redirect would carry; redeem it with {@code grant_type=authorization_code}.
   */
  public String authorizationCode(TenantModel tenant, ModelUser user, String clientId) {
    return tenant.authorizationCode(user, clientId);
  }

  /** Recorded requests, oldest first, without consuming them. */
  public List<EmulatorRequest> recordedRequests() {
    return new ArrayList<>(recorded);
  }

  /** The oldest recorded request, removed; waits up to 10 seconds, then fails. */
  public EmulatorRequest takeRequest() {
    EmulatorRequest r = takeRequest(Duration.ofSeconds(10));
    if (r == null) {
      throw new IllegalStateException("no request arrived within 10 seconds");
    }
    return r;
  }

  /** The oldest recorded request, removed; null if none arrives within {@code timeout}. */
  public EmulatorRequest takeRequest(Duration timeout) {
    try {
      return recorded.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Requests received since start. */
  public int requestCount() {
    return requestCount.get();
  }

  public void clearRecordedRequests() {
    recorded.clear();
  }

  /**
   * Unexpected exceptions the emulator turned into 500 responses (a bug in the emulator or the
   * model, never a client's fault); tests can assert this stays empty.
   */
  public List<Throwable> internalErrors() {
    return List.copyOf(internalErrors);
  }

  // ------------------------------------------------------------------ HTTP

  /**
   * Judges the request at once; answers now, or after its latency from the timer thread through the
   * handler pool (the JDK server lets a handler return before the exchange is answered).
   */
  private void exchange(HttpExchange ex) {
    long arrived = System.nanoTime();
    List<Runnable> slots = new ArrayList<>(1);
    Req req = null;
    Resp resp;
    try {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      URI uri = ex.getRequestURI();
      req = Req.of(ex.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(), ex.getRequestHeaders(), body);
      resp = dispatch(req, slots::add);
    } catch (RuntimeException | IOException | LinkageError | AssertionError e) {
      internalErrors.add(e);
      resp = GraphApi.error(500, "generalException", "An internal error occurred in the emulator.", null,
          java.util.UUID.randomUUID().toString(), "");
    }
    requestCount.incrementAndGet();
    if (recordRequests && req != null) {
      record(req, resp.status);
    }
    Req r = req;
    Resp answer = resp;
    // the answer is due the drawn latency after the request arrived, not after it was rendered
    Duration delay = req == null ? Duration.ZERO
        : latency(req.path()).next().minusNanos(System.nanoTime() - arrived);
    if (delay.isZero() || delay.isNegative()) {
      answer(ex, r, answer, slots);
      return;
    }
    Delayed later = new Delayed(ex, r, answer, slots);
    waiting.add(later);
    try {
      answerTimer.schedule(later, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      later.send(Resp.DROP);
    }
  }

  /** An answer waiting out its latency: answered, or dropped when the emulator closes, exactly once. */
  private final class Delayed implements Runnable {
    private final AtomicBoolean done = new AtomicBoolean();
    private final HttpExchange ex;
    private final Req req;
    private final Resp resp;
    private final List<Runnable> slots;

    Delayed(HttpExchange ex, Req req, Resp resp, List<Runnable> slots) {
      this.ex = ex;
      this.req = req;
      this.resp = resp;
      this.slots = slots;
    }

    /** On the timer thread, which only keeps time: the answer is written on a handler thread. */
    @Override
    public void run() {
      try {
        executor.execute(() -> send(resp));
      } catch (RejectedExecutionException e) {
        send(Resp.DROP);
      }
    }

    void send(Resp r) {
      if (done.compareAndSet(false, true)) {
        waiting.remove(this);
        answer(ex, req, r, slots);
      }
    }
  }

  private Latency latency(String path) {
    if (path.equals("/v1.0") || path.startsWith("/v1.0/")) {
      return graphLatency;
    }
    return TOKEN.matcher(path).matches() ? tokenLatency : Latency.NONE;
  }

  /**
   * The most of a body handed to the JDK server in one write: its socket stream keeps, per connection, a
   * buffer twice the largest write it was given, so a 670 KB delta page written at once cost every new
   * connection 1.3 MB (a client opening a hundred connections, 130 MB that lived as long as they did).
   */
  private static final int WRITE_CHUNK = 64 * 1024;

  private void answer(HttpExchange ex, Req req, Resp resp, List<Runnable> slots) {
    // free the mailbox's slots before the answer leaves: a client that sends its next request on
    // reading this answer must find them free
    slots.forEach(Runnable::run);
    try (ex) {
      if (resp == Resp.DROP) {
        return; // closing without a response drops the connection
      }
      for (Map.Entry<String, String> h : resp.headers.entrySet()) {
        ex.getResponseHeaders().set(h.getKey(), h.getValue());
      }
      boolean noBody = resp.body.length == 0 || resp.status == 204 || resp.status == 304 || "HEAD".equals(req == null ? "" : req.method());
      ex.sendResponseHeaders(resp.status, noBody ? -1 : resp.body.length);
      if (!noBody) {
        try (OutputStream out = ex.getResponseBody()) {
          for (int from = 0; from < resp.body.length; from += WRITE_CHUNK) {
            out.write(resp.body, from, Math.min(WRITE_CHUNK, resp.body.length - from));
          }
        }
      }
    } catch (IOException e) {
      // the client went away; nothing to answer
    }
  }

  private Resp dispatch(Req req, java.util.function.Consumer<Runnable> release) {
    String path = req.path();
    if (path.equals("/v1.0") || path.startsWith("/v1.0/")) {
      return graph.handle(req, path.substring(5), false, release);
    }
    Matcher m = TOKEN.matcher(path);
    if (m.matches()) {
      String tenant = Req.decodeSegment(m.group(1));
      return slowOrDropped(tenant) ? Resp.DROP : entra.token(req, tenant);
    }
    m = AUTHORIZE.matcher(path);
    if (m.matches()) {
      return entra.authorize(req, Req.decodeSegment(m.group(1)));
    }
    m = OIDC.matcher(path);
    if (m.matches()) {
      return entra.openIdConfiguration(Req.decodeSegment(m.group(1)));
    }
    String id = java.util.UUID.randomUUID().toString();
    return GraphApi.error(404, "NotFound", "No resource at '" + path + "': Graph is served under /v1.0 and Entra under"
        + " /{tenant}/oauth2/v2.0/token.", null, id, id).header("request-id", id).header("client-request-id", id);
  }

  /**
   * The tenant's latency and drop rules matching {@code POST /oauth2/v2.0/token}: the delay passes
   * before the request is judged (a client that gave up meanwhile still rotates its refresh token).
   *
   * @return whether to drop the connection unanswered
   */
  private boolean slowOrDropped(String tenantSegment) {
    Duration latency = Duration.ZERO;
    for (FaultRule f : cloud.findTenant(tenantSegment).map(TenantModel::faults).orElse(List.of())) {
      if (f.error() == null && f.tryFire("POST /oauth2/v2.0/token", null)) {
        if (f.dropConnection()) {
          return true;
        }
        latency = latency.plus(f.latency());
      }
    }
    GraphApi.pause(latency);
    return false;
  }

  private void record(Req req, int status) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    req.headers().forEach((k, v) -> headers.put(k, k.equalsIgnoreCase("Authorization")
        ? v.stream().map(x -> x.regionMatches(true, 0, "Bearer ", 0, 7) ? "Bearer <redacted>" : "<redacted>").toList()
        : List.copyOf(v)));
    String body = new String(req.body(), StandardCharsets.UTF_8);
    String contentType = req.header("Content-Type");
    if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      body = redactForm(body);
    }
    recorded.add(new EmulatorRequest(Instant.now(), req.method(), req.path(), req.rawQuery(), headers, body, status));
    while (recorded.size() > maxRecorded) {
      recorded.pollFirst();
    }
  }

  private static String redactForm(String body) {
    StringBuilder sb = new StringBuilder();
    for (String part : body.split("&")) {
      int eq = part.indexOf('=');
      String key = eq < 0 ? part : part.substring(0, eq);
      if (sb.length() > 0) {
        sb.append('&');
      }
      String name = Req.decode(key);
      if (name.equals("client_assertion") && eq > 0 && part.indexOf('.', eq) > 0) {
        // the JOSE header names the certificate (x5t, x5c: public); claims and signature stay out
        sb.append(part, 0, part.indexOf('.', eq)).append(".<redacted>");
      } else {
        sb.append(SECRET_FIELDS.contains(name) ? key + "=<redacted>" : part);
      }
    }
    return sb.toString();
  }
}

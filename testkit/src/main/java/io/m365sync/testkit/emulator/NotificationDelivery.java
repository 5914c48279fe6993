package io.m365sync.testkit.emulator;

import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.DeliverySettings;
import io.m365sync.testkit.model.ModelNotification;
import io.m365sync.testkit.model.SubscriptionModel;
import io.m365sync.testkit.model.TenantModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Graph's side of webhooks: the validation call on create and the delivery of notifications the
 * model emits, over plain HTTP to the host's URLs. Delivery never runs on the thread that made the
 * change: notifications wait per URL for the tenant's {@link DeliverySettings#delay()} on two daemon
 * threads owned here, then leave together (shuffled if the settings say so, in POSTs of at most
 * {@code maxBatch}). Change notifications of a subscription deleted or expired meanwhile stay home.
 * Every POST is logged in the cloud's request log (kind {@code notification}); an answer slower than
 * the settings' threshold is logged with error code {@code slowResponse}.
 */
final class NotificationDelivery implements AutoCloseable {
  static final String SLOW = "slowResponse";
  private static final int TIMEOUT_MS = 10_000;

  private final CloudModel cloud;
  private final ScheduledThreadPoolExecutor executor;
  private final Map<String, List<ModelNotification>> pending = new HashMap<>();
  private Runnable unregister;

  NotificationDelivery(CloudModel cloud, int instance) {
    this.cloud = cloud;
    AtomicInteger n = new AtomicInteger();
    this.executor = new ScheduledThreadPoolExecutor(2, r -> {
      Thread t = new Thread(r, "m365-emulator-" + instance + "-notify-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  synchronized void start() {
    if (unregister == null) {
      unregister = cloud.addNotificationSink(this::accept);
    }
  }

  @Override
  public synchronized void close() {
    if (unregister != null) {
      unregister.run();
    }
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------- validation

  /**
   * Graph's validation call: {@code POST url?validationToken=...} with a token that needs URL
   * encoding; the endpoint must answer 200, {@code text/plain}, the decoded token, within 10 seconds.
   */
  boolean validate(URI url) {
    String token = "Validation: Testing client application reachability for subscription Request-Id: "
        + UUID.randomUUID();
    String sep = url.getRawQuery() == null ? "?" : "&";
    try {
      HttpURLConnection c = open(URI.create(url + sep + "validationToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8)));
      c.setRequestProperty("Content-Type", "text/plain; charset=utf-8");
      c.getOutputStream().close();
      int status = c.getResponseCode();
      String type = c.getContentType();
      String body;
      try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
        body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      return status == 200 && type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/plain")
          && body.equals(token);
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  private static HttpURLConnection open(URI url) throws IOException {
    HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setConnectTimeout(TIMEOUT_MS);
    c.setReadTimeout(TIMEOUT_MS);
    return c;
  }

  // ---------------------------------------------------------------- delivery

  private void accept(ModelNotification n) {
    TenantModel tenant = cloud.findTenant(n.tenantId()).orElse(null);
    if (tenant == null) {
      return;
    }
    String key = n.tenantId() + " " + n.url();
    boolean first;
    synchronized (pending) {
      List<ModelNotification> waiting = pending.computeIfAbsent(key, k -> new ArrayList<>());
      first = waiting.isEmpty();
      waiting.add(n);
    }
    if (first) {
      try {
        executor.schedule(() -> flush(tenant, key, n.url()), tenant.subscriptions().delivery().delay().toMillis(),
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closed) {
        // the emulator is closing: nothing is delivered any more
      }
    }
  }

  private void flush(TenantModel tenant, String key, URI url) {
    List<ModelNotification> out;
    synchronized (pending) {
      out = pending.remove(key);
    }
    if (out == null) {
      return;
    }
    SubscriptionModel subs = tenant.subscriptions();
    out = new ArrayList<>(out.stream().filter(n -> n.lifecycle() || subs.find(n.subscriptionId()).isPresent()).toList());
    DeliverySettings settings = subs.delivery();
    if (settings.reorder()) {
      subs.shuffle(out);
    }
    for (int i = 0; i < out.size(); i += settings.maxBatch()) {
      post(tenant, url, out.subList(i, Math.min(out.size(), i + settings.maxBatch())), settings);
    }
  }

  private void post(TenantModel tenant, URI url, List<ModelNotification> batch, DeliverySettings settings) {
    byte[] body = NotificationBodies.collection(batch);
    long started = System.nanoTime();
    int status = 0;
    try {
      HttpURLConnection c = open(url);
      c.setRequestProperty("Content-Type", "application/json; charset=utf-8");
      try (OutputStream o = c.getOutputStream()) {
        o.write(body);
      }
      status = c.getResponseCode();
      try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
        if (in != null) {
          in.readAllBytes();
        }
      }
    } catch (IOException | RuntimeException e) {
      // no answer: Graph would retry; the emulator logs it as status 0
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    String error = millis > settings.slowThreshold().toMillis() ? SLOW
        : status == 0 ? "noResponse" : status >= 300 ? "HTTP" + status : null;
    cloud.logNotification(tenant.tenantId(), "POST " + url, status, error);
  }

}

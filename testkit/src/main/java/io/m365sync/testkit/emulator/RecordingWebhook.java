package io.m365sync.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A host's notification endpoint for tests, on 127.0.0.1: answers Graph's validation call (echoes
 * the decoded token as {@code text/plain}, unless {@link #refuseValidation}) and records every
 * notification POST's {@code value} entries, answering 202. {@link #holdAnswers} keeps answers back
 * until released, to play a slow or stuck endpoint.
 */
public final class RecordingWebhook implements AutoCloseable {
  private final HttpServer server;
  private final java.util.concurrent.ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "recording-webhook");
    t.setDaemon(true);
    return t;
  });
  private final LinkedBlockingQueue<JsonNode> notifications = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<List<JsonNode>> posts = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<String> validations = new LinkedBlockingQueue<>();
  private volatile boolean refuseValidation;
  private volatile CountDownLatch hold = new CountDownLatch(0);
  private volatile Duration holdAtMost = Duration.ZERO;

  public RecordingWebhook() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on 127.0.0.1", e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::exchange);
    server.start();
  }

  /** {@code http://127.0.0.1:PORT/notify}. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/notify");
  }

  /** {@code http://127.0.0.1:PORT/lifecycle}: the same endpoint, under its own path. */
  public URI lifecycleUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/lifecycle");
  }

  /** Answers validation calls with 400 instead of the token. */
  public RecordingWebhook refuseValidation(boolean refuse) {
    this.refuseValidation = refuse;
    return this;
  }

  /** Holds back notification answers until {@link #release()} or {@code atMost} has passed. */
  public RecordingWebhook holdAnswers(Duration atMost) {
    this.holdAtMost = atMost;
    this.hold = new CountDownLatch(1);
    return this;
  }

  public void release() {
    hold.countDown();
  }

  /** The next notification ({@code value} entry), or null after {@code timeout}. */
  public JsonNode next(Duration timeout) throws InterruptedException {
    return notifications.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next POST's entries, or null after {@code timeout}. */
  public List<JsonNode> nextPost(Duration timeout) throws InterruptedException {
    return posts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Validation tokens received (decoded), oldest first. */
  public List<String> validationTokens() {
    return List.copyOf(validations);
  }

  /** Notifications received and not yet taken. */
  public int pending() {
    return notifications.size();
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    executor.shutdownNow();
  }

  private void exchange(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      String query = ex.getRequestURI().getRawQuery();
      if (query != null && query.startsWith("validationToken=")) {
        String token = URLDecoder.decode(query.substring("validationToken=".length()), StandardCharsets.UTF_8);
        validations.add(token);
        answer(ex, refuseValidation ? 400 : 200, token);
        return;
      }
      CountDownLatch held = hold; // as set when this POST arrived
      Duration atMost = holdAtMost;
      List<JsonNode> entries = new ArrayList<>();
      Json.MAPPER.readTree(body).path("value").forEach(entries::add);
      posts.add(entries);
      notifications.addAll(entries);
      try {
        held.await(atMost.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.sendResponseHeaders(202, -1);
    }
  }

  private static void answer(HttpExchange ex, int status, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }
}

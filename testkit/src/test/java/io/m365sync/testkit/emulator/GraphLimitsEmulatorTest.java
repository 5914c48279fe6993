package io.m365sync.testkit.emulator;

import static io.m365sync.testkit.emulator.GraphHttpTest.assertGraphError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365sync.testkit.model.GraphLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Graph's Outlook limits per app and mailbox, and per-request latency, over HTTP. */
class GraphLimitsEmulatorTest {
  private final Fixture f = new Fixture();
  private final String token = f.appToken();
  private final String aliceSettings = f.graph("/users/" + f.alice.objectId() + "/mailboxSettings");
  private final String bobSettings = f.graph("/users/" + f.bob.objectId() + "/mailboxSettings");

  @AfterEach
  void close() {
    assertThat(f.emulator.internalErrors()).isEmpty();
    f.close();
  }

  @Test
  void graphsOutlookLimitsAreOnByDefault() {
    assertThat(f.tenant.graphLimits()).isEqualTo(GraphLimits.OUTLOOK)
        .isEqualTo(new GraphLimits(4, 10_000, Duration.ofMinutes(10)));
  }

  @Test
  void theFifthConcurrentRequestOfOneAppForOneMailboxIs429WhileAnotherMailboxIsServed() {
    // the latency keeps each request in flight: judged on arrival, answered 4 s later (ample for all
    // six to arrive on a loaded machine)
    f.emulator.graphLatency(Latency.fixed(Duration.ofSeconds(4)));
    List<CompletableFuture<RawHttp.Response>> alice = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      alice.add(f.http.getAsync(aliceSettings, token));
    }
    CompletableFuture<RawHttp.Response> bob = f.http.getAsync(bobSettings, token);

    Map<Integer, List<RawHttp.Response>> byStatus = alice.stream().map(CompletableFuture::join)
        .collect(Collectors.groupingBy(RawHttp.Response::status));
    assertThat(byStatus.keySet()).containsExactlyInAnyOrder(200, 429);
    assertThat(byStatus.get(200)).hasSize(4);
    RawHttp.Response throttled = byStatus.get(429).get(0);
    assertGraphError(throttled, 429, "ApplicationThrottled");
    assertThat(throttled.json().get("error").get("message").asText())
        .isEqualTo("Application is over its MailboxConcurrency limit.");
    assertThat(throttled.header("Retry-After")).isEqualTo("1");
    JsonNode inner = throttled.json().get("error").get("innerError");
    assertThat(inner.get("code").asText()).isEqualTo("429");
    assertThat(inner.get("status").asText()).isEqualTo("429");
    assertThat(bob.join().status()).isEqualTo(200);

    // answered, the four free their places
    f.emulator.graphLatency(Latency.NONE);
    assertThat(f.http.get(aliceSettings, token).status()).isEqualTo(200);
  }

  @Test
  void peakRequestsInFlightCountsEachMailboxsAdmittedRequestsAtOnce() {
    f.emulator.graphLatency(Latency.fixed(Duration.ofSeconds(4))); // all six arrive before the first answer leaves
    List<CompletableFuture<RawHttp.Response>> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      all.add(f.http.getAsync(aliceSettings, token));
    }
    all.add(f.http.getAsync(bobSettings, token));
    all.forEach(CompletableFuture::join);
    f.emulator.graphLatency(Latency.NONE);
    assertThat(f.http.get(aliceSettings, token).status()).isEqualTo(200);

    // the fifth was refused with 429, so it never was in flight; the one after came alone
    assertThat(f.tenant.peakRequestsInFlight())
        .isEqualTo(Map.of(f.alice.objectId(), 4, f.bob.objectId(), 1));
    f.tenant.resetPeakRequestsInFlight();
    assertThat(f.tenant.peakRequestsInFlight()).isEmpty();
  }

  @Test
  void graphLimitsNoneLetsAnyNumberRunAtOnce() {
    f.tenant.graphLimits(GraphLimits.NONE);
    f.emulator.graphLatency(Latency.fixed(Duration.ofSeconds(1)));
    List<CompletableFuture<RawHttp.Response>> all = IntStream.range(0, 8)
        .mapToObj(i -> f.http.getAsync(aliceSettings, token)).toList();
    assertThat(all.stream().map(c -> c.join().status())).containsOnly(200);
  }

  @Test
  void theWindowLimitIsSlidingOnTheCloudsClock() {
    f.tenant.graphLimits(new GraphLimits(4, 3, Duration.ofMinutes(10)));
    assertThat(f.http.get(aliceSettings, token).status()).isEqualTo(200);
    f.clock.advance(Duration.ofMinutes(4));
    assertThat(f.http.get(aliceSettings, token).status()).isEqualTo(200);
    assertThat(f.http.get(aliceSettings, token).status()).isEqualTo(200);

    RawHttp.Response over = f.http.get(aliceSettings, token);
    assertGraphError(over, 429, "TooManyRequests");
    assertThat(over.header("Retry-After")).isEqualTo("360"); // when the first leaves the window
    assertThat(f.http.get(bobSettings, token).status()).isEqualTo(200);

    f.clock.advance(Duration.ofMinutes(6));
    assertThat(f.http.get(aliceSettings, token).status()).isEqualTo(200);
    assertThat(f.http.get(aliceSettings, token).status()).isEqualTo(429); // the two at minute 4 are still in it
  }

  @Test
  void batchStepsCountOneByOneAgainstTheWindow() {
    f.tenant.graphLimits(new GraphLimits(4, 5, Duration.ofMinutes(10)));
    StringBuilder steps = new StringBuilder();
    for (int i = 1; i <= 7; i++) {
      steps.append("{\"id\":\"").append(i).append("\",\"method\":\"GET\",\"url\":\"/users/").append(f.alice.objectId())
          .append("/mailboxSettings\"},");
    }
    steps.append("{\"id\":\"bob\",\"method\":\"GET\",\"url\":\"/users/").append(f.bob.objectId()).append("/mailboxSettings\"}");
    RawHttp.Response batch = f.http.send("POST", f.graph("/$batch"), token, "{\"requests\":[" + steps + "]}");

    assertThat(batch.status()).isEqualTo(200);
    Map<String, JsonNode> byId = new java.util.HashMap<>();
    batch.json().get("responses").forEach(r -> byId.put(r.get("id").asText(), r));
    for (int i = 1; i <= 5; i++) {
      assertThat(byId.get(String.valueOf(i)).get("status").asInt()).isEqualTo(200);
    }
    for (String id : List.of("6", "7")) {
      JsonNode step = byId.get(id);
      assertThat(step.get("status").asInt()).isEqualTo(429);
      assertThat(step.get("body").get("error").get("code").asText()).isEqualTo("TooManyRequests");
      assertThat(step.get("headers").get("Retry-After").asText()).isEqualTo("600");
    }
    assertThat(byId.get("bob").get("status").asInt()).isEqualTo(200);
    assertThat(f.http.get(aliceSettings, token).status()).isEqualTo(429);
  }

  @Test
  void aBatchStepIsRefusedWhileFourRequestsAreInFlightForItsMailbox() {
    f.emulator.graphLatency(Latency.fixed(Duration.ofSeconds(4)));
    f.emulator.clearRecordedRequests();
    List<CompletableFuture<RawHttp.Response>> inFlight = IntStream.range(0, 4)
        .mapToObj(i -> f.http.getAsync(aliceSettings, token)).toList();
    for (int i = 0; i < 4; i++) {
      f.emulator.takeRequest(); // recorded once judged: all four hold their places
    }
    String body = """
        {"requests":[{"id":"a","method":"GET","url":"/users/%s/mailboxSettings"},
                     {"id":"b","method":"GET","url":"/users/%s/mailboxSettings"}]}"""
        .formatted(f.alice.objectId(), f.bob.objectId());
    RawHttp.Response batch = f.http.send("POST", f.graph("/$batch"), token, body);

    Map<String, JsonNode> byId = new java.util.HashMap<>();
    batch.json().get("responses").forEach(r -> byId.put(r.get("id").asText(), r));
    assertThat(byId.get("a").get("status").asInt()).isEqualTo(429);
    assertThat(byId.get("a").get("body").get("error").get("code").asText()).isEqualTo("ApplicationThrottled");
    assertThat(byId.get("b").get("status").asInt()).isEqualTo(200);
    assertThat(inFlight.stream().map(c -> c.join().status())).containsOnly(200);
  }

  @Test
  void latencyDelaysEveryGraphAnswer() {
    f.emulator.graphLatency(Latency.fixed(Duration.ofMillis(100)));
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      long start = System.nanoTime();
      assertThat(f.http.get(aliceSettings, token).status()).isEqualTo(200);
      millis.add((System.nanoTime() - start) / 1_000_000);
    }
    assertThat(median(millis)).isGreaterThanOrEqualTo(100);
  }

  @Test
  void tokenLatencyDelaysTheTokenEndpointOnly() {
    f.emulator.tokenLatency(Latency.fixed(Duration.ofMillis(150)));
    List<Long> token = new ArrayList<>();
    List<Long> graph = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long start = System.nanoTime();
      String t = f.appToken();
      token.add((System.nanoTime() - start) / 1_000_000);
      start = System.nanoTime();
      assertThat(f.http.get(aliceSettings, t).status()).isEqualTo(200);
      graph.add((System.nanoTime() - start) / 1_000_000);
    }
    assertThat(median(token)).isGreaterThanOrEqualTo(150);
    assertThat(median(graph)).isLessThan(150);
  }

  @Test
  void delayedAnswersDoNotHoldHandlerThreads() {
    f.tenant.graphLimits(GraphLimits.NONE);
    try (M365Emulator one = new M365Emulator(f.cloud).threads(1).start()) {
      one.graphLatency(Latency.fixed(Duration.ofSeconds(1)));
      String url = one.graphBaseUrl() + "/users/" + f.alice.objectId() + "/mailboxSettings";
      long start = System.nanoTime();
      List<CompletableFuture<RawHttp.Response>> all = IntStream.range(0, 8).mapToObj(i -> f.http.getAsync(url, token)).toList();
      assertThat(all.stream().map(c -> c.join().status())).containsOnly(200);
      // one thread sleeping through each delay would need 8 x 1 s
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void closingTheEmulatorFreesThePlacesOfAnswersStillWaiting() {
    try (M365Emulator slow = new M365Emulator(f.cloud).start()) {
      slow.graphLatency(Latency.fixed(Duration.ofSeconds(30)));
      String url = slow.graphBaseUrl() + "/users/" + f.alice.objectId() + "/mailboxSettings";
      IntStream.range(0, 4).forEach(i -> f.http.getAsync(url, token));
      for (int i = 0; i < 4; i++) {
        slow.takeRequest();
      }
    }
    // the cloud outlives that emulator: alice's four places are free again
    assertThat(f.http.get(aliceSettings, token).status()).isEqualTo(200);
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}

package io.m365sync.testkit.model;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Makes matching Graph requests fail: {@code METHOD path} against a regex, optionally only for one
 * user, a number of times or with a seeded probability. The HTTP emulator also honours
 * {@link #latency()} and {@link #dropConnection()}.
 *
 * <p>Random rules draw from their own seeded {@link Random}, one draw per matching request; chaos
 * tests add one random rule per kind of fault (throttling, outage, dropped connection, timeout) and
 * read back how often each fired with {@link #fired()}.
 */
public final class FaultRule {
  private final Pattern request;
  private final String userId;
  private final AtomicInteger remaining;
  private final double probability;
  private final Random random;
  private final GraphError error;
  private final Duration latency;
  private final boolean dropConnection;
  private final RawResponse raw;
  private final AtomicLong fired = new AtomicLong();

  /** An answer that is not Graph's JSON error: a proxy's HTML page, an empty body; {@code contentType} may be null. */
  public record RawResponse(int status, String contentType, String body) {}

  private FaultRule(Pattern request, String userId, int times, double probability, long seed, GraphError error,
                    Duration latency, boolean dropConnection) {
    this(request, userId, times, probability, seed, error, latency, dropConnection, null);
  }

  private FaultRule(Pattern request, String userId, int times, double probability, long seed, GraphError error,
                    Duration latency, boolean dropConnection, RawResponse raw) {
    this.request = request;
    this.userId = userId;
    this.remaining = new AtomicInteger(times);
    this.probability = probability;
    this.random = new Random(seed);
    this.error = error;
    this.latency = latency;
    this.dropConnection = dropConnection;
    this.raw = raw;
  }

  /** Fails requests matching {@code requestRegex} (against e.g. {@code GET /users/u1/contacts/delta}) {@code times} times. */
  public static FaultRule fail(String requestRegex, String userId, int times, GraphError error) {
    return new FaultRule(Pattern.compile(requestRegex), userId, times, 1.0, 0, error, Duration.ZERO, false);
  }

  /** Fails matching requests with a seeded probability, forever. */
  public static FaultRule failRandomly(String requestRegex, String userId, double probability, long seed, GraphError error) {
    return new FaultRule(Pattern.compile(requestRegex), userId, Integer.MAX_VALUE, probability, seed, error, Duration.ZERO, false);
  }

  /** Delays matching requests (HTTP emulator only). */
  public static FaultRule delay(String requestRegex, String userId, int times, Duration latency) {
    return new FaultRule(Pattern.compile(requestRegex), userId, times, 1.0, 0, null, latency, false);
  }

  /** Delays matching requests with a seeded probability, forever (HTTP emulator only): a timeout when longer than the client waits. */
  public static FaultRule delayRandomly(String requestRegex, String userId, double probability, long seed, Duration latency) {
    return new FaultRule(Pattern.compile(requestRegex), userId, Integer.MAX_VALUE, probability, seed, null, latency, false);
  }

  /** Drops the connection of matching requests with a seeded probability, forever (HTTP emulator only). */
  public static FaultRule dropRandomly(String requestRegex, String userId, double probability, long seed) {
    return new FaultRule(Pattern.compile(requestRegex), userId, Integer.MAX_VALUE, probability, seed, null, Duration.ZERO, true);
  }

  /** Drops the connection of matching requests (HTTP emulator only). */
  public static FaultRule drop(String requestRegex, String userId, int times) {
    return new FaultRule(Pattern.compile(requestRegex), userId, times, 1.0, 0, null, Duration.ZERO, true);
  }

  /**
   * Answers matching requests {@code times} times with {@code status} and a body that is not Graph's
   * JSON error, as the gateways in front of Graph do for some 5xx: an HTML page, or nothing ({@code body}
   * empty, {@code contentType} null). HTTP emulator only.
   */
  public static FaultRule failWithRawBody(String requestRegex, String userId, int times, int status, String contentType,
                                          String body) {
    return new FaultRule(Pattern.compile(requestRegex), userId, times, 1.0, 0, null, Duration.ZERO, false,
        new RawResponse(status, contentType, body == null ? "" : body));
  }

  /** Whether this rule fires for the request; consumes one use when it does. */
  synchronized boolean fires(String methodAndPath, String targetUserId) {
    if (remaining.get() <= 0 || !request.matcher(methodAndPath).find()) {
      return false;
    }
    if (userId != null && !userId.equals(targetUserId)) {
      return false;
    }
    if (probability < 1.0 && random.nextDouble() >= probability) {
      return false;
    }
    remaining.decrementAndGet();
    fired.incrementAndGet();
    return true;
  }

  /**
   * Whether this rule fires for the request, consuming one use when it does; for the HTTP emulator,
   * which applies latency and dropped connections itself.
   */
  public boolean tryFire(String methodAndPath, String targetUserId) {
    return fires(methodAndPath, targetUserId);
  }

  /** How many requests this rule failed, delayed or dropped so far. */
  public long fired() {
    return fired.get();
  }

  /** The error to answer with; null for latency-only or drop rules. */
  public GraphError error() {
    return error;
  }

  public Duration latency() {
    return latency;
  }

  public boolean dropConnection() {
    return dropConnection;
  }

  /** The non-JSON answer of {@link #failWithRawBody}; null for other rules. */
  public RawResponse rawResponse() {
    return raw;
  }
}

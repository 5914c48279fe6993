package io.m365sync.notify;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook endpoint for Graph change and lifecycle notifications, independent of any web
 * framework: an adapter (the JDK {@code HttpServer} one in the examples, a Spring controller)
 * passes each request to {@link #handle} and writes back the {@link NotificationResponse}.
 *
 * <ul>
 *   <li>{@code POST <path>?validationToken=...} (Graph's validation handshake, for the notification
 *       and the lifecycle URL alike): 200, {@code text/plain}, the decoded token, at once.
 *   <li>{@code POST <path>} with a notification collection: each item's subscription is looked up;
 *       unknown or expired subscriptions, a missing or wrong {@code clientState} (compared in
 *       constant time against the stored SHA-256) and unknown lifecycle events are dropped and
 *       reported to {@code onIgnored}; the rest become {@link ChangeSignal}s, at most one per
 *       mailbox, resource, container and kind per body, handed to the sink. Answer: 202.
 *   <li>A body over {@code maxBodyBytes}: 413; not UTF-8 JSON of Graph's shape: 400; either way
 *       nothing reaches the sink. Another path: 404; another method: 405.
 *   <li>The lookup or the sink throws: 503 so Graph retries (duplicates are harmless, since a
 *       signal only marks a mailbox-resource dirty).
 * </ul>
 *
 * <p>Thread-safe; one instance serves all requests. The sink and {@code onIgnored} run on the
 * request thread and must only enqueue (Graph counts a reply over 2.9 s as slow and throttles the
 * endpoint); an {@code onIgnored} that throws is logged and skipped. No {@code clientState},
 * token or body text is ever logged.
 */
public final class NotificationReceiver {
  private static final Logger log = LoggerFactory.getLogger(NotificationReceiver.class);

  /** Default {@link Builder#maxBodyBytes}: ample for a batch of basic notifications. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
  /** Default {@link Builder#path}. */
  public static final String DEFAULT_PATH = "/m365sync/notifications";

  private final String path;
  private final Function<String, Optional<Subscription>> subscriptions;
  private final Consumer<ChangeSignal> sink;
  private final Consumer<IgnoredNotification> onIgnored;
  private final Clock clock;
  private final int maxBodyBytes;

  private NotificationReceiver(Builder b) {
    this.path = b.path == null ? DEFAULT_PATH : b.path;
    this.subscriptions = b.subscriptions;
    this.sink = b.sink;
    this.onIgnored = b.onIgnored == null ? ignored -> { } : b.onIgnored;
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    this.maxBodyBytes = b.maxBodyBytes == null ? DEFAULT_MAX_BODY_BYTES : b.maxBodyBytes;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The path this receiver answers on, e.g. {@code /m365sync/notifications}. */
  public String path() {
    return path;
  }

  /** The largest body accepted; adapters should stop reading one byte past it. */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * Answers one request.
   *
   * @param method the HTTP method, e.g. {@code POST}
   * @param path the request path without the query string
   * @param query the query parameters, already URL-decoded (as every web framework gives them;
   *     {@link #queryParameters} decodes a raw query string)
   * @param headers the request headers; not consulted today, passed so adapters need no change later
   * @param body the request body, possibly truncated one byte past {@link #maxBodyBytes()}; null is empty
   * @return the response to send; never null
   */
  public NotificationResponse handle(String method, String path, Map<String, String> query,
      Map<String, List<String>> headers, byte[] body) {
    if (!this.path.equals(path)) {
      return NotificationResponse.empty(404);
    }
    if (!"POST".equals(method)) {
      return new NotificationResponse(405, Map.of("Allow", "POST"), "");
    }
    String token = query == null ? null : query.get("validationToken");
    if (token != null) {
      return NotificationResponse.text(200, token);
    }
    byte[] b = body == null ? new byte[0] : body;
    if (b.length > maxBodyBytes) {
      log.debug("notification body over {} bytes rejected", maxBodyBytes);
      return NotificationResponse.empty(413);
    }
    List<NotificationItems.Item> items;
    try {
      items = NotificationItems.parse(b);
    } catch (Json.Malformed e) {
      log.debug("malformed notification body rejected: {}", e.getMessage());
      return NotificationResponse.empty(400);
    }
    return deliver(items);
  }

  private NotificationResponse deliver(List<NotificationItems.Item> items) {
    Map<SignalKey, ChangeSignal> signals = new LinkedHashMap<>();
    List<IgnoredNotification> ignored = new ArrayList<>();
    Instant now = clock.instant();
    try {
      for (NotificationItems.Item item : items) {
        Optional<Subscription> found = subscriptions.apply(item.subscriptionId());
        IgnoredNotification.Reason reason = verdict(item, found, now);
        if (reason != null) {
          ignored.add(new IgnoredNotification(item.subscriptionId(), found, reason));
        } else {
          ChangeSignal s = signal(found.get(), kindOf(item.lifecycleEvent()));
          signals.putIfAbsent(new SignalKey(s.mailbox(), s.resource(), s.container(), s.kind()), s);
        }
      }
      signals.values().forEach(sink);
    } catch (RuntimeException e) {
      log.warn("notifications not queued (subscription lookup or sink failed); Graph will retry", e);
      return NotificationResponse.empty(503);
    }
    ignored.forEach(this::reportIgnored);
    return NotificationResponse.empty(202);
  }

  private static IgnoredNotification.Reason verdict(NotificationItems.Item item, Optional<Subscription> found,
      Instant now) {
    if (found.isEmpty()) {
      return IgnoredNotification.Reason.UNKNOWN_SUBSCRIPTION;
    }
    // clientState first: an unverified item must not tell the caller whether the id exists and expired
    if (!found.get().clientStateMatches(item.clientState())) {
      return IgnoredNotification.Reason.CLIENT_STATE_MISMATCH;
    }
    if (item.tenantId() != null && !item.tenantId().equalsIgnoreCase(found.get().mailbox().tenant().value())) {
      return IgnoredNotification.Reason.TENANT_MISMATCH;
    }
    if (!found.get().expiresAt().isAfter(now)) {
      return IgnoredNotification.Reason.EXPIRED_SUBSCRIPTION;
    }
    if (item.lifecycleEvent() != null && kindOf(item.lifecycleEvent()) == null) {
      return IgnoredNotification.Reason.UNKNOWN_LIFECYCLE_EVENT;
    }
    return null;
  }

  /** The signal kind for a lifecycle event; CHANGED for none; null for one this version does not know. */
  private static SignalKind kindOf(String lifecycleEvent) {
    if (lifecycleEvent == null) {
      return SignalKind.CHANGED;
    }
    switch (lifecycleEvent) {
      case "missed": return SignalKind.MISSED;
      case "subscriptionRemoved": return SignalKind.SUBSCRIPTION_REMOVED;
      case "reauthorizationRequired": return SignalKind.REAUTHORIZATION_REQUIRED;
      default: return null;
    }
  }

  private static ChangeSignal signal(Subscription s, SignalKind kind) {
    return new ChangeSignal(s.mailbox(), s.resource(), s.container(), s.id(), kind);
  }

  private void reportIgnored(IgnoredNotification ignored) {
    log.debug("notification for subscription {} ignored: {}", ignored.subscriptionId(), ignored.reason());
    try {
      onIgnored.accept(ignored);
    } catch (RuntimeException e) {
      log.warn("onIgnored callback threw; ignored", e);
    }
  }

  /**
   * Decodes a raw query string ({@code a=1&validationToken=Validation%3A+Testing}) as
   * {@code application/x-www-form-urlencoded}, the way Graph encodes the validation token. The
   * first occurrence of a name wins; null or empty gives an empty map.
   *
   * @throws IllegalArgumentException for a malformed percent escape (adapters answer 400)
   */
  public static Map<String, String> queryParameters(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.putIfAbsent(name, value);
    }
    return params;
  }

  /** One signal per mailbox, resource, container and kind per body: a lifecycle event is never hidden behind a change. */
  private record SignalKey(MailboxId mailbox, Resource resource, String container, SignalKind kind) {}

  /**
   * Single-use, fail-fast builder. Required: {@code subscriptions} and {@code sink}. Each setting
   * may be set once; a second call names the old value.
   */
  public static final class Builder {
    private String path;
    private Function<String, Optional<Subscription>> subscriptions;
    private Consumer<ChangeSignal> sink;
    private Consumer<IgnoredNotification> onIgnored;
    private Clock clock;
    private Integer maxBodyBytes;
    private boolean built;

    private Builder() {}


    /** The path to answer on, starting with {@code /}; default {@value NotificationReceiver#DEFAULT_PATH}. */
    public Builder path(String path) {
      Checks.requireText(path, "path");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("'path' must start with '/' but was '" + path + "'");
      }
      this.path = Checks.setOnce(this.path, path, "path");
      return this;
    }

    /** Finds a stored subscription by Graph id, e.g. {@code store::subscription}; runs on the request thread. */
    public Builder subscriptions(Function<String, Optional<Subscription>> lookup) {
      this.subscriptions = Checks.setOnce(this.subscriptions, lookup, "subscriptions");
      return this;
    }

    /** Receives each verified signal on the request thread; must only enqueue. */
    public Builder sink(Consumer<ChangeSignal> sink) {
      this.sink = Checks.setOnce(this.sink, sink, "sink");
      return this;
    }

    /** Told of each dropped item on the request thread (must only enqueue); default: nothing. */
    public Builder onIgnored(Consumer<IgnoredNotification> onIgnored) {
      this.onIgnored = Checks.setOnce(this.onIgnored, onIgnored, "onIgnored");
      return this;
    }

    /** Time source for subscription expiry; default {@code Clock.systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Checks.setOnce(this.clock, clock, "clock");
      return this;
    }

    /** The largest body accepted, at least 1; default {@value NotificationReceiver#DEFAULT_MAX_BODY_BYTES}. */
    public Builder maxBodyBytes(int maxBodyBytes) {
      this.maxBodyBytes = Checks.setOnce(this.maxBodyBytes, Checks.requireAtLeast(maxBodyBytes, 1, "maxBodyBytes"),
          "maxBodyBytes");
      return this;
    }

    /** @throws IllegalStateException naming the first missing setting, or if already built */
    public NotificationReceiver build() {
      if (built) {
        throw new IllegalStateException("this builder was already used; call NotificationReceiver.builder() again");
      }
      if (subscriptions == null) {
        throw new IllegalStateException("'subscriptions' is required.");
      }
      if (sink == null) {
        throw new IllegalStateException("'sink' is required.");
      }
      built = true;
      return new NotificationReceiver(this);
    }
  }
}

package io.m365sync.notify;

import io.m365sync.Checks;
import io.m365sync.Resource;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Turns on change notifications for an engine ({@code SyncEngine.Builder.changeNotifications}): the
 * engine keeps one Graph subscription per synced mailbox-resource and container (events, contacts,
 * mail folders, To Do lists; mailbox settings have none and stay polled), and a notification makes
 * the next round of that resource run after {@link #debounce()}. A push-fed resource is still read
 * every {@link #safetyNetInterval()}, so a notification Graph never delivered is late, not lost.
 *
 * <p>Lifetimes: Graph caps a subscription at {@link #maxLifetime(Resource)} (under 7 days for
 * Outlook events, contacts and messages without resource data, under 3 days for To Do tasks; see
 * Microsoft's "subscription lifetime" table in the change-notifications overview). The engine asks
 * for the maximum less a random part of {@link #renewalJitter()}, so subscriptions created together
 * do not all come due together, and renews each once it expires within {@link #renewalMargin()}.
 *
 * @param notificationUrl where Graph posts change notifications: https, or http on the loopback
 *     interface (tests, the emulator); its path is what {@link NotificationReceiver} answers on. Graph
 *     posts lifecycle notifications ({@code missed}, {@code subscriptionRemoved},
 *     {@code reauthorizationRequired}) to the same URL, so one receiver hears both.
 * @param debounce how long after a notification its round runs; notifications meanwhile join it
 * @param safetyNetInterval how often a push-fed resource is read anyway
 * @param renewalMargin a subscription expiring within this is renewed by the next round of its resource
 * @param renewalJitter up to this much is taken off each requested lifetime, at random
 */
public record ChangeNotifications(URI notificationUrl, Duration debounce, Duration safetyNetInterval,
                                  Duration renewalMargin, Duration renewalJitter) {
  /** Default {@link #debounce()}. */
  public static final Duration DEFAULT_DEBOUNCE = Duration.ofSeconds(2);
  /** Default {@link #safetyNetInterval()}. */
  public static final Duration DEFAULT_SAFETY_NET = Duration.ofHours(6);
  /** Default {@link #renewalMargin()}: a day, so a renewal that fails has several more tries. */
  public static final Duration DEFAULT_RENEWAL_MARGIN = Duration.ofHours(24);
  /** Default {@link #renewalJitter()}. */
  public static final Duration DEFAULT_RENEWAL_JITTER = Duration.ofHours(1);

  private static final Duration OUTLOOK_MAX = Duration.ofMinutes(10_080);
  private static final Duration TODO_MAX = Duration.ofMinutes(4_230);
  /** Asked a minute under Graph's maximum: a request over it may be refused. */
  private static final Duration UNDER_MAX = Duration.ofMinutes(1);
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  public ChangeNotifications {
    requireUrl(notificationUrl, "notificationUrl");
    Checks.requirePositive(debounce, "debounce");
    Checks.requirePositive(safetyNetInterval, "safetyNetInterval");
    Checks.requirePositive(renewalMargin, "renewalMargin");
    Checks.requireNonNull(renewalJitter, "renewalJitter");
    if (renewalJitter.isNegative()) {
      throw new IllegalArgumentException("'renewalJitter' must not be negative but was " + renewalJitter);
    }
    Duration shortest = TODO_MAX.minus(UNDER_MAX).minus(renewalJitter);
    if (renewalMargin.compareTo(shortest) >= 0) {
      throw new IllegalArgumentException("'renewalMargin' (" + renewalMargin + ") must be shorter than the shortest"
          + " lifetime asked for (To Do's " + TODO_MAX + " less a minute and the jitter " + renewalJitter
          + "), or every round would renew");
    }
  }

  /** Change and lifecycle notifications to {@code notificationUrl}, with the defaults. */
  public static ChangeNotifications to(URI notificationUrl) {
    return new ChangeNotifications(notificationUrl, DEFAULT_DEBOUNCE, DEFAULT_SAFETY_NET,
        DEFAULT_RENEWAL_MARGIN, DEFAULT_RENEWAL_JITTER);
  }

  public ChangeNotifications withDebounce(Duration value) {
    return new ChangeNotifications(notificationUrl, value, safetyNetInterval, renewalMargin, renewalJitter);
  }

  public ChangeNotifications withSafetyNetInterval(Duration value) {
    return new ChangeNotifications(notificationUrl, debounce, value, renewalMargin, renewalJitter);
  }

  public ChangeNotifications withRenewal(Duration margin, Duration jitter) {
    return new ChangeNotifications(notificationUrl, debounce, safetyNetInterval, margin, jitter);
  }

  /** Whether Graph offers change notifications for the resource (all but mailbox settings). */
  public static boolean subscribable(Resource resource) {
    return resource != Resource.MAILBOX_SETTINGS;
  }

  /** Graph's longest subscription lifetime for the resource (basic notifications, no resource data). */
  public static Duration maxLifetime(Resource resource) {
    return switch (resource) {
      case EVENTS, CONTACTS, MAIL -> OUTLOOK_MAX;
      case TASKS -> TODO_MAX;
      case MAILBOX_SETTINGS -> throw new IllegalArgumentException("mailbox settings have no change notifications");
    };
  }

  /** The lifetime to ask for: the maximum less a minute, less {@code jitterShare} (0..1) of the jitter. */
  public Duration lifetimeToAsk(Resource resource, double jitterShare) {
    return maxLifetime(resource).minus(UNDER_MAX).minus(Duration.ofMillis((long) (renewalJitter.toMillis() * jitterShare)));
  }

  /** The receiver path: {@code notificationUrl}'s path ({@code /} when it has none). */
  public String receiverPath() {
    String path = notificationUrl.getRawPath();
    return path == null || path.isEmpty() ? "/" : path;
  }

  private static void requireUrl(URI url, String name) {
    Checks.requireNonNull(url, name);
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
    boolean ok = scheme.equals("https") || (scheme.equals("http") && LOOPBACK.contains(host));
    if (!ok || host.isEmpty()) {
      throw new IllegalArgumentException("'" + name + "' must be an absolute https URL (http only on localhost/127.0.0.1/[::1])"
          + " that Microsoft Graph can reach, but was '" + url + "'");
    }
  }
}

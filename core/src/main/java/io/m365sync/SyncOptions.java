package io.m365sync;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Engine tuning. Immutable; {@link #defaults()} suits most hosts. Build from any property source with
 * {@link #fromProperties(Function)}: every problem is reported at once.
 *
 * @param cycleInterval how often the in-process scheduler runs a cycle
 * @param maxConcurrentMailboxes mailbox rounds in flight at once within a cycle; sized for I/O, not
 *     for cores: a round holds its slot while it waits for Graph (100–300 ms a request) and while it
 *     applies what came, so the default of 128 keeps two cores busy at 150 ms median latency with a
 *     long tail, where 64 left them idle a quarter of the time (with an executor of as many
 *     threads; a host whose cores apply more a second needs more); a round reads a large
 *     calendar as several time slices at once only within its share of this number (it ÷ the rounds
 *     running or queued): with more than half this many, each calendar is read as one chain
 * @param maxRequestsPerMailbox Graph requests one round keeps in flight for its mailbox at once
 *     (its resources read in parallel, subscription calls included); Outlook allows 4 per app and
 *     mailbox and answers a 5th with a 429
 * @param accessDecisionTtl how long an access decision (allow or deny) is trusted before re-probing;
 *     mind that policy changes take 30–60+ minutes to propagate in Exchange
 * @param applicationRetryInterval how long application mode stays off for a tenant after a
 *     tenant-wide credential or consent failure
 * @param failureBackoff the first backoff after a failed round; doubles per failure
 * @param maxFailureBackoff the largest backoff
 * @param unavailableRecheck how long to leave an unavailable (unlicensed, on-premises) mailbox alone
 * @param signInNotify how often the host hears that a user must sign in again
 * @param pageSize delta page size asked of Graph
 * @param eventWindowPast calendar view start relative to the first round
 * @param eventWindowFuture calendar view end relative to the first round
 * @param maxRetryAfter the longest {@code Retry-After} the engine honours: a larger (or absurd) value
 *     from Graph parks the mailbox only this long
 * @param unscopedDelegatedOnly resources that access policies cannot scope (To Do) never use
 *     application permissions, even after a scoped resource succeeded app-only for the mailbox in the
 *     same round (the default, false, allows that)
 * @param credentialExpiryWarning how far ahead of a tenant's known app credential expiry the host
 *     hears {@link SyncListener#credentialExpiringSoon} (daily until it is replaced)
 * @param keepAliveInterval how often the engine's scheduler runs the delegated keep-alive pass
 *     ({@code TokenStrategy.keepAlive}); each pass redeems only refresh tokens idle for the
 *     strategy's own threshold, so daily is plenty
 * @param auditRetention how long the access audit keeps its records of app-only rounds (and the
 *     enrollment periods that ended within it); older ones are deleted by the engine's upkeep
 */
public record SyncOptions(Duration cycleInterval, int maxConcurrentMailboxes, int maxRequestsPerMailbox,
                          Duration accessDecisionTtl,
                          Duration applicationRetryInterval, Duration failureBackoff, Duration maxFailureBackoff,
                          Duration unavailableRecheck, SignInNotifyPolicy signInNotify, int pageSize,
                          Duration eventWindowPast, Duration eventWindowFuture, Duration maxRetryAfter,
                          boolean unscopedDelegatedOnly, Duration credentialExpiryWarning,
                          Duration keepAliveInterval, Duration auditRetention) {

  /** Property keys understood by {@link #fromProperties(Function)}, prefixed {@code m365sync.}. */
  public static final List<String> KEYS = List.of("cycleInterval", "maxConcurrentMailboxes", "maxRequestsPerMailbox",
      "accessDecisionTtl",
      "applicationRetryInterval", "failureBackoff", "maxFailureBackoff", "unavailableRecheck", "signInNotify",
      "pageSize", "eventWindowPast", "eventWindowFuture", "maxRetryAfter", "unscopedDelegatedOnly", "credentialExpiryWarning",
      "keepAliveInterval", "auditRetention");

  public SyncOptions {
    List<String> problems = problems(cycleInterval, maxConcurrentMailboxes, maxRequestsPerMailbox, accessDecisionTtl, applicationRetryInterval,
        failureBackoff, maxFailureBackoff, unavailableRecheck, signInNotify, pageSize, eventWindowPast, eventWindowFuture,
        maxRetryAfter, credentialExpiryWarning, keepAliveInterval, auditRetention);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Invalid sync options: " + String.join("; ", problems));
    }
  }

  /**
   * The options before {@code maxRequestsPerMailbox} existed; it takes its default (4).
   *
   * @deprecated use the canonical constructor or {@link #defaults()} with the {@code with…} methods
   */
  @Deprecated
  public SyncOptions(Duration cycleInterval, int maxConcurrentMailboxes, Duration accessDecisionTtl,
                     Duration applicationRetryInterval, Duration failureBackoff, Duration maxFailureBackoff,
                     Duration unavailableRecheck, SignInNotifyPolicy signInNotify, int pageSize,
                     Duration eventWindowPast, Duration eventWindowFuture, Duration maxRetryAfter,
                     boolean unscopedDelegatedOnly, Duration credentialExpiryWarning,
                     Duration keepAliveInterval, Duration auditRetention) {
    this(cycleInterval, maxConcurrentMailboxes, DEFAULT_MAX_REQUESTS_PER_MAILBOX, accessDecisionTtl,
        applicationRetryInterval, failureBackoff, maxFailureBackoff, unavailableRecheck, signInNotify, pageSize,
        eventWindowPast, eventWindowFuture, maxRetryAfter, unscopedDelegatedOnly, credentialExpiryWarning,
        keepAliveInterval, auditRetention);
  }

  /** Outlook's limit of concurrent requests per app and mailbox. */
  private static final int DEFAULT_MAX_REQUESTS_PER_MAILBOX = 4;

  public static SyncOptions defaults() {
    return new SyncOptions(Duration.ofMinutes(15), 128, DEFAULT_MAX_REQUESTS_PER_MAILBOX, Duration.ofHours(1), Duration.ofHours(1), Duration.ofMinutes(1),
        Duration.ofHours(6), Duration.ofHours(6), SignInNotifyPolicy.ONCE, 100, Duration.ofDays(30), Duration.ofDays(365),
        Duration.ofHours(1), false, Duration.ofDays(30), Duration.ofDays(1), Duration.ofDays(365));
  }

  /**
   * Reads {@code m365sync.<key>} for every key in {@link #KEYS}; missing keys keep their defaults.
   * Durations are ISO-8601 ({@code PT15M}, {@code P30D}).
   *
   * @throws IllegalArgumentException listing every bad value at once
   */
  public static SyncOptions fromProperties(Function<String, String> source) {
    SyncOptions d = defaults();
    List<String> errors = new ArrayList<>();
    PropertyReader r = new PropertyReader(source, errors);
    Duration cycle = r.duration("cycleInterval", d.cycleInterval);
    int concurrency = r.integer("maxConcurrentMailboxes", d.maxConcurrentMailboxes);
    int requests = r.integer("maxRequestsPerMailbox", d.maxRequestsPerMailbox);
    Duration ttl = r.duration("accessDecisionTtl", d.accessDecisionTtl);
    Duration appRetry = r.duration("applicationRetryInterval", d.applicationRetryInterval);
    Duration backoff = r.duration("failureBackoff", d.failureBackoff);
    Duration maxBackoff = r.duration("maxFailureBackoff", d.maxFailureBackoff);
    Duration unavailable = r.duration("unavailableRecheck", d.unavailableRecheck);
    SignInNotifyPolicy notify = r.enumValue("signInNotify", SignInNotifyPolicy.class, d.signInNotify);
    int pageSize = r.integer("pageSize", d.pageSize);
    Duration past = r.duration("eventWindowPast", d.eventWindowPast);
    Duration future = r.duration("eventWindowFuture", d.eventWindowFuture);
    Duration maxRetryAfter = r.duration("maxRetryAfter", d.maxRetryAfter);
    boolean unscopedDelegatedOnly = r.bool("unscopedDelegatedOnly", d.unscopedDelegatedOnly);
    Duration expiryWarning = r.duration("credentialExpiryWarning", d.credentialExpiryWarning);
    Duration keepAlive = r.duration("keepAliveInterval", d.keepAliveInterval);
    Duration auditRetention = r.duration("auditRetention", d.auditRetention);
    errors.addAll(problems(cycle, concurrency, requests, ttl, appRetry, backoff, maxBackoff, unavailable, notify, pageSize, past, future,
        maxRetryAfter, expiryWarning, keepAlive, auditRetention));
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("Invalid sync options: " + String.join("; ", errors));
    }
    return new SyncOptions(cycle, concurrency, requests, ttl, appRetry, backoff, maxBackoff, unavailable, notify, pageSize, past, future,
        maxRetryAfter, unscopedDelegatedOnly, expiryWarning, keepAlive, auditRetention);
  }

  private static List<String> problems(Duration cycleInterval, int maxConcurrentMailboxes, int maxRequestsPerMailbox,
                                       Duration accessDecisionTtl,
                                       Duration applicationRetryInterval, Duration failureBackoff,
                                       Duration maxFailureBackoff, Duration unavailableRecheck,
                                       SignInNotifyPolicy signInNotify, int pageSize, Duration eventWindowPast,
                                       Duration eventWindowFuture, Duration maxRetryAfter,
                                       Duration credentialExpiryWarning, Duration keepAliveInterval,
                                       Duration auditRetention) {
    List<String> p = new ArrayList<>();
    positive(p, "cycleInterval", cycleInterval);
    positive(p, "accessDecisionTtl", accessDecisionTtl);
    positive(p, "applicationRetryInterval", applicationRetryInterval);
    positive(p, "failureBackoff", failureBackoff);
    positive(p, "maxFailureBackoff", maxFailureBackoff);
    positive(p, "unavailableRecheck", unavailableRecheck);
    positive(p, "eventWindowPast", eventWindowPast);
    positive(p, "eventWindowFuture", eventWindowFuture);
    positive(p, "maxRetryAfter", maxRetryAfter);
    positive(p, "credentialExpiryWarning", credentialExpiryWarning);
    positive(p, "keepAliveInterval", keepAliveInterval);
    positive(p, "auditRetention", auditRetention);
    if (maxConcurrentMailboxes < 1) {
      p.add("'maxConcurrentMailboxes' must be at least 1 but was " + maxConcurrentMailboxes);
    }
    if (maxRequestsPerMailbox < 1) {
      p.add("'maxRequestsPerMailbox' must be at least 1 but was " + maxRequestsPerMailbox);
    }
    if (pageSize < 1 || pageSize > 1000) {
      p.add("'pageSize' must be between 1 and 1000 but was " + pageSize);
    }
    if (signInNotify == null) {
      p.add("'signInNotify' is required but was null");
    }
    if (failureBackoff != null && maxFailureBackoff != null && maxFailureBackoff.compareTo(failureBackoff) < 0) {
      p.add("'maxFailureBackoff' (" + maxFailureBackoff + ") must not be shorter than 'failureBackoff' (" + failureBackoff + ")");
    }
    return p;
  }

  private static void positive(List<String> problems, String name, Duration value) {
    if (value == null) {
      problems.add("'" + name + "' is required but was null");
    } else if (value.isNegative() || value.isZero()) {
      problems.add("'" + name + "' must be positive but was " + value);
    }
  }

  public SyncOptions withSignInNotify(SignInNotifyPolicy policy) {
    return copy().signInNotify(policy).build();
  }

  public SyncOptions withAccessDecisionTtl(Duration ttl) {
    return copy().accessDecisionTtl(ttl).build();
  }

  public SyncOptions withMaxConcurrentMailboxes(int max) {
    return copy().maxConcurrentMailboxes(max).build();
  }

  public SyncOptions withMaxRequestsPerMailbox(int max) {
    return copy().maxRequestsPerMailbox(max).build();
  }

  public SyncOptions withPageSize(int size) {
    return copy().pageSize(size).build();
  }

  public SyncOptions withMaxRetryAfter(Duration max) {
    return copy().maxRetryAfter(max).build();
  }

  public SyncOptions withUnscopedDelegatedOnly(boolean delegatedOnly) {
    return copy().unscopedDelegatedOnly(delegatedOnly).build();
  }

  public SyncOptions withCredentialExpiryWarning(Duration warning) {
    return copy().credentialExpiryWarning(warning).build();
  }

  public SyncOptions withKeepAliveInterval(Duration interval) {
    return copy().keepAliveInterval(interval).build();
  }

  public SyncOptions withAuditRetention(Duration retention) {
    return copy().auditRetention(retention).build();
  }

  public SyncOptions withFailureBackoff(Duration first, Duration max) {
    return copy().failureBackoff(first).maxFailureBackoff(max).build();
  }

  private Copy copy() {
    return new Copy(this);
  }

  /** Mutable copy behind the {@code with…} methods, so each names only what it changes. */
  private static final class Copy {
    private Duration cycleInterval;
    private int maxConcurrentMailboxes;
    private int maxRequestsPerMailbox;
    private Duration accessDecisionTtl;
    private Duration applicationRetryInterval;
    private Duration failureBackoff;
    private Duration maxFailureBackoff;
    private Duration unavailableRecheck;
    private SignInNotifyPolicy signInNotify;
    private int pageSize;
    private Duration eventWindowPast;
    private Duration eventWindowFuture;
    private Duration maxRetryAfter;
    private boolean unscopedDelegatedOnly;
    private Duration credentialExpiryWarning;
    private Duration keepAliveInterval;
    private Duration auditRetention;

    Copy(SyncOptions o) {
      cycleInterval = o.cycleInterval;
      maxConcurrentMailboxes = o.maxConcurrentMailboxes;
      maxRequestsPerMailbox = o.maxRequestsPerMailbox;
      accessDecisionTtl = o.accessDecisionTtl;
      applicationRetryInterval = o.applicationRetryInterval;
      failureBackoff = o.failureBackoff;
      maxFailureBackoff = o.maxFailureBackoff;
      unavailableRecheck = o.unavailableRecheck;
      signInNotify = o.signInNotify;
      pageSize = o.pageSize;
      eventWindowPast = o.eventWindowPast;
      eventWindowFuture = o.eventWindowFuture;
      maxRetryAfter = o.maxRetryAfter;
      unscopedDelegatedOnly = o.unscopedDelegatedOnly;
      credentialExpiryWarning = o.credentialExpiryWarning;
      keepAliveInterval = o.keepAliveInterval;
      auditRetention = o.auditRetention;
    }

    Copy auditRetention(Duration v) {
      auditRetention = v;
      return this;
    }

    Copy credentialExpiryWarning(Duration v) {
      credentialExpiryWarning = v;
      return this;
    }

    Copy keepAliveInterval(Duration v) {
      keepAliveInterval = v;
      return this;
    }

    Copy signInNotify(SignInNotifyPolicy v) {
      signInNotify = v;
      return this;
    }

    Copy accessDecisionTtl(Duration v) {
      accessDecisionTtl = v;
      return this;
    }

    Copy maxConcurrentMailboxes(int v) {
      maxConcurrentMailboxes = v;
      return this;
    }

    Copy maxRequestsPerMailbox(int v) {
      maxRequestsPerMailbox = v;
      return this;
    }

    Copy pageSize(int v) {
      pageSize = v;
      return this;
    }

    Copy maxRetryAfter(Duration v) {
      maxRetryAfter = v;
      return this;
    }

    Copy unscopedDelegatedOnly(boolean v) {
      unscopedDelegatedOnly = v;
      return this;
    }

    Copy failureBackoff(Duration v) {
      failureBackoff = v;
      return this;
    }

    Copy maxFailureBackoff(Duration v) {
      maxFailureBackoff = v;
      return this;
    }

    SyncOptions build() {
      return new SyncOptions(cycleInterval, maxConcurrentMailboxes, maxRequestsPerMailbox, accessDecisionTtl,
          applicationRetryInterval, failureBackoff, maxFailureBackoff, unavailableRecheck, signInNotify, pageSize, eventWindowPast,
          eventWindowFuture, maxRetryAfter, unscopedDelegatedOnly, credentialExpiryWarning, keepAliveInterval,
          auditRetention);
    }
  }

  /** Reads typed values from a property source, collecting parse errors. */
  private record PropertyReader(Function<String, String> source, List<String> errors) {
    private String raw(String key) {
      String v = source.apply("m365sync." + key);
      return v == null || v.isBlank() ? null : v.trim();
    }

    Duration duration(String key, Duration fallback) {
      String v = raw(key);
      if (v == null) {
        return fallback;
      }
      try {
        return Duration.parse(v);
      } catch (DateTimeParseException e) {
        errors.add("'m365sync." + key + "' must be an ISO-8601 duration like PT15M but was '" + v + "'");
        return fallback;
      }
    }

    int integer(String key, int fallback) {
      String v = raw(key);
      if (v == null) {
        return fallback;
      }
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        errors.add("'m365sync." + key + "' must be a whole number but was '" + v + "'");
        return fallback;
      }
    }

    boolean bool(String key, boolean fallback) {
      String v = raw(key);
      if (v == null) {
        return fallback;
      }
      if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(v);
      }
      errors.add("'m365sync." + key + "' must be true or false but was '" + v + "'");
      return fallback;
    }

    <E extends Enum<E>> E enumValue(String key, Class<E> type, E fallback) {
      String v = raw(key);
      if (v == null) {
        return fallback;
      }
      try {
        return Enum.valueOf(type, v.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        errors.add("'m365sync." + key + "' must be one of " + java.util.Arrays.toString(type.getEnumConstants())
            + " but was '" + v + "'");
        return fallback;
      }
    }
  }
}

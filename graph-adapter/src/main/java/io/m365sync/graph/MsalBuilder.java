package io.m365sync.graph;

import io.m365sync.Checks;
import io.m365sync.auth.AppRegistrations;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The settings every MSAL token strategy has, shared by their single-use, fail-fast builders.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class MsalBuilder<B extends MsalBuilder<B>> {
  String clientId;
  AppCredential credential;
  AppRegistrations<AppCredential> registrations;
  String authorityHost = MsalSupport.DEFAULT_AUTHORITY_HOST;
  URI routeTo;
  Clock clock = Clock.systemUTC();
  Duration refreshMargin = Duration.ofMinutes(5);
  Duration timeout = Duration.ofSeconds(30);
  int threads = 4;
  private boolean built;

  abstract B self();

  public B clientId(String clientId) {
    this.clientId = Checks.setOnce(this.clientId, clientId, "clientId");
    return self();
  }

  public B credential(AppCredential credential) {
    this.credential = Checks.setOnce(this.credential, credential, "credential");
    return self();
  }

  /**
   * Each tenant's own app registration, looked up when a token is requested (see
   * {@link AppRegistrations}): instead of one {@code clientId} and {@code credential} for every
   * tenant. A rotated credential is used from the next token request on.
   */
  public B registrations(AppRegistrations<AppCredential> registrations) {
    this.registrations = Checks.setOnce(this.registrations, registrations, "registrations");
    return self();
  }

  /** The Entra host, default {@code https://login.microsoftonline.com} (national clouds differ). */
  public B authorityHost(String authorityHost) {
    if (!authorityHost.startsWith("https://")) {
      throw new IllegalArgumentException("'authorityHost' must use https but was '" + authorityHost + "'");
    }
    this.authorityHost = authorityHost;
    return self();
  }

  /**
   * Sends every MSAL request to {@code baseUrl} (path and query kept) instead of the authority host:
   * an emulator in tests, a token gateway or proxy in production. One HTTP client serves every tenant.
   *
   * @throws InsecureEndpointException for an {@code http://} URL to a host other than the loopback interface
   */
  public B routeTokenRequestsTo(URI baseUrl) {
    this.routeTo = Endpoints.requireSecure("routeTokenRequestsTo", Objects.requireNonNull(baseUrl, "baseUrl"));
    return self();
  }

  public B clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return self();
  }

  /** How long before expiry a cached token is renewed; default 5 minutes. */
  public B refreshMargin(Duration margin) {
    if (margin.isNegative()) {
      throw new IllegalArgumentException("'refreshMargin' must not be negative but was " + margin);
    }
    this.refreshMargin = margin;
    return self();
  }

  /**
   * The longest a caller waits for the token endpoint; default 30 s. The HTTP exchange may run on for
   * up to twice as long, so a late answer still stores its user's rotated refresh token.
   */
  public B timeout(Duration timeout) {
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("'timeout' must be positive but was " + timeout);
    }
    this.timeout = timeout;
    return self();
  }

  /**
   * How many token requests this strategy runs at once, on its own daemon threads; default 4.
   * Further requests queue (each user's at most once); none waits behind another tenant's lock.
   */
  public B threads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("'threads' must be at least 1 but was " + threads);
    }
    this.threads = threads;
    return self();
  }

  /**
   * Marks the builder used and throws naming every missing setting: the common ones, then
   * {@code more} (name, value) pairs of the concrete builder.
   */
  final void checkComplete(Object... more) {
    if (built) {
      throw new IllegalStateException("this builder was already used");
    }
    List<String> missing = new ArrayList<>();
    if (registrations != null && (clientId != null || credential != null)) {
      throw new IllegalStateException("set either 'registrations' or 'clientId' and 'credential', not both; registrations were "
          + registrations);
    }
    if (registrations == null && clientId == null) {
      missing.add("'clientId' (or 'registrations') is required.");
    }
    if (registrations == null && credential == null) {
      missing.add("'credential' (or 'registrations') is required.");
    }
    for (int i = 0; i + 1 < more.length; i += 2) {
      if (more[i + 1] == null) {
        missing.add("'" + more[i] + "' is required.");
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(String.join(" ", missing));
    }
    built = true;
  }

  /** The MSAL plumbing these settings describe; {@code threadName} names the strategy's threads. */
  MsalSupport msal(String threadName) {
    return new MsalSupport(registrations != null ? registrations : AppRegistrations.single(clientId, credential),
        authorityHost, routeTo, timeout, clock, threads, threadName);
  }

}

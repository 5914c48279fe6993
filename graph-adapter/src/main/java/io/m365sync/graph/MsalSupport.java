package io.m365sync.graph;

import com.microsoft.aad.msal4j.AuthenticationErrorCode;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAccount;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.InteractionRequiredExceptionReason;
import com.microsoft.aad.msal4j.MsalClientException;
import com.microsoft.aad.msal4j.MsalInteractionRequiredException;
import com.microsoft.aad.msal4j.MsalJsonParsingException;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.microsoft.aad.msal4j.MsalThrottlingException;
import com.microsoft.aad.msal4j.TokenSource;
import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.AppRegistrations;
import io.m365sync.auth.TokenException;
import io.m365sync.auth.TokenFailures;
import io.m365sync.auth.TransientAuthFailureException;
import java.net.MalformedURLException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What both MSAL strategies share: building apps the verified way, reading MSAL results and classifying MSAL failures. */
final class MsalSupport {
  static final String DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";
  private static final Pattern STATUS_IN_TEXT = Pattern.compile("status code:? (\\d{3})");
  private static final Set<String> SIGN_IN_SCOPES = Set.of("openid", "profile", "offline_access", "email");
  /** The clock MSAL stamps expiresOnDate with (the JVM's); ours is injected and may differ. */
  private static final Clock MSAL_CLOCK = Clock.systemUTC();

  private final MsalApps apps;
  private final String authorityHost;
  private final Duration timeout;
  private final Clock clock;
  /** One routing client (one JDK HttpClient, one selector thread) shared by every tenant's app. */
  private final MsalRouting routing;
  private final ExecutorService executor;

  MsalSupport(AppRegistrations<AppCredential> registrations, String authorityHost, URI routeTo, Duration timeout, Clock clock,
              int threads, String threadName) {
    this.apps = new MsalApps(registrations, (app, tenant) -> newApp(app.clientId(), app.credential(), tenant.value()));
    this.authorityHost = authorityHost.endsWith("/") ? authorityHost.substring(0, authorityHost.length() - 1) : authorityHost;
    this.timeout = timeout;
    this.clock = clock;
    // a call the caller stopped waiting for may still finish, so a rotated refresh token is stored, not lost
    this.routing = routeTo == null ? null : new MsalRouting(routeTo, networkTimeout());
    this.executor = executor(threads, threadName);
  }

  /**
   * The strategy's own bounded pool for MSAL's work (never the common pool, which other tenants and
   * the host share): named daemon threads that end when idle.
   */
  private static ExecutorService executor(int threads, String name) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  ExecutorService executor() {
    return executor;
  }

  Duration timeout() {
    return timeout;
  }

  /** How long one HTTP exchange may take: twice the caller's wait, see the constructor. */
  private Duration networkTimeout() {
    return timeout.multipliedBy(2);
  }

  /** The mailbox's tenant's client, for the registration the host names now (see {@link MsalApps}). */
  ConfidentialClientApplication app(Mailbox mailbox) {
    return apps.app(mailbox);
  }

  /**
   * A client of its own for one call (an empty MSAL cache that holds only what this call loads), for
   * the registration the host names now: no user's tokens can reach another user's row through it.
   */
  ConfidentialClientApplication appForOneCall(Mailbox mailbox) {
    return apps.fresh(mailbox);
  }

  /** The host's registrations, as the strategies' {@code toString} shows them (no secret). */
  String registrations() {
    return apps.toString();
  }

  /**
   * A confidential client for one tenant: real authority, instance discovery off (nothing but the
   * token endpoint is called), MSAL's internal retries off (the engine owns retries), PII logging off,
   * the strategy's bounded pool, and the shared routing HTTP client when configured.
   */
  private ConfidentialClientApplication newApp(String clientId, AppCredential credential, String tenant) {
    try {
      ConfidentialClientApplication.Builder b = ConfidentialClientApplication.builder(clientId, credential.toMsal())
          .authority(authorityHost + "/" + tenant + "/")
          .instanceDiscovery(false)
          .logPii(false)
          .executorService(executor);
      b.disableInternalRetries();
      if (routing != null) {
        b.httpClient(routing);
      } else {
        b.connectTimeoutForDefaultHttpClient((int) timeout.toMillis());
        b.readTimeoutForDefaultHttpClient((int) networkTimeout().toMillis());
      }
      return b.build();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("invalid authority for tenant '" + tenant + "' under " + authorityHost, e);
    }
  }

  /** Waits for an MSAL future with the configured timeout, unwrapping its failure. */
  IAuthenticationResult await(CompletableFuture<IAuthenticationResult> f) throws Throwable {
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() != null ? e.getCause() : e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(true);
      throw e;
    } catch (TimeoutException e) {
      f.cancel(true);
      throw e;
    }
  }

  /**
   * The typed core exception for an MSAL failure. Only the identity platform's own answer (its OAuth
   * {@code error} and AADSTS code, classified by {@link TokenFailures}) can say that credentials are
   * refused or a user must sign in again; everything else — no answer, an empty 5xx, a gateway's HTML
   * page, a body MSAL cannot parse, MSAL's own throttling — is a {@link TransientAuthFailureException}.
   * Texts are the identity platform's description or our own, never MSAL's echo of a response body
   * (an unreadable 200 may hold a token).
   */
  TokenException failure(Mailbox mailbox, boolean applicationMode, Throwable t) {
    String clientId = apps.clientId(mailbox.tenant());
    if (t instanceof MsalThrottlingException th) {
      return transientFailure(mailbox, applicationMode, AuthenticationErrorCode.THROTTLED_REQUEST,
          "MSAL holds back requests after the endpoint's Retry-After", Duration.ofMillis(Math.max(0, th.retryInMs())));
    }
    if (t instanceof MsalServiceException s && isEntraAnswer(s)) {
      // MSAL reports the status only for some answers: 0 means unknown, never a guessed 400
      int status = s.statusCode() == null ? 0 : s.statusCode();
      String suberror = s instanceof MsalInteractionRequiredException i
          && i.reason() == InteractionRequiredExceptionReason.CONSENT_REQUIRED ? "consent_required" : null;
      String description = s.getMessage();
      return TokenFailures.toException(mailbox, applicationMode, clientId, status, s.errorCode(),
          TokenFailures.aadstsCode(description), suberror, firstLine(description), retryAfter(s.headers()), s.claims(), null);
    }
    if (t instanceof MsalServiceException s) {
      Integer status = s.statusCode() != null ? s.statusCode() : statusIn(s.getMessage());
      boolean unreadable = AuthenticationErrorCode.INVALID_JSON.equals(s.errorCode());
      String answered = "the token endpoint answered" + (status != null ? " HTTP " + status : "");
      return transientFailure(mailbox, applicationMode, status != null ? "HTTP " + status : s.errorCode(),
          answered + (unreadable ? " with a body that is not Entra's JSON" : " without an Entra error"), retryAfter(s.headers()));
    }
    if (t instanceof MsalClientException c) {
      // cache_miss, an unreachable endpoint, a 200 whose body is not a token response: nothing Entra refused
      return transientFailure(mailbox, applicationMode, c.errorCode(), AuthenticationErrorCode.INVALID_JSON.equals(c.errorCode())
          ? "the token endpoint's answer could not be read as a token response" : "MSAL client error " + c.errorCode(), null);
    }
    if (t instanceof TimeoutException) {
      return transientFailure(mailbox, applicationMode, "timeout", "no answer from the token endpoint within " + timeout, null);
    }
    return transientFailure(mailbox, applicationMode, null, "token request failed: " + t.getClass().getSimpleName(), null);
  }

  /** Whether MSAL read Entra's error JSON (an OAuth {@code error}), not a body it could not parse or a bare status. */
  private static boolean isEntraAnswer(MsalServiceException s) {
    String code = s.errorCode();
    return code != null && !code.isBlank() && !AuthenticationErrorCode.UNKNOWN.equals(code)
        && !AuthenticationErrorCode.INVALID_JSON.equals(code) && !(s instanceof MsalJsonParsingException);
  }

  private static TokenException transientFailure(Mailbox mailbox, boolean applicationMode, String code, String reason,
                                                 Duration retryAfter) {
    return new TransientAuthFailureException(mailbox.tenant(), applicationMode ? null : mailbox.id(),
        code == null ? "no_answer" : code, reason.strip(), retryAfter, null);
  }

  /** The HTTP status MSAL names in its text for an answer it could not read ("status code 503"); null if none. */
  static Integer statusIn(String msalMessage) {
    Matcher m = msalMessage == null ? null : STATUS_IN_TEXT.matcher(msalMessage);
    return m != null && m.find() ? Integer.valueOf(m.group(1)) : null;
  }

  /**
   * Both clocks as a request leaves. A lifetime counts from there, never from the answer's arrival:
   * the round trip is not added to it, and a clock that jumps while the request is out cannot
   * stretch it.
   */
  record Sent(Instant ours, Instant msal) {}

  Sent sent() {
    return new Sent(clock.instant(), MSAL_CLOCK.instant());
  }

  /**
   * Our token for MSAL's result. Its lifetime is the endpoint's {@code expires_in} (access tokens are
   * opaque to clients; their {@code exp} is not ours to read): MSAL stamps {@code expiresOnDate} from
   * it on the system clock at arrival, and the time left is carried over to our clock. A token MSAL
   * served from its own cache counts as expiring now — its lifetime was stamped on the system clock,
   * which ours need not follow — so the strategies ask the endpoint again; they keep tokens themselves.
   *
   * @throws TransientAuthFailureException when the answer held no access token
   */
  AccessToken token(Mailbox mailbox, AuthMode mode, IAuthenticationResult r, Sent sent) {
    if (r == null || r.accessToken() == null || r.accessToken().isBlank() || r.expiresOnDate() == null) {
      throw transientFailure(mailbox, mode == AuthMode.APPLICATION, "no_access_token",
          "the token endpoint's answer held no access token or no expires_in", null);
    }
    boolean fromCache = r.metadata() != null && r.metadata().tokenSource() == TokenSource.CACHE;
    Instant expiresOn = r.expiresOnDate().toInstant();
    // MSAL stamps expiresOn in whole seconds, on the second the answer arrived (never later than now):
    // counted from the request's departure alone, a second boundary crossed in flight would add up to a second
    Duration left = min(Duration.between(sent.msal(), expiresOn),
        Duration.between(MSAL_CLOCK.instant().truncatedTo(ChronoUnit.SECONDS), expiresOn));
    Instant expiresAt = fromCache || left.isNegative() ? sent.ours() : sent.ours().plus(left);
    Set<String> permissions = mode == AuthMode.APPLICATION ? JwtClaims.roles(r.accessToken()) : grantedScopes(r.scopes());
    return new AccessToken(r.accessToken(), expiresAt, mode, permissions);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** The delegated permissions of a response's {@code scope}: names without the resource, sign-in scopes left out. */
  static Set<String> grantedScopes(String scope) {
    Set<String> out = new LinkedHashSet<>();
    if (scope != null) {
      for (String s : scope.trim().split("\\s+")) {
        String name = s.substring(s.lastIndexOf('/') + 1);
        if (!name.isEmpty() && !SIGN_IN_SCOPES.contains(name.toLowerCase(Locale.ROOT))) {
          out.add(name);
        }
      }
    }
    return out;
  }

  /**
   * Who signed in, from MSAL's result: the id token's {@code oid} and {@code tid} as MSAL parsed them
   * (its tenant profile), else the account's home id ({@code oid.tid} from {@code client_info}).
   */
  static Optional<SignedInUser> signedInUser(IAuthenticationResult r) {
    IAccount account = r.account();
    if (account == null) {
      return Optional.empty();
    }
    Map<String, ?> claims = r.tenantProfile() == null || r.tenantProfile().getClaims() == null ? Map.of()
        : r.tenantProfile().getClaims();
    String home = account.homeAccountId();
    int dot = home == null ? -1 : home.indexOf('.');
    String oid = claims.get("oid") != null ? claims.get("oid").toString() : dot > 0 ? home.substring(0, dot) : null;
    String tid = claims.get("tid") != null ? claims.get("tid").toString() : dot > 0 ? home.substring(dot + 1) : null;
    if (oid == null || tid == null) {
      return Optional.empty();
    }
    String username = account.username() != null && !account.username().isBlank() ? account.username() : oid;
    return Optional.of(new SignedInUser(tid, oid, username));
  }

  /** The user a sign-in redeemed a code for. */
  record SignedInUser(String tenantId, String objectId, String username) {}

  private Duration retryAfter(Map<String, List<String>> headers) {
    if (headers == null) {
      return null;
    }
    for (Map.Entry<String, List<String>> h : headers.entrySet()) {
      if (h.getKey() != null && h.getKey().equalsIgnoreCase("Retry-After") && !h.getValue().isEmpty()) {
        return GraphErrorMapping.parseRetryAfter(h.getValue().get(0), clock);
      }
    }
    return null;
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    line = line.strip();
    return line.length() > 400 ? line.substring(0, 400) + "…" : line;
  }
}

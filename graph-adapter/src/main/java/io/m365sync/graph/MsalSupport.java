package io.m365sync.graph;

import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.InteractionRequiredExceptionReason;
import com.microsoft.aad.msal4j.MsalClientException;
import com.microsoft.aad.msal4j.MsalInteractionRequiredException;
import com.microsoft.aad.msal4j.MsalServiceException;
import io.m365sync.Mailbox;
import io.m365sync.auth.TokenException;
import io.m365sync.auth.TokenFailures;
import java.net.MalformedURLException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** What both MSAL strategies share: building apps the verified way and mapping MSAL failures. */
final class MsalSupport {
  static final String DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com";

  private final String clientId;
  private final AppCredential credential;
  private final String authorityHost;
  private final URI routeTo;
  private final Duration timeout;
  private final Clock clock;
  private final MsalRouting routing;
  private final ExecutorService executor;

  MsalSupport(String clientId, AppCredential credential, String authorityHost, URI routeTo, Duration timeout, Clock clock,
              int threads, String threadName) {
    this.clientId = clientId;
    this.credential = credential;
    this.authorityHost = authorityHost.endsWith("/") ? authorityHost.substring(0, authorityHost.length() - 1) : authorityHost;
    this.routeTo = routeTo;
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

  String clientId() {
    return clientId;
  }

  AppCredential credential() {
    return credential;
  }

  /**
   * A confidential client for one tenant: real authority, instance discovery off (nothing but the
   * token endpoint is called), MSAL's internal retries off (the engine owns retries), PII logging off,
   * the strategy's bounded pool, and the routing HTTP client when configured.
   */
  ConfidentialClientApplication newApp(String tenant) {
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
   * The typed core exception for an MSAL failure, classified by {@link TokenFailures}. The
   * description is the identity platform's text (never a token, secret or key).
   */
  TokenException failure(Mailbox mailbox, boolean applicationMode, Throwable t) {
    if (t instanceof MsalServiceException s) {
      int status = s.statusCode() == null ? 400 : s.statusCode();
      String suberror = s instanceof MsalInteractionRequiredException i
          && i.reason() == InteractionRequiredExceptionReason.CONSENT_REQUIRED ? "consent_required" : null;
      String description = s.getMessage();
      int code = TokenFailures.aadstsCode(description);
      return TokenFailures.toException(mailbox, applicationMode, clientId, status, s.errorCode(), code, suberror,
          firstLine(description), retryAfter(s.headers()), null);
    }
    if (t instanceof MsalClientException c) {
      // cache_miss, an unreachable endpoint, a malformed response: nothing the identity platform refused
      return TokenFailures.toException(mailbox, applicationMode, clientId, 0, c.errorCode(), -1, null,
          "MSAL client error " + c.errorCode() + ": " + firstLine(c.getMessage()), null, null);
    }
    if (t instanceof TimeoutException) {
      return TokenFailures.toException(mailbox, applicationMode, clientId, 0, "timeout", -1, null,
          "no answer from the token endpoint within " + timeout, null, null);
    }
    return TokenFailures.toException(mailbox, applicationMode, clientId, 0, null, -1, null,
        "token request failed: " + t.getClass().getSimpleName(), null, null);
  }

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

package io.m365sync.graph;

import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.TenantId;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.TokenException;
import io.m365sync.auth.TokenStrategy;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Application (client credentials) tokens through MSAL4J: one {@code ConfidentialClientApplication}
 * per tenant, built once and reused; the {@link AccessToken} is kept here until {@code refreshMargin}
 * before it expires, so a Graph call costs no MSAL call (a cached MSAL call still costs ~300 µs and a
 * thread). Failures are {@link io.m365sync.auth.TokenFailures} exceptions: a refused secret or
 * certificate is a {@link io.m365sync.auth.CredentialsInvalidException} naming tenant and client id.
 *
 * <pre>{@code
 * TokenStrategy app = MsalApplicationTokenStrategy.builder()
 *     .clientId("0e5b7e3c-...")
 *     .credential(AppCredential.pkcs12(Path.of("crm.p12"), password))
 *     .build();
 * }</pre>
 *
 * <p>With one app registration per customer tenant, {@code .registrations(tenant -> ...)} replaces
 * {@code clientId} and {@code credential} (see {@link io.m365sync.auth.AppRegistrations}).
 *
 * <p>Thread-safe; concurrent callers for one tenant share one token request, made on the strategy's
 * bounded pool ({@code threads}) with no lock held while it is out.
 */
public final class MsalApplicationTokenStrategy implements TokenStrategy {
  private static final Logger log = LoggerFactory.getLogger(MsalApplicationTokenStrategy.class);

  private final MsalSupport msal;
  private final Set<String> scopes;
  private final Clock clock;
  private final Duration refreshMargin;
  private final ConcurrentHashMap<TenantId, AccessToken> tokens = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<TenantId, CompletableFuture<AccessToken>> flights = new ConcurrentHashMap<>();

  private MsalApplicationTokenStrategy(Builder b) {
    this.msal = b.msal("m365sync-msal-application");
    this.scopes = Set.of(b.resource + "/.default");
    this.clock = b.clock;
    this.refreshMargin = b.refreshMargin;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public AuthMode mode() {
    return AuthMode.APPLICATION;
  }

  @Override
  public AccessToken acquire(Mailbox mailbox, Purpose purpose) {
    if (purpose == Purpose.ADD_IN) {
      throw new IllegalArgumentException("the add-in never uses application tokens (mailbox " + mailbox.id() + ")");
    }
    AccessToken token = flight(mailbox);
    // a request joined late can predate a jump of the clock past its token's expiry: once more
    return token.validAt(clock.instant(), refreshMargin) ? token : flight(mailbox);
  }

  private AccessToken flight(Mailbox mailbox) {
    TenantId tenant = mailbox.tenant();
    AccessToken cached = tokens.get(tenant);
    if (cached != null && cached.validAt(clock.instant(), refreshMargin)) {
      return cached;
    }
    CompletableFuture<AccessToken> mine = new CompletableFuture<>();
    CompletableFuture<AccessToken> flight = flights.putIfAbsent(tenant, mine);
    if (flight == null) {
      flight = mine;
      cached = tokens.get(tenant);
      if (cached != null && cached.validAt(clock.instant(), refreshMargin)) {
        flights.remove(tenant, mine); // another caller's request landed meanwhile
        return cached;
      }
      request(mailbox, mine);
    }
    try {
      return flight.get(msal.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : msal.failure(mailbox, true, e.getCause());
    } catch (TimeoutException e) {
      throw msal.failure(mailbox, true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw msal.failure(mailbox, true, e);
    }
  }

  /**
   * Asks the token endpoint on the strategy's pool, holding no lock: concurrent callers for the tenant
   * wait for this one request. Our own map is the cache, so MSAL's is skipped: a token Graph refused
   * ({@link #invalidate}) is never handed back.
   */
  private void request(Mailbox mailbox, CompletableFuture<AccessToken> flight) {
    TenantId tenant = mailbox.tenant();
    try {
      ConfidentialClientApplication app = msal.app(mailbox);
      MsalSupport.Sent sent = msal.sent();
      app.acquireToken(ClientCredentialParameters.builder(scopes).skipCache(true).build()).whenComplete((r, t) -> {
        AccessToken token = null;
        RuntimeException failure = null;
        try {
          if (t != null) {
            throw msal.failure(mailbox, true, t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
          }
          token = msal.token(mailbox, AuthMode.APPLICATION, r, sent);
          tokens.put(tenant, token);
          log.debug("Application token for tenant {} valid until {}", tenant, token.expiresAt());
        } catch (RuntimeException e) {
          failure = e;
        }
        // gone before anyone hears the outcome: a caller coming back must not find this flight again
        flights.remove(tenant, flight);
        if (failure == null) {
          flight.complete(token);
        } else {
          flight.completeExceptionally(failure);
        }
      });
    } catch (RuntimeException e) {
      flights.remove(tenant, flight);
      flight.completeExceptionally(e);
    }
  }

  /** Drops the cached token of {@code tenant} (Graph refused it); the next acquire asks the token endpoint. */
  public void invalidate(TenantId tenant) {
    tokens.remove(tenant);
  }

  /** Graph refused the tenant's token for {@code mailbox}: the next acquire for the tenant asks the token endpoint. */
  @Override
  public void invalidate(Mailbox mailbox) {
    invalidate(mailbox.tenant());
  }

  /** Forgets nothing per mailbox: application tokens are per tenant. */
  @Override
  public void forget(io.m365sync.MailboxId mailbox) {}

  @Override
  public String toString() {
    return "MsalApplicationTokenStrategy[" + msal.registrations() + "]";
  }

  /** Single-use, fail-fast builder. Required: {@code clientId} and {@code credential}, or {@code registrations}. */
  public static final class Builder extends MsalBuilder<Builder> {
    private String resource = "https://graph.microsoft.com";

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /** The resource whose {@code /.default} scope is asked for; default Microsoft Graph. */
    public Builder resource(String resource) {
      this.resource = Objects.requireNonNull(resource, "resource");
      return this;
    }

    public MsalApplicationTokenStrategy build() {
      checkComplete();
      return new MsalApplicationTokenStrategy(this);
    }
  }
}

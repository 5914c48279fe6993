package io.m365sync.graph;

import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
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
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Thread-safe; concurrent callers for one tenant share one token request.
 */
public final class MsalApplicationTokenStrategy implements TokenStrategy {
  private static final Logger log = LoggerFactory.getLogger(MsalApplicationTokenStrategy.class);

  private final MsalSupport msal;
  private final Set<String> scopes;
  private final Clock clock;
  private final Duration refreshMargin;
  private final ConcurrentHashMap<TenantId, AccessToken> tokens = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<TenantId, Object> locks = new ConcurrentHashMap<>();

  private MsalApplicationTokenStrategy(Builder b) {
    this.msal = b.msal();
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
    TenantId tenant = mailbox.tenant();
    AccessToken cached = tokens.get(tenant);
    if (cached != null && cached.validAt(clock.instant(), refreshMargin)) {
      return cached;
    }
    synchronized (locks.computeIfAbsent(tenant, t -> new Object())) {
      cached = tokens.get(tenant);
      if (cached != null && cached.validAt(clock.instant(), refreshMargin)) {
        return cached;
      }
      ConfidentialClientApplication app = msal.app(mailbox);
      AccessToken token = request(app, mailbox, false);
      if (!token.validAt(clock.instant(), refreshMargin)) {
        // MSAL's cache runs on the system clock; ours may be ahead of it: ask the endpoint
        token = request(app, mailbox, true);
      }
      tokens.put(tenant, token);
      log.debug("Application token for tenant {} valid until {}", tenant, token.expiresAt());
      return token;
    }
  }

  private AccessToken request(ConfidentialClientApplication app, Mailbox mailbox, boolean skipCache) {
    try {
      IAuthenticationResult r = msal.await(app.acquireToken(ClientCredentialParameters.builder(scopes)
          .skipCache(skipCache).build()));
      return msal.token(mailbox, AuthMode.APPLICATION, r);
    } catch (Throwable t) {
      throw t instanceof TokenException e ? e : msal.failure(mailbox, true, t);
    }
  }

  /** Drops the cached token of {@code tenant} (Graph refused it); the next acquire asks MSAL again. */
  public void invalidate(TenantId tenant) {
    tokens.remove(tenant);
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

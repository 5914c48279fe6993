package io.m365sync.testkit;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.TenantId;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.TokenFailures;
import io.m365sync.auth.TokenStrategy;
import io.m365sync.testkit.model.ClientCredential;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.EntraError;
import io.m365sync.testkit.model.TokenRequest;
import io.m365sync.testkit.model.TokenResponse;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Application (client credentials) tokens from the {@link CloudModel}: one cached token per tenant,
 * renewed five minutes before expiry, as MSAL does. Every token request, failed ones included, goes
 * through {@link CloudModel#token} and so reaches the model's request log as an HTTP request would.
 */
public final class FakeApplicationTokenStrategy implements TokenStrategy {
  private static final Duration MARGIN = Duration.ofMinutes(5);

  private final CloudModel cloud;
  private final String clientId;
  private volatile String secret;
  private final ConcurrentHashMap<TenantId, AccessToken> cache = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<TenantId, Object> locks = new ConcurrentHashMap<>();

  public FakeApplicationTokenStrategy(CloudModel cloud, String clientId, String secret) {
    this.cloud = cloud;
    this.clientId = clientId;
    this.secret = secret;
  }

  /** The host rotated the client secret. */
  public void secret(String newSecret) {
    this.secret = newSecret;
    cache.clear();
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
    AccessToken cached = cache.get(mailbox.tenant());
    if (cached != null && cached.validAt(cloud.clock().instant(), MARGIN)) {
      return cached;
    }
    // concurrent callers for one tenant share one token request, as the real strategy's do
    synchronized (locks.computeIfAbsent(mailbox.tenant(), t -> new Object())) {
      cached = cache.get(mailbox.tenant());
      if (cached != null && cached.validAt(cloud.clock().instant(), MARGIN)) {
        return cached;
      }
      try {
        TokenResponse r = cloud.token(mailbox.tenant().value(),
            TokenRequest.clientCredentials(clientId, ClientCredential.secret(secret)));
        AccessToken token = new AccessToken(r.accessToken(), r.expiresAt(), AuthMode.APPLICATION, r.claims().permissions());
        cache.put(mailbox.tenant(), token);
        return token;
      } catch (EntraError e) {
        throw TokenFailures.toException(mailbox, true, clientId, e.status(), e.error(), e.code(), e.suberror(),
            e.getMessage(), null, e.claims(), null);
      }
    }
  }

  @Override
  public void invalidate(Mailbox mailbox) {
    cache.remove(mailbox.tenant());
  }

  @Override
  public String toString() {
    return "FakeApplicationTokenStrategy[clientId=" + clientId + "]";
  }
}

package io.m365sync.testkit;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Purpose;
import io.m365sync.TenantId;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.ReauthenticationRequiredException;
import io.m365sync.auth.TokenFailures;
import io.m365sync.auth.TokenStrategy;
import io.m365sync.testkit.model.ClientCredential;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.EntraError;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import io.m365sync.testkit.model.TokenRequest;
import io.m365sync.testkit.model.TokenResponse;
import io.m365sync.SyncListener;
import io.m365sync.auth.KeepAliveReport;
import io.m365sync.auth.TokenException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delegated tokens from the {@link CloudModel}: {@link #signIn} plays the add-in sign-in; acquire
 * serves the cached access token until five minutes before expiry, then redeems the stored refresh
 * token and keeps the rotated one, as a correct MSAL integration does. It refreshes as a public client
 * (no client secret). Every token request, failed ones included, goes through
 * {@link CloudModel#token} and so reaches the model's request log as an HTTP request would.
 */
public final class FakeDelegatedTokenStrategy implements TokenStrategy {
  private static final Duration MARGIN = Duration.ofMinutes(5);

  private record Entry(String refreshToken, AccessToken accessToken) {}

  private final CloudModel cloud;
  private final String clientId;
  private final ConcurrentHashMap<MailboxId, Entry> entries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<MailboxId, Object> locks = new ConcurrentHashMap<>();

  public FakeDelegatedTokenStrategy(CloudModel cloud, String clientId) {
    this.cloud = cloud;
    this.clientId = clientId;
  }

  /** The user signs in to the add-in; returns the mailbox id to enroll. */
  public MailboxId signIn(TenantModel tenant, ModelUser user) {
    TokenResponse r = tenant.signIn(user, clientId);
    MailboxId id = new MailboxId(TenantId.of(tenant.tenantId()), user.objectId());
    entries.put(id, new Entry(r.refreshToken(), toToken(r)));
    return id;
  }

  @Override
  public AuthMode mode() {
    return AuthMode.DELEGATED;
  }

  @Override
  public AccessToken acquire(Mailbox mailbox, Purpose purpose) {
    Entry e = entry(mailbox);
    if (e.accessToken().validAt(cloud.clock().instant(), MARGIN)) {
      return e.accessToken();
    }
    // one refresh per user at a time: a second one would redeem a refresh token the first just rotated
    synchronized (locks.computeIfAbsent(mailbox.id(), id -> new Object())) {
      e = entry(mailbox);
      if (e.accessToken().validAt(cloud.clock().instant(), MARGIN)) {
        return e.accessToken();
      }
      try {
        TokenResponse r = cloud.token(mailbox.tenant().value(),
            TokenRequest.refreshToken(clientId, ClientCredential.none(), e.refreshToken()));
        AccessToken token = toToken(r);
        entries.replace(mailbox.id(), new Entry(r.refreshToken(), token));
        return token;
      } catch (EntraError err) {
        throw TokenFailures.toException(mailbox, false, clientId, err.status(), err.error(), err.code(), err.suberror(),
            err.getMessage(), null, err.claims(), null);
      }
    }
  }

  private Entry entry(Mailbox mailbox) {
    Entry e = entries.get(mailbox.id());
    if (e == null) {
      throw new ReauthenticationRequiredException(mailbox.id(), "NO_TOKEN_CACHE",
          "no sign-in is stored for this mailbox", null);
    }
    return e;
  }

  /** Exercises the refresh token without using the access token (keep-alive). */
  public void refreshNow(Mailbox mailbox) {
    Entry e = entries.get(mailbox.id());
    if (e != null) {
      entries.put(mailbox.id(), new Entry(e.refreshToken(), new AccessToken(e.accessToken().value(),
          cloud.clock().instant(), AuthMode.DELEGATED, e.accessToken().permissions())));
      acquire(mailbox, Purpose.BACKGROUND_SYNC);
    }
  }

  /**
   * Keep-alive: redeems the refresh token of every mailbox given (the engine runs the pass once per
   * keep-alive interval; unlike the MSAL strategy the fake has no idle threshold of its own).
   */
  @Override
  public KeepAliveReport keepAlive(Collection<Mailbox> mailboxes, SyncListener listener) {
    List<MailboxId> refreshed = new ArrayList<>();
    List<MailboxId> dead = new ArrayList<>();
    Map<MailboxId, String> failed = new LinkedHashMap<>();
    for (Mailbox m : mailboxes) {
      try {
        if (!entries.containsKey(m.id())) {
          throw new ReauthenticationRequiredException(m.id(), "NO_TOKEN_CACHE", "no sign-in is stored for this mailbox", null);
        }
        refreshNow(m);
        refreshed.add(m.id());
      } catch (ReauthenticationRequiredException e) {
        dead.add(m.id());
      } catch (TokenException e) {
        failed.put(m.id(), String.valueOf(e.errorCode()));
      }
    }
    return new KeepAliveReport(refreshed, List.of(), dead, failed, Map.of());
  }

  @Override
  public void invalidate(Mailbox mailbox) {
    entries.computeIfPresent(mailbox.id(), (id, e) -> new Entry(e.refreshToken(), new AccessToken(e.accessToken().value(),
        cloud.clock().instant(), AuthMode.DELEGATED, e.accessToken().permissions())));
  }

  @Override
  public void forget(MailboxId mailbox) {
    entries.remove(mailbox);
  }

  /** Whether a sign-in is stored for the mailbox. */
  public boolean holds(MailboxId mailbox) {
    return entries.containsKey(mailbox);
  }

  private static AccessToken toToken(TokenResponse r) {
    return new AccessToken(r.accessToken(), r.expiresAt(), AuthMode.DELEGATED, r.claims().permissions());
  }

  @Override
  public String toString() {
    return "FakeDelegatedTokenStrategy[clientId=" + clientId + "]";
  }
}

package io.m365sync.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.aad.msal4j.AuthorizationCodeParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAccount;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.SilentParameters;
import com.microsoft.aad.msal4j.TokenSource;
import io.m365sync.Checks;
import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.SyncListener;
import io.m365sync.TenantId;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.KeepAliveReport;
import io.m365sync.auth.ReauthenticationRequiredException;
import io.m365sync.auth.TokenException;
import io.m365sync.auth.TokenStrategy;
import io.m365sync.state.SyncStateStore;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * Delegated tokens through MSAL4J, from each user's own MSAL token cache, stored encrypted
 * ({@link TokenCacheCipher}) through {@link SyncStateStore#putTokenCache}.
 *
 * <ul>
 *   <li>{@link #signIn} redeems the add-in's authorization code and returns the {@link Mailbox} to
 *       enroll; the user's cache is stored at once.</li>
 *   <li>{@link #acquire} serves the access token from memory until {@code refreshMargin} before
 *       expiry, then acquires silently (MSAL redeems the refresh token) and stores the cache again,
 *       so the rotated refresh token is persisted every time.</li>
 *   <li>{@link #keepAlive} exercises the refresh tokens of mailboxes idle for {@code keepAliveInterval}
 *       (default 14 days), so the 90-day inactivity cliff never hits; it warns
 *       {@link SyncListener#tokenExpiringSoon} ahead of a configured sign-in-frequency deadline. It
 *       starts no thread: the engine's scheduler calls it ({@code SyncOptions.keepAliveInterval}).</li>
 * </ul>
 *
 * <p>A missing, undecryptable or tampered cache is {@link ReauthenticationRequiredException} (the
 * user signs in again), never a crash. Every MSAL call gets a {@code ConfidentialClientApplication}
 * of its own holding only its user's cache, so no cache is shared across users and no lock is held
 * over the network; MSAL runs on the strategy's bounded pool ({@code threads}). One refresh per user
 * is in flight at a time; it is stored for that user even when its caller stopped waiting, unless the
 * user was forgotten or signed in again meanwhile. Thread-safe.
 */
public final class MsalDelegatedTokenStrategy implements TokenStrategy {
  private static final Logger log = LoggerFactory.getLogger(MsalDelegatedTokenStrategy.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String EMPTY_CACHE = "{}";

  private final MsalSupport msal;
  private final SyncStateStore store;
  private final TokenCacheCipher cipher;
  private final Clock clock;
  private final Duration refreshMargin;
  private final Duration keepAliveInterval;
  private final Duration signInFrequency;
  private final Duration warnBefore;
  private final Set<String> defaultScopes;
  private final String scopePrefix;
  private final ConcurrentHashMap<MailboxId, AccessToken> tokens = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<MailboxId, Flight> flights = new ConcurrentHashMap<>();
  /** Mailboxes whose token Graph refused, each with a marker the refresh that honours it removes. */
  private final ConcurrentHashMap<MailboxId, Object> invalidated = new ConcurrentHashMap<>();

  /** One refresh of one user's tokens; callers for the same user meanwhile wait for it instead of starting another. */
  private static final class Flight {
    final CompletableFuture<AccessToken> result = new CompletableFuture<>();
    final MsalSupport.Sent sent;
    boolean discarded; // guarded by this

    Flight(MsalSupport.Sent sent) {
      this.sent = sent;
    }
  }

  /** What is sealed into the store: the MSAL cache plus what keep-alive needs to know. */
  private record Envelope(String homeAccountId, Set<String> scopes, Instant signedInAt, Instant refreshedAt, String msalCache) {}

  private MsalDelegatedTokenStrategy(Builder b) {
    this.msal = b.msal("m365sync-msal-delegated");
    this.store = b.store;
    this.cipher = b.cipher;
    this.clock = b.clock;
    this.refreshMargin = b.refreshMargin;
    this.keepAliveInterval = b.keepAliveInterval;
    this.signInFrequency = b.signInFrequency;
    this.warnBefore = b.warnBefore;
    this.scopePrefix = b.scopePrefix;
    Set<String> s = new LinkedHashSet<>();
    for (Resource r : Resource.values()) {
      s.add(scopePrefix + r.delegatedPermission());
    }
    this.defaultScopes = Set.copyOf(s);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public AuthMode mode() {
    return AuthMode.DELEGATED;
  }

  /**
   * The add-in sign-in: redeems {@code authorizationCode} (issued for {@code redirectUri}) for the
   * user's tokens, stores the user's encrypted token cache and returns the mailbox to enroll.
   *
   * @param tenant the tenant the user signed in to
   * @param resources what the CRM syncs for this user; their delegated scopes are asked for
   * @throws io.m365sync.auth.TokenException typed as {@link io.m365sync.auth.TokenFailures} classifies it
   */
  public Mailbox signIn(TenantId tenant, String authorizationCode, URI redirectUri, String crmUserId,
                        Set<Resource> resources) {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(authorizationCode, "authorizationCode");
    Objects.requireNonNull(redirectUri, "redirectUri");
    Set<String> scopes = scopes(resources);
    Instant now = clock.instant();
    // a placeholder mailbox for error mapping: the user is not known before the code is redeemed
    Mailbox pending = new Mailbox(new MailboxId(tenant, "pending-sign-in"), "pending@sign-in", crmUserId, now, resources);
    ConfidentialClientApplication app = msal.appForOneCall(pending); // this sign-in's own, empty cache
    IAuthenticationResult r;
    MsalSupport.Sent sent = msal.sent();
    try {
      r = msal.await(app.acquireToken(AuthorizationCodeParameters.builder(authorizationCode, redirectUri)
          .scopes(scopes).build()));
    } catch (Throwable t) {
      throw msal.failure(pending, false, t);
    }
    MsalSupport.SignedInUser user = MsalSupport.signedInUser(r).orElseThrow(() -> new ReauthenticationRequiredException(
        pending.id(), "NO_ACCOUNT", "the token response carried no id token with an object id; cannot tell whose mailbox"
        + " this is", null));
    Mailbox mailbox = new Mailbox(new MailboxId(TenantId.of(user.tenantId()), user.objectId()), user.username(),
        crmUserId, now, resources);
    AccessToken token = msal.token(mailbox, AuthMode.DELEGATED, r, sent);
    discard(mailbox.id()); // a refresh of the old grant still in flight must not overwrite the new one
    invalidated.remove(mailbox.id());
    persist(mailbox.id(), new Envelope(r.account().homeAccountId(), scopes, now, now, app.tokenCache().serialize()));
    tokens.put(mailbox.id(), token);
    log.info("Mailbox {} signed in; token cache stored (key {})", mailbox.id(), cipher.currentKeyId());
    return mailbox;
  }

  @Override
  public AccessToken acquire(Mailbox mailbox, Purpose purpose) {
    AccessToken cached = tokens.get(mailbox.id());
    if (cached != null && cached.validAt(clock.instant(), refreshMargin) && !invalidated.containsKey(mailbox.id())) {
      return cached;
    }
    return silent(mailbox, false);
  }

  /**
   * Graph refused the user's token: it is dropped here, and the next acquire has MSAL redeem the
   * refresh token (the stored MSAL cache would hand back the same access token otherwise).
   */
  @Override
  public void invalidate(Mailbox mailbox) {
    invalidated.put(mailbox.id(), new Object());
    tokens.remove(mailbox.id());
  }

  /**
   * Joins the user's refresh in flight or starts one, then waits at most {@code timeout} for it. A
   * refresh outlives a caller that stopped waiting and lands for its own user only (see {@link #land}).
   */
  private AccessToken silent(Mailbox mailbox, boolean forceRefresh) {
    AccessToken token = flight(mailbox, forceRefresh);
    // a refresh joined late can predate a jump of the clock past its token's expiry: once more
    return token.validAt(clock.instant(), refreshMargin) ? token : flight(mailbox, false);
  }

  private AccessToken flight(Mailbox mailbox, boolean forceRefresh) {
    MailboxId id = mailbox.id();
    Flight mine = new Flight(msal.sent());
    Flight flight = flights.putIfAbsent(id, mine);
    if (flight == null) {
      flight = mine;
      Object invalidation = invalidated.get(id);
      AccessToken cached = tokens.get(id);
      if (!forceRefresh && invalidation == null && cached != null && cached.validAt(clock.instant(), refreshMargin)) {
        flights.remove(id, mine); // another caller's refresh landed meanwhile
        return cached;
      }
      start(mailbox, forceRefresh || invalidation != null, invalidation, mine);
    }
    try {
      return flight.result.get(msal.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : msal.failure(mailbox, false, e.getCause());
    } catch (TimeoutException e) {
      throw msal.failure(mailbox, false, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw msal.failure(mailbox, false, e);
    }
  }

  /** Loads the user's own cache into an application of this call's own, and asks MSAL on the strategy's pool. */
  private void start(Mailbox mailbox, boolean forceRefresh, Object invalidation, Flight flight) {
    try {
      Envelope env = load(mailbox);
      ConfidentialClientApplication app = msal.appForOneCall(mailbox);
      app.tokenCache().deserialize(env.msalCache());
      IAccount account = findAccount(app, mailbox, env);
      silentCall(app, env, account, forceRefresh)
          .thenCompose(r -> forceRefresh || valid(mailbox, flight.sent, r) ? CompletableFuture.completedFuture(r)
              // MSAL's cache runs on the system clock; ours may be ahead of it: redeem the refresh token
              : silentCall(app, env, account, true).thenApply(forced -> new Silent(forced.result(), true)))
          .whenComplete((r, t) -> land(mailbox, flight, invalidation, app, env, r, t));
    } catch (RuntimeException e) {
      land(mailbox, flight, invalidation, null, null, null, e);
    }
  }

  /** What a silent call returned and whether it went to the token endpoint. */
  private record Silent(IAuthenticationResult result, boolean refreshed) {}

  private CompletableFuture<Silent> silentCall(ConfidentialClientApplication app, Envelope env, IAccount account,
                                                 boolean forceRefresh) {
    CompletableFuture<IAuthenticationResult> call;
    try {
      call = app.acquireTokenSilently(SilentParameters.builder(env.scopes(), account).forceRefresh(forceRefresh).build());
    } catch (MalformedURLException e) {
      call = CompletableFuture.failedFuture(e);
    }
    return call.thenApply(r -> new Silent(r, forceRefresh || r.metadata() == null || r.metadata().tokenSource() != TokenSource.CACHE));
  }

  private boolean valid(Mailbox mailbox, MsalSupport.Sent sent, Silent s) {
    return msal.token(mailbox, AuthMode.DELEGATED, s.result(), sent).validAt(clock.instant(), refreshMargin);
  }

  /**
   * The end of a refresh: the cache of this call's own application is stored in the row of the user
   * the call was made for, unless the user was forgotten or signed in again meanwhile; then later
   * callers are let through.
   */
  private void land(Mailbox mailbox, Flight flight, Object invalidation, ConfidentialClientApplication app, Envelope env,
                    Silent s, Throwable t) {
    MailboxId id = mailbox.id();
    AccessToken token = null;
    RuntimeException failure = null;
    try {
      if (t != null) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        throw cause instanceof TokenException te ? te : msal.failure(mailbox, false, cause);
      }
      token = msal.token(mailbox, AuthMode.DELEGATED, s.result(), flight.sent);
      synchronized (flight) {
        if (!flight.discarded) {
          String serialized = app.tokenCache().serialize();
          Instant refreshedAt = s.refreshed() ? clock.instant() : env.refreshedAt();
          if (!serialized.equals(env.msalCache()) || s.refreshed()) {
            persist(id, new Envelope(env.homeAccountId(), env.scopes(), env.signedInAt(), refreshedAt, serialized));
          }
          tokens.put(id, token);
          if (invalidation != null) {
            invalidated.remove(id, invalidation);
          }
        }
      }
    } catch (RuntimeException e) {
      if (e instanceof ReauthenticationRequiredException) {
        tokens.remove(id);
      }
      failure = e;
    }
    // gone before anyone hears the outcome: a caller coming back must not find this flight again
    flights.remove(id, flight);
    if (failure == null) {
      flight.result.complete(token);
    } else {
      flight.result.completeExceptionally(failure);
    }
  }

  /** Stops a refresh in flight from storing anything for the mailbox (forgotten, or signed in anew). */
  private void discard(MailboxId id) {
    Flight f = flights.remove(id);
    if (f != null) {
      synchronized (f) {
        f.discarded = true;
      }
    }
  }

  private IAccount findAccount(ConfidentialClientApplication app, Mailbox mailbox, Envelope env) {
    Set<IAccount> accounts;
    try {
      accounts = app.getAccounts().get(msal.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw msal.failure(mailbox, false, e);
    } catch (TimeoutException e) {
      throw msal.failure(mailbox, false, e);
    } catch (ExecutionException | RuntimeException e) {
      throw new ReauthenticationRequiredException(mailbox.id(), "TOKEN_CACHE_UNREADABLE",
          "the stored token cache could not be read by MSAL", null);
    }
    for (IAccount a : accounts) {
      if (a.homeAccountId() != null && a.homeAccountId().equals(env.homeAccountId())) {
        return a;
      }
    }
    throw new ReauthenticationRequiredException(mailbox.id(), "NO_ACCOUNT_IN_CACHE",
        "the stored token cache holds no account for this user", null);
  }

  /**
   * Keep-alive: for every mailbox whose refresh token was last used {@code keepAliveInterval} ago
   * or more, redeems it (storing the rotated one); warns {@code listener} about mailboxes within
   * {@code warnBefore} of a configured sign-in-frequency deadline. The engine's scheduler calls it
   * (daily by default) for enrolled mailboxes that do not need a sign-in; it runs on the calling
   * thread and never throws for one mailbox's failure.
   *
   * @param mailboxes the enrolled mailboxes to look after (typically {@code store.enrollments()})
   * @param listener hears {@link SyncListener#tokenExpiringSoon}; may be null
   */
  @Override
  public KeepAliveReport keepAlive(Collection<Mailbox> mailboxes, SyncListener listener) {
    List<MailboxId> refreshed = new ArrayList<>();
    List<MailboxId> fresh = new ArrayList<>();
    List<MailboxId> dead = new ArrayList<>();
    Map<MailboxId, String> failed = new LinkedHashMap<>();
    Map<MailboxId, Instant> warned = new LinkedHashMap<>();
    for (Mailbox m : mailboxes) {
      try {
        Envelope env = load(m.id(), false);
        Instant now = clock.instant();
        if (env.refreshedAt().plus(keepAliveInterval).isAfter(now)) {
          fresh.add(m.id());
        } else {
          silent(m, true);
          refreshed.add(m.id());
        }
        if (signInFrequency != null) {
          Instant deadline = env.signedInAt().plus(signInFrequency);
          if (!now.isBefore(deadline.minus(warnBefore))) {
            warned.put(m.id(), deadline);
            if (listener != null) {
              try {
                listener.tokenExpiringSoon(m, deadline);
              } catch (RuntimeException e) {
                log.warn("SyncListener.tokenExpiringSoon failed for mailbox {}", m.id(), e);
              }
            }
          }
        }
      } catch (ReauthenticationRequiredException e) {
        dead.add(m.id());
      } catch (TokenException e) {
        failed.put(m.id(), e.errorCode() == null ? e.getClass().getSimpleName() : e.errorCode());
      } catch (RuntimeException e) {
        log.warn("Keep-alive of mailbox {} failed", m.id(), e);
        failed.put(m.id(), e.getClass().getSimpleName());
      }
    }
    return new KeepAliveReport(refreshed, fresh, dead, failed, warned);
  }

  /** When the mailbox's refresh token was last redeemed, if a readable cache is stored. */
  public Optional<Instant> lastRefreshed(MailboxId mailbox) {
    try {
      return Optional.of(load(mailbox, false).refreshedAt());
    } catch (ReauthenticationRequiredException e) {
      return Optional.empty();
    }
  }

  @Override
  public void forget(MailboxId mailbox) {
    discard(mailbox);
    tokens.remove(mailbox);
    invalidated.remove(mailbox);
  }

  /** The user's stored envelope; re-sealed with the current key when an older one sealed it (best effort). */
  private Envelope load(Mailbox mailbox) {
    return load(mailbox.id(), true);
  }

  /** @param reseal only a refresh in flight re-seals: it is the one writer of the user's row meanwhile */
  private Envelope load(MailboxId id, boolean reseal) {
    byte[] blob = store.tokenCache(id).orElseThrow(() -> new ReauthenticationRequiredException(id, "NO_TOKEN_CACHE",
        "no sign-in is stored for this mailbox", null));
    byte[] plain;
    try {
      plain = cipher.open(id, blob);
    } catch (TokenCacheCipher.UnreadableBlobException e) {
      log.warn("Token cache of mailbox {} is unreadable ({}); the user must sign in again", id, e.getMessage());
      throw new ReauthenticationRequiredException(id, "TOKEN_CACHE_UNREADABLE", e.getMessage(), null);
    }
    Envelope env;
    try {
      JsonNode n = MAPPER.readTree(plain);
      Set<String> scopes = new LinkedHashSet<>();
      n.get("scopes").forEach(s -> scopes.add(s.asText()));
      env = new Envelope(n.get("homeAccountId").asText(), scopes, Instant.ofEpochSecond(n.get("signedInAt").asLong()),
          Instant.ofEpochSecond(n.get("refreshedAt").asLong()), n.get("msal").asText());
    } catch (IOException | RuntimeException e) {
      throw new ReauthenticationRequiredException(id, "TOKEN_CACHE_UNREADABLE", "the stored token cache is malformed", null);
    }
    if (reseal && cipher.sealedWithOldKey(blob)) {
      try {
        persist(id, env);
      } catch (RuntimeException e) {
        // the cache is readable: serve the token, and the next write seals it with the current key
        log.warn("Re-sealing the token cache of mailbox {} with key {} failed ({}); kept the old seal for now", id,
            cipher.currentKeyId(), e.getClass().getSimpleName());
      }
    }
    return env;
  }

  private void persist(MailboxId id, Envelope env) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("v", 1);
    n.put("homeAccountId", env.homeAccountId());
    n.putArray("scopes").addAll(env.scopes().stream().map(s -> (JsonNode) MAPPER.getNodeFactory().textNode(s)).toList());
    n.put("signedInAt", env.signedInAt().getEpochSecond());
    n.put("refreshedAt", env.refreshedAt().getEpochSecond());
    n.put("msal", env.msalCache());
    store.putTokenCache(id, cipher.seal(id, n.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private Set<String> scopes(Set<Resource> resources) {
    if (resources == null || resources.isEmpty()) {
      return defaultScopes;
    }
    Set<String> s = new LinkedHashSet<>();
    for (Resource r : resources) {
      s.add(scopePrefix + r.delegatedPermission());
    }
    return Set.copyOf(s);
  }

  @Override
  public String toString() {
    return "MsalDelegatedTokenStrategy[" + msal.registrations() + ", cipher=" + cipher + "]";
  }

  /**
   * Single-use, fail-fast builder. Required: {@code clientId} and {@code credential} (or
   * {@code registrations}), {@code store}, {@code cipher}.
   */
  public static final class Builder extends MsalBuilder<Builder> {
    private SyncStateStore store;
    private TokenCacheCipher cipher;
    private Duration keepAliveInterval = Duration.ofDays(14);
    private Duration signInFrequency;
    private Duration warnBefore = Duration.ofDays(7);
    private String scopePrefix = "";

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /** Where the users' encrypted token caches live. */
    public Builder store(SyncStateStore store) {
      this.store = Checks.setOnce(this.store, store, "store");
      return this;
    }

    /** Seals the caches; holds the host's key(s). */
    public Builder cipher(TokenCacheCipher cipher) {
      this.cipher = Checks.setOnce(this.cipher, cipher, "cipher");
      return this;
    }

    /** Prefix of the delegated scopes, e.g. {@code https://graph.microsoft.com/}; default none (Graph). */
    public Builder scopePrefix(String prefix) {
      this.scopePrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** How long a refresh token may sit unused before {@link #keepAlive} redeems it; default 14 days. */
    public Builder keepAliveInterval(Duration interval) {
      if (interval.isZero() || interval.isNegative() || interval.compareTo(Duration.ofDays(89)) > 0) {
        throw new IllegalArgumentException("'keepAliveInterval' must be positive and well under 90 days but was " + interval);
      }
      this.keepAliveInterval = interval;
      return this;
    }

    /**
     * The tenant's Conditional Access sign-in frequency, if known: grants die that long after the
     * sign-in whatever keep-alive does, so {@link #keepAlive} warns {@code warnBefore} ahead.
     */
    public Builder signInFrequency(Duration maxAge, Duration warnBefore) {
      if (maxAge.isZero() || maxAge.isNegative() || warnBefore.isNegative()) {
        throw new IllegalArgumentException("'signInFrequency' must be positive and 'warnBefore' not negative but were "
            + maxAge + " and " + warnBefore);
      }
      this.signInFrequency = maxAge;
      this.warnBefore = warnBefore;
      return this;
    }

    public MsalDelegatedTokenStrategy build() {
      checkComplete("store", store, "cipher", cipher);
      return new MsalDelegatedTokenStrategy(this);
    }
  }

}

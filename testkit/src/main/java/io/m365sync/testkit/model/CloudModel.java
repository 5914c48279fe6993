package io.m365sync.testkit.model;

import io.m365sync.AuthMode;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory Microsoft cloud: tenants, one clock, one request log, and the access tokens it has
 * issued (signed JWTs carrying {@code tid}, {@code oid}, {@code roles} or {@code scp}). The fakes and
 * the HTTP emulator serve it. Thread-safe.
 */
public final class CloudModel {
  private final Clock clock;
  private final Map<String, TenantModel> tenants = new ConcurrentHashMap<>();
  private final Map<String, TokenClaims> issued = new ConcurrentHashMap<>();
  private final RequestLog log = new RequestLog();
  private final byte[] signingKey = new byte[32];
  private final Map<String, String> generatedIds = new ConcurrentHashMap<>();
  private final List<java.util.function.Consumer<ModelNotification>> notificationSinks =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public CloudModel(Clock clock) {
    this.clock = clock;
    new SecureRandom().nextBytes(signingKey);
  }

  public Clock clock() {
    return clock;
  }

  public RequestLog log() {
    return log;
  }

  /**
   * Adds a sink that every tenant's emitted notification goes to (see {@link SubscriptionModel});
   * it is called on the thread that made the change, so it must only enqueue. Returns what removes it.
   */
  public Runnable addNotificationSink(java.util.function.Consumer<ModelNotification> sink) {
    notificationSinks.add(sink);
    return () -> notificationSinks.remove(sink);
  }

  /** Logs one POST of notifications to a host's endpoint (kind {@code notification}; see {@link RecordedRequest}). */
  public void logNotification(String tenantId, String operation, int status, String errorCode) {
    log.add(new RecordedRequest(clock.instant(), tenantId, null, "notification", operation, null, null, status, errorCode));
  }

  void deliver(ModelNotification n) {
    for (java.util.function.Consumer<ModelNotification> sink : notificationSinks) {
      sink.accept(n);
    }
  }

  /**
   * A random GUID generated once per cloud for {@code key} and stable for the cloud's life, e.g.
   * Microsoft Graph's app role and scope ids or a tenant's Graph service principal id as the HTTP
   * emulator serves them (so tests cannot depend on hard-coded ids).
   */
  public String generatedId(String key) {
    return generatedIds.computeIfAbsent(key, k -> UUID.randomUUID().toString());
  }

  /** Adds a tenant with a random GUID id and the given verified domain, e.g. {@code contoso.com}. */
  public TenantModel addTenant(String domain) {
    return addTenant(UUID.randomUUID().toString(), domain);
  }

  public TenantModel addTenant(String tenantId, String domain) {
    TenantModel t = new TenantModel(this, tenantId, domain);
    if (tenants.putIfAbsent(tenantId, t) != null) {
      throw new IllegalArgumentException("tenant '" + tenantId + "' already exists");
    }
    return t;
  }

  /** A tenant by id or domain. */
  public Optional<TenantModel> findTenant(String idOrDomain) {
    TenantModel t = tenants.get(idOrDomain);
    if (t != null) {
      return Optional.of(t);
    }
    return tenants.values().stream().filter(x -> x.domain().equalsIgnoreCase(idOrDomain)).findFirst();
  }

  /** The tenant a token request names, or Entra's AADSTS90002 "tenant not found". */
  public TenantModel tenantForToken(String idOrDomain) {
    return findTenant(idOrDomain).orElseThrow(() -> EntraError.badRequest("invalid_request", 90002,
        "Tenant '" + idOrDomain + "' not found. Check to make sure you have the correct tenant ID and are signing"
            + " into the correct cloud."));
  }

  /**
   * One token request to the tenant named {@code idOrDomain}, judged and recorded by that tenant's
   * {@link TenantModel#token}; a tenant the cloud does not know is Entra's AADSTS90002, recorded too
   * (under the name given).
   *
   * @throws EntraError the error Entra would answer
   */
  public TokenResponse token(String idOrDomain, TokenRequest request) {
    TenantModel tenant;
    try {
      tenant = tenantForToken(idOrDomain);
    } catch (EntraError e) {
      log.add(RecordedRequest.token(clock.instant(), idOrDomain, request, null, e));
      throw e;
    }
    return tenant.token(request);
  }

  public List<TenantModel> tenants() {
    return List.copyOf(tenants.values());
  }

  // snapshot support (CloudSnapshot)
  Map<String, TokenClaims> issuedTokens() {
    return Map.copyOf(issued);
  }

  Map<String, String> generatedIds() {
    return Map.copyOf(generatedIds);
  }

  byte[] signingKey() {
    return signingKey.clone();
  }

  void restoreTokens(Map<String, TokenClaims> tokens, Map<String, String> ids, byte[] key) {
    issued.putAll(tokens);
    generatedIds.putAll(ids);
    System.arraycopy(key, 0, signingKey, 0, signingKey.length);
  }

  TokenResponse issue(TokenClaims claims, String refreshToken, ModelUser user) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("aud", "https://graph.microsoft.com");
    c.put("iss", "https://sts.windows.net/" + claims.tenantId() + "/");
    c.put("iat", claims.issuedAt().getEpochSecond());
    c.put("nbf", claims.issuedAt().getEpochSecond());
    c.put("exp", claims.expiresAt().getEpochSecond());
    c.put("appid", claims.clientId());
    c.put("tid", claims.tenantId());
    c.put("uti", UUID.randomUUID().toString());
    c.put("ver", "1.0");
    if (claims.mode() == AuthMode.APPLICATION) {
      c.put("idtyp", "app");
      if (!claims.permissions().isEmpty()) {
        c.put("roles", claims.permissions().stream().sorted().toList());
      }
    } else {
      c.put("oid", claims.objectId());
      c.put("upn", claims.userPrincipalName());
      c.put("scp", String.join(" ", claims.permissions().stream().sorted().toList()));
    }
    String accessToken = Jwt.sign(c, signingKey);
    issued.put(accessToken, claims);
    String idToken = null;
    if (user != null) {
      Map<String, Object> id = new LinkedHashMap<>();
      id.put("aud", claims.clientId());
      id.put("iss", "https://login.microsoftonline.com/" + claims.tenantId() + "/v2.0");
      id.put("iat", claims.issuedAt().getEpochSecond());
      id.put("exp", claims.expiresAt().getEpochSecond());
      id.put("oid", user.objectId());
      id.put("sub", user.objectId());
      id.put("tid", claims.tenantId());
      id.put("preferred_username", user.userPrincipalName());
      id.put("name", user.displayName());
      id.put("ver", "2.0");
      idToken = Jwt.unsigned(id);
    }
    long expiresIn = Duration.between(claims.issuedAt(), claims.expiresAt()).getSeconds();
    return new TokenResponse(accessToken, claims.expiresAt(), expiresIn, refreshToken, idToken, claims);
  }

  /**
   * The claims of a bearer token this cloud issued.
   *
   * @throws GraphError 401 {@code InvalidAuthenticationToken} if missing, unknown or expired
   */
  public TokenClaims validate(String bearerToken) {
    if (bearerToken == null || bearerToken.isBlank()) {
      throw GraphError.invalidToken("Access token is empty.");
    }
    TokenClaims claims = issued.get(bearerToken);
    if (claims == null) {
      throw GraphError.invalidToken("IDX14100: JWT is not well formed, there are no dots (.) or the signature is invalid.");
    }
    if (!clock.instant().isBefore(claims.expiresAt())) {
      throw GraphError.invalidToken("Lifetime validation failed, the token is expired.");
    }
    return claims;
  }
}

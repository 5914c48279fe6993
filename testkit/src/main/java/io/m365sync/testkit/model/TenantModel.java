package io.m365sync.testkit.model;

import io.m365sync.AuthMode;
import io.m365sync.Resource;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One Microsoft 365 tenant in memory: directory (users, groups, app registrations), Exchange
 * (mailboxes, application access policies), Entra's token rules and Graph's authorization,
 * throttling and fault injection. The single source of truth that the testkit's fakes and its
 * HTTP emulator both serve. Time comes from the cloud's clock. Thread-safe.
 *
 * <p>Exchange rules: application access policies, and changes to the membership of the groups they
 * are scoped to, reach Graph's enforcement only after {@link #policyPropagationDelay()}, while the
 * directory (users, groups, members) shows every change at once, as in a real tenant.
 *
 * <p>Entra rules: every token request goes through {@link #token(TokenRequest)} and is recorded in
 * the cloud's {@link RequestLog}, failed ones included. Refresh tokens rotate on every use (old ones
 * stay valid, as in Entra); a grant unused for {@link #refreshTokenInactivity()} fails with
 * AADSTS700082; an optional sign-in frequency fails it with AADSTS70043 after that age; revocation
 * fails it with AADSTS50173.
 */
public final class TenantModel {
  private static final SecureRandom RANDOM = new SecureRandom();

  private record AuthCode(String userId, String clientId) {}

  private final CloudModel cloud;
  private final String tenantId;
  private final String domain;
  private final Map<String, ModelUser> usersById = new ConcurrentHashMap<>();
  private final Map<String, ModelGroup> groups = new ConcurrentHashMap<>();
  private final Map<String, AppRegistration> apps = new ConcurrentHashMap<>();
  private final Map<String, MailboxModel> mailboxes = new ConcurrentHashMap<>();
  private final List<AccessPolicy> policies = new CopyOnWriteArrayList<>();
  private final Map<String, Instant> policyRemovedAt = new ConcurrentHashMap<>();
  private final Map<String, RefreshGrant> refreshTokens = new HashMap<>();
  private final Map<String, AuthCode> codes = new ConcurrentHashMap<>();
  private final List<FaultRule> faults = new CopyOnWriteArrayList<>();
  private final Deque<EntraError> tokenFaults = new ArrayDeque<>();
  private final Map<String, Deque<Instant>> budgetUse = new HashMap<>();
  private final Map<String, Integer> inFlight = new HashMap<>();
  /** The most requests each app|mailbox key had in flight at once, for tests and benchmarks. */
  private final Map<String, Integer> peakInFlight = new HashMap<>();
  private final SubscriptionModel subscriptions = new SubscriptionModel(this);

  private volatile Duration accessTokenLifetime = Duration.ofHours(1);
  private volatile Duration refreshTokenInactivity = Duration.ofDays(90);
  private volatile boolean refuseRotated;
  private final Set<String> rotatedAway = new HashSet<>();
  private volatile Duration signInFrequency;
  private volatile Duration policyPropagationDelay = Duration.ZERO;
  private volatile GraphLimits limits = GraphLimits.OUTLOOK;

  TenantModel(CloudModel cloud, String tenantId, String domain) {
    this.cloud = cloud;
    this.tenantId = tenantId;
    this.domain = domain;
  }

  public String tenantId() {
    return tenantId;
  }

  public String domain() {
    return domain;
  }

  /** Graph subscriptions (change notifications) to this tenant's mailboxes. */
  public SubscriptionModel subscriptions() {
    return subscriptions;
  }

  public CloudModel cloud() {
    return cloud;
  }

  private Instant now() {
    return cloud.clock().instant();
  }

  // ---------------------------------------------------------------- settings

  public TenantModel accessTokenLifetime(Duration lifetime) {
    this.accessTokenLifetime = lifetime;
    return this;
  }

  public Duration accessTokenLifetime() {
    return accessTokenLifetime;
  }

  public TenantModel refreshTokenInactivity(Duration inactivity) {
    this.refreshTokenInactivity = inactivity;
    return this;
  }

  public Duration refreshTokenInactivity() {
    return refreshTokenInactivity;
  }

  /**
   * Stricter than Entra (which keeps a rotated refresh token valid): a refresh token redeemed once
   * is refused with AADSTS70008 ever after, so a test proves a client always stores and uses the
   * latest one. Off by default.
   */
  public TenantModel refuseRotatedRefreshTokens(boolean refuse) {
    this.refuseRotated = refuse;
    return this;
  }

  /** Conditional Access sign-in frequency: the most a grant may age after sign-in; null for none. */
  public TenantModel signInFrequency(Duration maxAge) {
    this.signInFrequency = maxAge;
    return this;
  }

  public Optional<Duration> signInFrequency() {
    return Optional.ofNullable(signInFrequency);
  }

  /**
   * How long Exchange Online takes to apply a change to application access: a new or removed policy,
   * and a change of membership of a policy's scope group (commonly 30 to 60 minutes or more in real
   * tenants; zero by default here, so that tests which do not care see changes at once). Graph
   * enforces each policy only from {@code createdAt + delay} until {@code removedAt + delay}, and
   * judges scope-group membership as it was at {@code now - delay}; the directory shows every change
   * at once.
   */
  public TenantModel policyPropagationDelay(Duration delay) {
    this.policyPropagationDelay = delay;
    return this;
  }

  public Duration policyPropagationDelay() {
    return policyPropagationDelay;
  }

  /**
   * Graph's per app per mailbox limits, enforced for the fakes and the HTTP emulator alike (default
   * {@link GraphLimits#OUTLOOK}: 4 in flight, 10,000 per 10 minutes; {@link GraphLimits#NONE} turns
   * them off).
   */
  public TenantModel graphLimits(GraphLimits limits) {
    this.limits = java.util.Objects.requireNonNull(limits, "limits");
    return this;
  }

  public GraphLimits graphLimits() {
    return limits;
  }

  /** Shorthand for {@link #graphLimits(GraphLimits)}. */
  public TenantModel throttling(int concurrent, int budget, Duration window) {
    return graphLimits(new GraphLimits(concurrent, budget, window));
  }

  // ---------------------------------------------------------------- snapshot support (CloudSnapshot)

  record Settings(Duration accessTokenLifetime, Duration refreshTokenInactivity, Duration signInFrequency,
                  Duration policyPropagationDelay, int concurrencyLimit, int requestBudget, Duration budgetWindow) {}

  Settings settings() {
    return new Settings(accessTokenLifetime, refreshTokenInactivity, signInFrequency, policyPropagationDelay,
        limits.concurrentRequests(), limits.requestsPerWindow(), limits.window());
  }

  void restoreSettings(Settings s) {
    accessTokenLifetime = s.accessTokenLifetime();
    refreshTokenInactivity = s.refreshTokenInactivity();
    signInFrequency = s.signInFrequency();
    policyPropagationDelay = s.policyPropagationDelay();
    limits = new GraphLimits(s.concurrencyLimit(), s.requestBudget(), s.budgetWindow());
  }

  ModelUser restoreUser(String objectId, String upn, String displayName) {
    ModelUser user = new ModelUser(objectId, upn, displayName);
    usersById.put(objectId, user);
    mailboxes.put(objectId, new MailboxModel(objectId, subscriptions));
    return user;
  }

  ModelGroup restoreGroup(String id, String displayName, boolean mailEnabledSecurity) {
    ModelGroup g = new ModelGroup(id, displayName, mailEnabledSecurity, cloud.clock());
    groups.put(id, g);
    return g;
  }

  AppRegistration restoreApp(String clientId, String displayName, String applicationObjectId, String servicePrincipalId) {
    AppRegistration app = new AppRegistration(clientId, displayName, applicationObjectId, servicePrincipalId);
    apps.put(clientId, app);
    return app;
  }

  void restorePolicy(AccessPolicy policy, Instant removedAt) {
    policies.add(policy);
    if (removedAt != null) {
      policyRemovedAt.put(policy.id(), removedAt);
    }
  }

  Map<String, Instant> policyRemovals() {
    return Map.copyOf(policyRemovedAt);
  }

  List<AccessPolicy> allPolicies() {
    return List.copyOf(policies);
  }

  synchronized Map<String, RefreshGrant> refreshGrants() {
    return Map.copyOf(refreshTokens);
  }

  synchronized void restoreRefreshGrant(String refreshToken, RefreshGrant grant) {
    refreshTokens.put(refreshToken, grant);
  }

  // ---------------------------------------------------------------- directory

  public ModelUser addUser(String alias) {
    String upn = alias.contains("@") ? alias : alias + "@" + domain;
    ModelUser user = new ModelUser(UUID.randomUUID().toString(), upn, alias);
    if (findUser(upn).isPresent()) {
      throw new IllegalArgumentException("user '" + upn + "' already exists in tenant " + tenantId);
    }
    usersById.put(user.objectId(), user);
    mailboxes.put(user.objectId(), new MailboxModel(user.objectId(), subscriptions));
    return user;
  }

  /** A user by object id or UPN (case-insensitive). */
  public Optional<ModelUser> findUser(String idOrUpn) {
    if (idOrUpn == null) {
      return Optional.empty();
    }
    ModelUser byId = usersById.get(idOrUpn);
    if (byId != null) {
      return Optional.of(byId);
    }
    return usersById.values().stream().filter(u -> u.userPrincipalName().equalsIgnoreCase(idOrUpn)).findFirst();
  }

  public ModelUser user(String idOrUpn) {
    return findUser(idOrUpn).orElseThrow(() -> new IllegalArgumentException("no user '" + idOrUpn + "' in tenant " + tenantId));
  }

  public List<ModelUser> users() {
    return List.copyOf(usersById.values());
  }

  /** The user's mailbox, whatever their license (Graph refuses unlicensed ones; tests may still seed them). */
  public MailboxModel mailbox(ModelUser user) {
    return mailboxes.get(user.objectId());
  }

  public ModelGroup addGroup(String displayName, boolean mailEnabledSecurity) {
    ModelGroup g = new ModelGroup(UUID.randomUUID().toString(), displayName, mailEnabledSecurity, cloud.clock());
    groups.put(g.id(), g);
    return g;
  }

  public Optional<ModelGroup> findGroup(String idOrName) {
    ModelGroup byId = groups.get(idOrName);
    if (byId != null) {
      return Optional.of(byId);
    }
    return groups.values().stream().filter(g -> g.displayName().equalsIgnoreCase(idOrName)).findFirst();
  }

  public List<ModelGroup> groups() {
    return List.copyOf(groups.values());
  }

  /** Every user in the group, through nested groups, as the directory shows them now. */
  public Set<ModelUser> transitiveMembers(ModelGroup group) {
    return transitiveMembers(group, ModelGroup::memberIds);
  }

  /**
   * Every user in the group, through nested groups, as Exchange's access-policy evaluation sees them
   * now: the membership of {@link #policyPropagationDelay()} ago.
   */
  public Set<ModelUser> transitiveMembersSeenByPolicies(ModelGroup group) {
    Instant seen = now().minus(policyPropagationDelay);
    return transitiveMembers(group, g -> g.memberIdsAsOf(seen));
  }

  private Set<ModelUser> transitiveMembers(ModelGroup group, Function<ModelGroup, Set<String>> members) {
    Set<ModelUser> users = new HashSet<>();
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(group.id()));
    while (!todo.isEmpty()) {
      String id = todo.pop();
      if (!seen.add(id)) {
        continue;
      }
      ModelGroup g = groups.get(id);
      if (g != null) {
        todo.addAll(members.apply(g));
      } else if (usersById.containsKey(id)) {
        users.add(usersById.get(id));
      }
    }
    return users;
  }

  /** Every group the user belongs to, directly or through nesting. */
  public List<ModelGroup> transitiveMemberOf(ModelUser user) {
    return groups.values().stream().filter(g -> transitiveMembers(g).contains(user)).toList();
  }

  public AppRegistration registerApp(String clientId, String displayName) {
    AppRegistration app = new AppRegistration(clientId, displayName);
    if (apps.putIfAbsent(clientId, app) != null) {
      throw new IllegalArgumentException("app '" + clientId + "' is already registered in tenant " + tenantId);
    }
    return app;
  }

  public Optional<AppRegistration> app(String clientId) {
    return Optional.ofNullable(apps.get(clientId));
  }

  public List<AppRegistration> apps() {
    return List.copyOf(apps.values());
  }

  // ---------------------------------------------------------------- Exchange access policies

  /** {@code New-ApplicationAccessPolicy}; enforced after {@link #policyPropagationDelay()}. */
  public AccessPolicy addAccessPolicy(AccessPolicy.AccessRight right, String appIdOrStar, ModelGroup scopeGroup,
                                      String description) {
    if (!scopeGroup.mailEnabledSecurity()) {
      throw new IllegalArgumentException("PolicyScopeGroupId must be a mail-enabled security group but '"
          + scopeGroup.displayName() + "' is not");
    }
    AccessPolicy p = new AccessPolicy(UUID.randomUUID().toString(), right, Set.of(appIdOrStar), scopeGroup.id(),
        description, now());
    policies.add(p);
    return p;
  }

  /** {@code Remove-ApplicationAccessPolicy}; Graph keeps enforcing it for the propagation delay. */
  public void removeAccessPolicy(AccessPolicy policy) {
    policyRemovedAt.put(policy.id(), now());
  }

  public List<AccessPolicy> accessPolicies() {
    return policies.stream().filter(p -> !policyRemovedAt.containsKey(p.id())).toList();
  }

  /**
   * Whether Graph lets {@code clientId}'s app-only tokens reach the user's mailbox now, by Exchange's
   * order: DenyAccess beats RestrictAccess; a matching DenyAccess denies; a matching RestrictAccess
   * grants; a RestrictAccess that does not contain the mailbox denies; no policy grants.
   * Only policies older than the propagation delay count, and a policy's scope group counts with the
   * members it had one propagation delay ago ({@link #transitiveMembersSeenByPolicies}): a user just
   * added to a RestrictAccess group stays denied, and one just removed stays allowed, until the delay
   * has passed. This is what Graph's 403 {@code ErrorAccessDenied} under an app-only token follows.
   */
  public boolean appAccessAllowed(String clientId, ModelUser user) {
    Instant now = now();
    List<AccessPolicy> effective = new ArrayList<>();
    for (AccessPolicy p : policies) {
      Instant removed = policyRemovedAt.get(p.id());
      boolean created = !p.createdAt().plus(policyPropagationDelay).isAfter(now);
      boolean stillThere = removed == null || removed.plus(policyPropagationDelay).isAfter(now);
      if (created && stillThere && p.appliesTo(clientId)) {
        effective.add(p);
      }
    }
    boolean restrictExists = false;
    boolean restrictGrants = false;
    for (AccessPolicy p : effective) {
      boolean inScope = groups.containsKey(p.scopeGroupId())
          && transitiveMembersSeenByPolicies(groups.get(p.scopeGroupId())).contains(user);
      if (p.accessRight() == AccessPolicy.AccessRight.DENY_ACCESS && inScope) {
        return false;
      }
      if (p.accessRight() == AccessPolicy.AccessRight.RESTRICT_ACCESS) {
        restrictExists = true;
        restrictGrants |= inScope;
      }
    }
    return !restrictExists || restrictGrants;
  }

  // ---------------------------------------------------------------- Entra token endpoint

  /** Makes the next token requests fail with {@code error} (e.g. 503 {@code temporarily_unavailable}). */
  public synchronized TenantModel failNextTokenRequests(int times, EntraError error) {
    for (int i = 0; i < times; i++) {
      tokenFaults.add(error);
    }
    return this;
  }

  private synchronized void tokenFault() {
    EntraError e = tokenFaults.poll();
    if (e != null) {
      throw e;
    }
  }

  private AppRegistration requireApp(String clientId) {
    AppRegistration app = apps.get(clientId);
    if (app == null) {
      throw new EntraError(400, "unauthorized_client", 700016, "Application with identifier '" + clientId
          + "' was not found in the directory '" + tenantId + "'. This can happen if the application has not been"
          + " installed by the administrator of the tenant or consented to by any user in the tenant.", null);
    }
    return app;
  }

  /**
   * One token request, judged by Entra's rules and recorded in the cloud's {@link RequestLog} once,
   * whatever its outcome (with the user its refresh token or code belongs to, the status and the
   * AADSTS code). Both the HTTP emulator and the in-memory fakes come through here, so a test counts
   * the same requests either way.
   *
   * <p>Rules, in Entra's order: the request's form (AADSTS900144 for a missing field, 70003 for an
   * unknown grant, 1002012 for client credentials without a {@code /.default} scope, 500011
   * {@code invalid_resource} for a scope of a resource other than Graph, 70011 {@code invalid_scope}
   * for a delegated scope Graph does not publish), injected
   * faults ({@link #failNextTokenRequests}), the app (700016), the client's proof (7000218 when client
   * credentials bring none; 7000215 for a wrong secret, 7000222 for an expired one, 700027 for a bad
   * or expired certificate, 700021/700023/700024 for an assertion with the wrong issuer, audience or
   * time range, on every grant), then the grant itself: refresh tokens rotate on every use
   * (old ones stay valid unless {@link #refuseRotatedRefreshTokens}: then 70008) and fail with 9002313
   * when unknown, 50173 when revoked, 700082 after
   * {@link #refreshTokenInactivity()}, 70043 past the sign-in frequency; codes are single use (70000);
   * a requested delegated scope the grant lacks is 65001 {@code consent_required}.
   *
   * @throws EntraError the error Entra would answer
   */
  public TokenResponse token(TokenRequest request) {
    String userId = userOf(request);
    EntraError error = null;
    try {
      return grant(request);
    } catch (EntraError e) {
      error = e;
      throw e;
    } finally {
      cloud.log().add(RecordedRequest.token(now(), tenantId, request, userId, error));
    }
  }

  /** The user a refresh token or an authorization code belongs to, known before the request is judged. */
  private synchronized String userOf(TokenRequest request) {
    if ("refresh_token".equals(request.grantType()) && request.refreshToken() != null) {
      RefreshGrant grant = refreshTokens.get(request.refreshToken());
      return grant == null ? null : grant.userId;
    }
    if ("authorization_code".equals(request.grantType()) && request.code() != null) {
      AuthCode code = codes.get(request.code());
      return code == null ? null : code.userId();
    }
    return null;
  }

  private TokenResponse grant(TokenRequest r) {
    if (r.malformed() != null) {
      throw r.malformed();
    }
    String grantType = require("grant_type", r.grantType());
    String clientId = require("client_id", r.clientId());
    switch (grantType) {
      case "client_credentials" -> {
        if (r.scopes().stream().noneMatch(s -> s.endsWith("/.default"))) {
          throw EntraError.badRequest("invalid_scope", 1002012, "The provided value for scope " + String.join(" ", r.scopes())
              + " is not valid. Client credential flows must have a scope value with /.default suffixed to the resource"
              + " identifier (application ID URI).");
        }
        requireKnownResources(r.scopes());
        if (r.credential() instanceof ClientCredential.None) {
          throw new EntraError(401, "invalid_client", 7000218,
              "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", null);
        }
        tokenFault();
        AppRegistration app = requireApp(clientId);
        authenticate(app, r.credential());
        return appToken(app);
      }
      case "refresh_token" -> {
        String refreshToken = require("refresh_token", r.refreshToken());
        requireKnownScopes(r.scopes());
        tokenFault();
        AppRegistration app = requireApp(clientId);
        authenticate(app, r.credential());
        return requireConsent(redeemRefreshToken(app, refreshToken), r.scopes());
      }
      case "authorization_code" -> {
        String code = require("code", r.code());
        requireKnownScopes(r.scopes());
        tokenFault();
        AppRegistration app = requireApp(clientId);
        authenticate(app, r.credential());
        return requireConsent(redeemCode(app, code), r.scopes());
      }
      default -> throw EntraError.badRequest("unsupported_grant_type", 70003,
          "The app requested an unsupported grant type '" + grantType + "'.");
    }
  }

  /** Every {@code /.default} names a resource this tenant knows (only Graph here), else AADSTS500011. */
  private void requireKnownResources(List<String> scopes) {
    for (String s : scopes) {
      String resource = GraphResource.resourceOf(s);
      if (resource != null && !GraphResource.isGraph(resource)) {
        throw EntraError.badRequest("invalid_resource", 500011, "The resource principal named " + resource
            + " was not found in the tenant named " + domain + ". This can happen if the application has not been"
            + " installed by the administrator of the tenant or consented to by any user in the tenant. You might have"
            + " sent your authentication request to the wrong tenant.");
      }
    }
  }

  /**
   * Delegated scopes must name a known resource (500011) and a permission it publishes (AADSTS70011
   * {@code invalid_scope}); a published one the grant lacks is consent, judged after the grant.
   */
  private void requireKnownScopes(List<String> scopes) {
    requireKnownResources(scopes);
    Set<String> published = GraphResource.scopes(this);
    for (String s : scopes) {
      String name = GraphResource.nameOf(s);
      if (!name.equals(".default") && !GraphResource.isSignInScope(name) && !published.contains(name)) {
        throw EntraError.badRequest("invalid_scope", 70011, "The provided request must include a 'scope' input parameter."
            + " The provided value for the input parameter 'scope' is not valid. The scope '" + s + "' is not valid.");
      }
    }
  }

  private static String require(String name, String value) {
    if (value == null || value.isBlank()) {
      throw EntraError.badRequest("invalid_request", 900144, "The request body must contain the following parameter: '"
          + name + "'.");
    }
    return value;
  }

  /** Confidential clients prove themselves on every grant; public clients send nothing. */
  private void authenticate(AppRegistration app, ClientCredential credential) {
    if (credential instanceof ClientCredential.Secret secret) {
      Optional<ClientSecret> match = app.secrets().stream().filter(s -> s.value().equals(secret.value())).findFirst();
      if (match.isEmpty()) {
        throw EntraError.invalidClient(7000215, "Invalid client secret provided. Ensure the secret being sent in the"
            + " request is the client secret value, not the client secret ID, for a secret added to app '"
            + app.clientId() + "'.");
      }
      if (!match.get().endDateTime().isAfter(now())) {
        throw EntraError.invalidClient(7000222, "The provided client secret keys for app '" + app.clientId()
            + "' are expired. Visit the Azure portal to create new keys for your app.");
      }
    } else if (credential instanceof ClientCredential.Assertion assertion) {
      if (assertion.refusal() != null) {
        throw assertion.refusal();
      }
      X509Certificate presented = assertion.signedBy();
      if (presented == null || app.certificates().stream().noneMatch(c -> c.equals(presented))) {
        throw EntraError.invalidClient(700027, "Client assertion failed signature validation.");
      }
      if (!presented.getNotAfter().toInstant().isAfter(now())) {
        throw EntraError.invalidClient(700027, "Client assertion contains an invalid signature: the certificate expired.");
      }
    }
  }

  /** A requested delegated scope the grant does not hold is a consent Entra would have to ask for. */
  private static TokenResponse requireConsent(TokenResponse token, List<String> requested) {
    for (String s : requested) {
      String name = s.substring(s.lastIndexOf('/') + 1);
      boolean granted = token.claims().permissions().stream().anyMatch(p -> p.equalsIgnoreCase(name));
      if (!granted && !name.equals(".default") && !TokenRequest.OIDC_SCOPES.contains(name.toLowerCase(Locale.ROOT))) {
        throw EntraError.invalidGrant(65001, "The user or administrator has not consented to use the application with ID '"
            + token.claims().clientId() + "' named '" + token.claims().clientId() + "'. Send an interactive authorization"
            + " request for this user and resource.", "consent_required");
      }
    }
    return token;
  }

  private TokenResponse appToken(AppRegistration app) {
    Set<String> roles = app.consentedApplicationPermissions();
    return cloud.issue(new TokenClaims(tenantId, app.clientId(), null, null, AuthMode.APPLICATION, roles, now(),
        now().plus(accessTokenLifetime)), null, null);
  }

  /** {@code grant_type=client_credentials} with a client secret; see {@link #token(TokenRequest)}. */
  public TokenResponse clientCredentials(String clientId, String secret) {
    return token(TokenRequest.clientCredentials(clientId, ClientCredential.secret(secret)));
  }

  /**
   * {@code grant_type=client_credentials} with a certificate assertion whose signature the caller
   * verified ({@code presented} null when it did not verify); see {@link #token(TokenRequest)}.
   */
  public TokenResponse clientCertificate(String clientId, X509Certificate presented) {
    return token(TokenRequest.clientCredentials(clientId, ClientCredential.assertion(presented)));
  }

  /**
   * A one-time authorization code for {@code user} signing in to {@code clientId}, as the add-in's
   * sign-in redirect carries; redeem it with {@code grant_type=authorization_code}.
   */
  public String authorizationCode(ModelUser user, String clientId) {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String code = "0.AAAA" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    codes.put(code, new AuthCode(user.objectId(), clientId));
    return code;
  }

  /**
   * The user signs in to the add-in as a public client: an authorization code issued and redeemed at
   * once, giving a new grant with the app's delegated permissions and a refresh token for it.
   */
  public TokenResponse signIn(ModelUser user, String clientId) {
    return token(TokenRequest.authorizationCode(clientId, ClientCredential.none(), authorizationCode(user, clientId)));
  }

  private TokenResponse redeemCode(AppRegistration app, String code) {
    AuthCode known = codes.remove(code);
    if (known == null || !known.clientId().equals(app.clientId())) {
      throw EntraError.invalidGrant(70000, "The provided authorization code is invalid or has expired.", null);
    }
    synchronized (this) {
      RefreshGrant grant = new RefreshGrant(known.userId(), app.clientId(), app.delegatedPermissions(), now());
      return delegatedToken(grant, usersById.get(known.userId()));
    }
  }

  /** {@code grant_type=refresh_token} for a public client; see {@link #token(TokenRequest)}. */
  public TokenResponse refresh(String clientId, String refreshToken) {
    return token(TokenRequest.refreshToken(clientId, ClientCredential.none(), refreshToken));
  }

  private synchronized TokenResponse redeemRefreshToken(AppRegistration app, String refreshToken) {
    RefreshGrant grant = refreshTokens.get(refreshToken);
    if (grant == null || !grant.clientId.equals(app.clientId())) {
      throw EntraError.invalidGrant(9002313, "Invalid request. Request is malformed or invalid.", null);
    }
    Instant now = now();
    if (refuseRotated && rotatedAway.contains(refreshToken)) {
      throw EntraError.invalidGrant(70008, "The provided authorization code or refresh token has expired due to"
          + " inactivity or was already used. Send a new interactive authorization request for this user and resource.", null);
    }
    if (grant.revoked) {
      throw EntraError.invalidGrant(50173, "The provided grant has expired due to it being revoked, a fresh auth"
          + " token is needed. The user might have changed or reset their password.", null);
    }
    Duration idle = Duration.between(grant.lastUsedAt, now);
    if (idle.compareTo(refreshTokenInactivity) > 0) {
      throw EntraError.invalidGrant(700082, "The refresh token has expired due to inactivity. The token was issued on "
          + grant.signedInAt + " and was inactive for " + refreshTokenInactivity.toDays() + ".00:00:00.", null);
    }
    if (signInFrequency != null && Duration.between(grant.signedInAt, now).compareTo(signInFrequency) > 0) {
      throw EntraError.invalidGrant(70043, "The refresh token has expired or is invalid due to sign-in frequency"
          + " checks by conditional access. The token was issued on " + grant.signedInAt
          + " and the maximum allowed lifetime for this request is " + signInFrequency.getSeconds() + ".", null);
    }
    Set<String> scopes = new HashSet<>(grant.scopes);
    scopes.retainAll(app.delegatedPermissions());
    if (scopes.isEmpty()) {
      throw EntraError.invalidGrant(65001, "The user or administrator has not consented to use the application with ID '"
          + app.clientId() + "'. Send an interactive authorization request for this user and resource.", "consent_required");
    }
    grant.lastUsedAt = now;
    rotatedAway.add(refreshToken);
    return delegatedToken(grant, usersById.get(grant.userId));
  }

  private TokenResponse delegatedToken(RefreshGrant grant, ModelUser user) {
    String rt = "0.ARt" + token();
    refreshTokens.put(rt, grant);
    Set<String> scp = new HashSet<>(grant.scopes);
    scp.retainAll(apps.get(grant.clientId).delegatedPermissions());
    return cloud.issue(new TokenClaims(tenantId, grant.clientId, user.objectId(), user.userPrincipalName(),
        AuthMode.DELEGATED, scp, now(), now().plus(accessTokenLifetime)), rt, user);
  }

  /** "Revoke sessions" for the user: every refresh token fails with AADSTS50173. */
  public synchronized void revokeSignInSessions(ModelUser user) {
    refreshTokens.values().stream().filter(g -> g.userId.equals(user.objectId())).forEach(g -> g.revoked = true);
  }

  private static String token() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  // ---------------------------------------------------------------- Graph

  /**
   * Runs one Graph request the way Graph would: validates the bearer token (401), applies fault
   * rules, throttling (429), authorization (403 for a wrong user, a missing permission, or an
   * application access policy), mailbox availability (404 {@code MailboxNotEnabledForRESTAPI}), then
   * the action; every outcome is logged.
   *
   * @param methodAndPath e.g. {@code GET /users/{id}/contacts/delta}, matched by fault rules
   * @param targetUser the mailbox owner's id or UPN; null for directory requests
   * @param resource the resource touched; null for directory requests
   */
  public <R> R graph(String methodAndPath, String bearerToken, String targetUser, Resource resource, Supplier<R> action) {
    return graph(methodAndPath, bearerToken, targetUser, resource, action, null);
  }

  /**
   * {@link #graph(String, String, String, Resource, Supplier)} for a server that answers later than
   * the action returns (the HTTP emulator, after its latency): the request holds its place among the
   * mailbox's {@link GraphLimits#concurrentRequests()} until the server runs what {@code release}
   * receives, as it sends the answer. {@code release} null ends it when the action returns.
   */
  public <R> R graph(String methodAndPath, String bearerToken, String targetUser, Resource resource, Supplier<R> action,
                     Consumer<Runnable> release) {
    TokenClaims claims = null;
    String userId = targetUser;
    int status = 200;
    String errorCode = null;
    String throttleKey = null;
    try {
      claims = cloud.validate(bearerToken);
      if (!claims.tenantId().equals(tenantId)) {
        throw GraphError.invalidToken("Access token validation failure. Invalid audience or tenant.");
      }
      Optional<ModelUser> user = findUser(targetUser);
      userId = user.map(ModelUser::objectId).orElse(targetUser);
      for (FaultRule f : faults) {
        if (f.error() != null && f.fires(methodAndPath, userId)) {
          throw f.error();
        }
      }
      if (targetUser != null) {
        String key = claims.clientId() + "|" + userId;
        enter(key, userId);
        throttleKey = key;
      }
      authorize(claims, user, targetUser, resource);
      return action.get();
    } catch (GraphError e) {
      status = e.status();
      errorCode = e.code();
      throw e;
    } finally {
      if (throttleKey != null) {
        String key = throttleKey;
        if (release == null) {
          leave(key);
        } else {
          release.accept(() -> leave(key));
        }
      }
      cloud.log().add(new RecordedRequest(now(), tenantId, claims == null ? null : claims.clientId(), "graph",
          methodAndPath, userId, claims == null ? null : claims.mode(), status, errorCode));
    }
  }

  /** Fault rules that may fire (HTTP emulator: latency and dropped connections too). */
  public List<FaultRule> faults() {
    return List.copyOf(faults);
  }

  public TenantModel addFault(FaultRule rule) {
    faults.add(rule);
    return this;
  }

  public TenantModel clearFaults() {
    faults.clear();
    return this;
  }

  private void authorize(TokenClaims claims, Optional<ModelUser> user, String targetUser, Resource resource) {
    if (targetUser == null) {
      return;
    }
    if (claims.mode() == AuthMode.DELEGATED) {
      if (user.isEmpty() || !user.get().objectId().equals(claims.objectId())) {
        throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
      }
      if (resource != null && !grants(claims.permissions(), resource.delegatedPermission())) {
        throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
      }
    } else if (resource != null) {
      if (!grants(claims.permissions(), resource.applicationPermission())) {
        throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
      }
    }
    if (user.isEmpty() || !user.get().licensed()) {
      throw new GraphError(404, "MailboxNotEnabledForRESTAPI",
          "The mailbox is either inactive, soft-deleted, or is hosted on-premise.");
    }
    if (claims.mode() == AuthMode.APPLICATION && resource != null && resource.coveredByAccessPolicies()
        && !appAccessAllowed(claims.clientId(), user.get())) {
      throw GraphError.accessDeniedByPolicy();
    }
  }

  private static boolean grants(Set<String> granted, String needed) {
    return granted.contains(needed) || granted.contains(needed + ".All")
        || granted.stream().anyMatch(g -> g.toLowerCase(Locale.ROOT).equals(needed.toLowerCase(Locale.ROOT)));
  }

  /** Admits one request of app|mailbox {@code key} under {@link #limits}, or throws its 429. */
  private synchronized void enter(String key, String userId) {
    GraphLimits l = limits;
    Instant now = now();
    Deque<Instant> used = l.windowLimited() ? budgetUse.computeIfAbsent(key, k -> new ArrayDeque<>()) : null;
    if (used != null) {
      while (!used.isEmpty() && !used.peekFirst().plus(l.window()).isAfter(now)) {
        used.pollFirst();
      }
      if (used.size() >= l.requestsPerWindow()) {
        // the oldest counted requests leave first; a limit lowered meanwhile may need more than one to go
        Instant freeAt = used.stream().skip(used.size() - l.requestsPerWindow()).findFirst().orElseThrow().plus(l.window());
        Duration retry = Duration.between(now, freeAt);
        throw new GraphError(429, "TooManyRequests", "Please retry again later.",
            retry.isZero() ? Duration.ofSeconds(1) : retry);
      }
    }
    int running = inFlight.getOrDefault(key, 0);
    if (running >= l.concurrentRequests()) {
      throw GraphError.throttled(Duration.ofSeconds(1));
    }
    if (used != null) {
      used.addLast(now);
    }
    inFlight.put(key, running + 1);
    peakInFlight.merge(key, running + 1, Math::max);
  }

  private synchronized void leave(String key) {
    inFlight.computeIfPresent(key, (k, v) -> v <= 1 ? null : v - 1);
  }

  /**
   * The most Graph requests each mailbox had in flight at once (admitted ones: a request refused
   * with 429 never was), by the owner's object id, the highest over apps, since the tenant was
   * created or {@link #resetPeakRequestsInFlight()}. Counted whatever the {@link #graphLimits()}, for
   * tests and benchmarks that check how far a client overlaps its requests to one mailbox.
   */
  public synchronized Map<String, Integer> peakRequestsInFlight() {
    Map<String, Integer> peaks = new LinkedHashMap<>();
    peakInFlight.forEach((key, peak) -> peaks.merge(key.substring(key.indexOf('|') + 1), peak, Math::max));
    return peaks;
  }

  /** The Graph requests each mailbox has in flight now (admitted, not answered yet), by the owner's object id. */
  public synchronized Map<String, Integer> requestsInFlight() {
    Map<String, Integer> now = new LinkedHashMap<>();
    inFlight.forEach((key, n) -> now.merge(key.substring(key.indexOf('|') + 1), n, Integer::sum));
    return now;
  }

  /** Forgets the peaks {@link #peakRequestsInFlight()} reports. */
  public synchronized void resetPeakRequestsInFlight() {
    peakInFlight.clear();
  }

  /** Counts of Graph requests per target user, for tests and benchmarks. */
  public Map<String, Long> graphRequestsByUser() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (RecordedRequest r : cloud.log().all()) {
      if (r.isGraph() && tenantId.equals(r.tenantId()) && r.targetUserId() != null) {
        counts.merge(r.targetUserId(), 1L, Long::sum);
      }
    }
    return counts;
  }
}

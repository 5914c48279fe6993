package io.m365sync.spring;

import io.m365sync.Resource;
import io.m365sync.SignInNotifyPolicy;
import io.m365sync.SyncOptions;
import io.m365sync.notify.ChangeNotifications;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code m365sync.*} settings. The engine's tuning sits at the top level under the same keys as
 * {@link SyncOptions#fromProperties} ({@code m365sync.cycle-interval}, ...) with the same defaults;
 * the app registration, MSAL, Graph and the cluster scheduler have their own groups. Secrets are
 * never logged: Spring's {@code configprops} endpoint masks them by default.
 */
@ConfigurationProperties(prefix = "m365sync")
public class M365SyncProperties {
  private static final SyncOptions DEFAULTS = SyncOptions.defaults();

  /** How often the in-process scheduler runs a cycle (unused by the cluster scheduler). */
  private Duration cycleInterval = DEFAULTS.cycleInterval();
  /** Mailbox rounds in flight at once within a cycle. */
  private int maxConcurrentMailboxes = DEFAULTS.maxConcurrentMailboxes();
  /** Graph requests one mailbox's round keeps in flight at once (Outlook allows 4 per app and mailbox). */
  private int maxRequestsPerMailbox = DEFAULTS.maxRequestsPerMailbox();
  /** How long an access decision (allow or deny) is trusted before re-probing. */
  private Duration accessDecisionTtl = DEFAULTS.accessDecisionTtl();
  /** How long application mode stays off for a tenant after a tenant-wide credential or consent failure. */
  private Duration applicationRetryInterval = DEFAULTS.applicationRetryInterval();
  /** The first backoff after a failed round; doubles per failure. */
  private Duration failureBackoff = DEFAULTS.failureBackoff();
  /** The largest backoff after failed rounds. */
  private Duration maxFailureBackoff = DEFAULTS.maxFailureBackoff();
  /** How long to leave an unavailable (unlicensed, on-premises) mailbox alone. */
  private Duration unavailableRecheck = DEFAULTS.unavailableRecheck();
  /** How often the host hears that a user must sign in again. */
  private SignInNotifyPolicy signInNotify = DEFAULTS.signInNotify();
  /** Delta page size asked of Graph (1 to 1000). */
  private int pageSize = DEFAULTS.pageSize();
  /** Calendar view start relative to the first round. */
  private Duration eventWindowPast = DEFAULTS.eventWindowPast();
  /** Calendar view end relative to the first round. */
  private Duration eventWindowFuture = DEFAULTS.eventWindowFuture();
  /** The longest Retry-After the engine honours. */
  private Duration maxRetryAfter = DEFAULTS.maxRetryAfter();
  /** Resources access policies cannot scope (To Do) never use application permissions. */
  private boolean unscopedDelegatedOnly = DEFAULTS.unscopedDelegatedOnly();
  /** How far ahead of a tenant's known app credential expiry the host is warned. */
  private Duration credentialExpiryWarning = DEFAULTS.credentialExpiryWarning();
  /** How often the delegated keep-alive pass runs. */
  private Duration keepAliveInterval = DEFAULTS.keepAliveInterval();
  /** How long the access audit keeps its records of app-only rounds. */
  private Duration auditRetention = DEFAULTS.auditRetention();

  /** Resources synced both ways (events, contacts, tasks); the others flow Microsoft 365 to CRM only. */
  private Set<Resource> twoWay = EnumSet.noneOf(Resource.class);

  /** The app registration's Application (client) ID; not needed when the host declares an AppRegistrations bean. */
  private String clientId;
  /** The app registration's client secret; or use a certificate. */
  private String clientSecret;
  /** PEM private key of the app's certificate credential (with certificate-path). */
  private Path privateKeyPath;
  /** PEM certificate (chain) of the app's certificate credential (with private-key-path). */
  private Path certificatePath;
  /** PKCS#12 file holding the app's certificate and private key (instead of the PEM pair). */
  private Path pkcs12Path;
  /** Password of the PKCS#12 file. */
  private String pkcs12Password;

  private final TokenCache tokenCache = new TokenCache();
  private final Msal msal = new Msal();
  private final Graph graph = new Graph();
  private final Scheduler scheduler = new Scheduler();
  private final Health health = new Health();
  private final Notifications notifications = new Notifications();

  /** The engine's tuning as {@link SyncOptions}; throws listing every bad value at once. */
  public SyncOptions toSyncOptions() {
    return new SyncOptions(cycleInterval, maxConcurrentMailboxes, maxRequestsPerMailbox, accessDecisionTtl, applicationRetryInterval,
        failureBackoff, maxFailureBackoff, unavailableRecheck, signInNotify, pageSize, eventWindowPast, eventWindowFuture,
        maxRetryAfter, unscopedDelegatedOnly, credentialExpiryWarning, keepAliveInterval, auditRetention);
  }

  /** Encrypts the users' delegated token caches at rest (AES-GCM); the delegated strategy needs it. */
  public static class TokenCache {
    /** Id of the key, stored with each sealed cache so keys can rotate. */
    private String keyId;
    /** The 256-bit AES key, base64; load it from a vault or the environment, never from a committed file. */
    private String key;

    public String getKeyId() { return keyId; }
    public void setKeyId(String keyId) { this.keyId = keyId; }
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }
  }

  /** MSAL4J token strategies. */
  public static class Msal {
    /** The Entra host; national clouds differ. */
    private String authorityHost = "https://login.microsoftonline.com";
    /** Sends every token request here instead of the authority host (a token gateway, or an emulator on loopback). */
    private URI routeTokenRequestsTo;
    /** How long before expiry a cached token is renewed. */
    private Duration refreshMargin = Duration.ofMinutes(5);
    /** The longest a caller waits for the token endpoint. */
    private Duration timeout = Duration.ofSeconds(30);
    /** Token requests each strategy runs at once. */
    private int threads = 4;
    /** Whether users' delegated tokens are used (needs m365sync.token-cache.*). */
    private boolean delegatedEnabled = true;
    /** Whether application permissions can be used where a tenant enables them. */
    private boolean applicationEnabled = true;
    /** Prefix of the delegated scopes; empty for Microsoft Graph. */
    private String scopePrefix;
    /** How long a refresh token may sit unused before the keep-alive pass redeems it. */
    private Duration refreshTokenKeepAlive = Duration.ofDays(14);
    /** The tenant's sign-in frequency (Conditional Access), if any. */
    private Duration signInFrequency;
    /** How long before the sign-in frequency runs out the user is asked to sign in. */
    private Duration signInWarnBefore = Duration.ofDays(1);
    /** The resource whose /.default scope application tokens ask for; empty for Microsoft Graph. */
    private String applicationResource;

    public String getAuthorityHost() { return authorityHost; }
    public void setAuthorityHost(String authorityHost) { this.authorityHost = authorityHost; }
    public URI getRouteTokenRequestsTo() { return routeTokenRequestsTo; }
    public void setRouteTokenRequestsTo(URI routeTokenRequestsTo) { this.routeTokenRequestsTo = routeTokenRequestsTo; }
    public Duration getRefreshMargin() { return refreshMargin; }
    public void setRefreshMargin(Duration refreshMargin) { this.refreshMargin = refreshMargin; }
    public Duration getTimeout() { return timeout; }
    public void setTimeout(Duration timeout) { this.timeout = timeout; }
    public int getThreads() { return threads; }
    public void setThreads(int threads) { this.threads = threads; }
    public boolean isDelegatedEnabled() { return delegatedEnabled; }
    public void setDelegatedEnabled(boolean delegatedEnabled) { this.delegatedEnabled = delegatedEnabled; }
    public boolean isApplicationEnabled() { return applicationEnabled; }
    public void setApplicationEnabled(boolean applicationEnabled) { this.applicationEnabled = applicationEnabled; }
    public String getScopePrefix() { return scopePrefix; }
    public void setScopePrefix(String scopePrefix) { this.scopePrefix = scopePrefix; }
    public Duration getRefreshTokenKeepAlive() { return refreshTokenKeepAlive; }
    public void setRefreshTokenKeepAlive(Duration refreshTokenKeepAlive) { this.refreshTokenKeepAlive = refreshTokenKeepAlive; }
    public Duration getSignInFrequency() { return signInFrequency; }
    public void setSignInFrequency(Duration signInFrequency) { this.signInFrequency = signInFrequency; }
    public Duration getSignInWarnBefore() { return signInWarnBefore; }
    public void setSignInWarnBefore(Duration signInWarnBefore) { this.signInWarnBefore = signInWarnBefore; }
    public String getApplicationResource() { return applicationResource; }
    public void setApplicationResource(String applicationResource) { this.applicationResource = applicationResource; }
  }

  /** The Microsoft Graph adapter. */
  public static class Graph {
    /** Graph's base URL (https, or http on loopback for an emulator). */
    private String baseUrl = "https://graph.microsoft.com/v1.0";
    /** Other hosts tokens may be sent to (the base URL's host always is). */
    private List<String> allowHosts = new ArrayList<>();
    /** The mail folder read when a request names none. */
    private String defaultMailFolder;
    /** The contact folder read when a request names none. */
    private String defaultContactFolder;
    /** The To Do list used when a request names none. */
    private String defaultTaskList;

    public String getBaseUrl() { return baseUrl; }
    public void setBaseUrl(String baseUrl) { this.baseUrl = baseUrl; }
    public List<String> getAllowHosts() { return allowHosts; }
    public void setAllowHosts(List<String> allowHosts) { this.allowHosts = allowHosts; }
    public String getDefaultMailFolder() { return defaultMailFolder; }
    public void setDefaultMailFolder(String defaultMailFolder) { this.defaultMailFolder = defaultMailFolder; }
    public String getDefaultContactFolder() { return defaultContactFolder; }
    public void setDefaultContactFolder(String defaultContactFolder) { this.defaultContactFolder = defaultContactFolder; }
    public String getDefaultTaskList() { return defaultTaskList; }
    public void setDefaultTaskList(String defaultTaskList) { this.defaultTaskList = defaultTaskList; }
  }

  /** The db-scheduler cluster scheduler over the host's DataSource: one task per enrolled mailbox. */
  public static class Scheduler {
    /** Whether the engine is started on the cluster scheduler with the application context. */
    private boolean enabled = true;
    /** Time between the end of a mailbox's round and the start of its next one (before jitter). */
    private Duration interval = Duration.ofMinutes(5);
    /** Up to this much random delay is added to every run, spreading mailboxes out. */
    private Duration jitter = Duration.ofMinutes(1);
    /** How often a node running a mailbox proves it is alive. */
    private Duration heartbeat = Duration.ofSeconds(30);
    /** Missed heartbeats after which another node revives the mailbox; at least 4. */
    private int missedHeartbeatsLimit = 6;
    /** How often each node looks for due mailboxes. */
    private Duration pollingInterval = Duration.ofSeconds(10);
    /** Mailboxes this node syncs at once; default {@code max-concurrent-mailboxes}. */
    private Integer threads;
    /** Poll with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL only); default: on PostgreSQL, off elsewhere. */
    private Boolean lockAndFetch;
    /** How long shutdown waits for rounds in flight. */
    private Duration shutdownMaxWait = Duration.ofSeconds(30);
    /** This node's name in the task table; default the host name. */
    private String nodeName;

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public Duration getInterval() { return interval; }
    public void setInterval(Duration interval) { this.interval = interval; }
    public Duration getJitter() { return jitter; }
    public void setJitter(Duration jitter) { this.jitter = jitter; }
    public Duration getHeartbeat() { return heartbeat; }
    public void setHeartbeat(Duration heartbeat) { this.heartbeat = heartbeat; }
    public int getMissedHeartbeatsLimit() { return missedHeartbeatsLimit; }
    public void setMissedHeartbeatsLimit(int missedHeartbeatsLimit) { this.missedHeartbeatsLimit = missedHeartbeatsLimit; }
    public Duration getPollingInterval() { return pollingInterval; }
    public void setPollingInterval(Duration pollingInterval) { this.pollingInterval = pollingInterval; }
    public Integer getThreads() { return threads; }
    public void setThreads(Integer threads) { this.threads = threads; }
    public Boolean getLockAndFetch() { return lockAndFetch; }
    public void setLockAndFetch(Boolean lockAndFetch) { this.lockAndFetch = lockAndFetch; }
    public Duration getShutdownMaxWait() { return shutdownMaxWait; }
    public void setShutdownMaxWait(Duration shutdownMaxWait) { this.shutdownMaxWait = shutdownMaxWait; }
    public String getNodeName() { return nodeName; }
    public void setNodeName(String nodeName) { this.nodeName = nodeName; }
  }

  /**
   * Graph change notifications: on when {@code url} is set. The engine keeps a subscription per
   * synced mailbox-resource, and in a servlet web application the starter answers Graph's posts on
   * the URL's path.
   */
  public static class Notifications {
    private static final String PREFIX = "m365sync.notifications.";
    /** {@link ChangeNotifications}' component names, as its messages quote them, to their properties. */
    private static final Map<String, String> PROPERTIES = Map.of("notificationUrl", "url", "debounce", "debounce",
        "safetyNetInterval", "safety-net-interval", "renewalMargin", "renewal-margin", "renewalJitter", "renewal-jitter");

    /**
     * Where Graph posts change and lifecycle notifications: https (http only on loopback) and
     * reachable by Graph; setting it turns notifications on. The application must receive the
     * posts on this URL's path (context path included).
     */
    private URI url;
    /** How long after a notification its round runs; notifications meanwhile join it. */
    private Duration debounce = ChangeNotifications.DEFAULT_DEBOUNCE;
    /** How often a push-fed resource is read anyway, so a notification Graph never delivered is late, not lost. */
    private Duration safetyNetInterval = ChangeNotifications.DEFAULT_SAFETY_NET;
    /** A subscription expiring within this is renewed by the next round of its resource. */
    private Duration renewalMargin = ChangeNotifications.DEFAULT_RENEWAL_MARGIN;
    /** Up to this much is taken off each subscription's requested lifetime, at random, so renewals spread out. */
    private Duration renewalJitter = ChangeNotifications.DEFAULT_RENEWAL_JITTER;

    /**
     * The engine's {@link ChangeNotifications}; call only when {@code url} is set.
     *
     * @throws IllegalStateException naming the {@code m365sync.notifications.*} property that is empty or invalid
     */
    public ChangeNotifications toChangeNotifications() {
      if (url == null) { // "m365sync.notifications.url=" (an unset variable, say) binds as null
        throw new IllegalStateException("'" + PREFIX + "url' is empty: set the https URL Graph posts notifications to,"
            + " or remove it to leave change notifications off");
      }
      try {
        return new ChangeNotifications(url, debounce, safetyNetInterval, renewalMargin, renewalJitter);
      } catch (IllegalArgumentException e) {
        // no cause: its message would name the record's component again at the root of the startup failure
        throw new IllegalStateException(propertyNames(e.getMessage()));
      }
    }

    /** Core validates (one rule, one place); the host is told the property it wrote, not the record's component. */
    private static String propertyNames(String message) {
      String m = message;
      for (Map.Entry<String, String> e : PROPERTIES.entrySet()) {
        m = m.replace("'" + e.getKey() + "'", "'" + PREFIX + e.getValue() + "'");
      }
      return m;
    }

    public URI getUrl() { return url; }
    public void setUrl(URI url) { this.url = url; }
    public Duration getDebounce() { return debounce; }
    public void setDebounce(Duration debounce) { this.debounce = debounce; }
    public Duration getSafetyNetInterval() { return safetyNetInterval; }
    public void setSafetyNetInterval(Duration safetyNetInterval) { this.safetyNetInterval = safetyNetInterval; }
    public Duration getRenewalMargin() { return renewalMargin; }
    public void setRenewalMargin(Duration renewalMargin) { this.renewalMargin = renewalMargin; }
    public Duration getRenewalJitter() { return renewalJitter; }
    public void setRenewalJitter(Duration renewalJitter) { this.renewalJitter = renewalJitter; }
  }

  /** The m365sync health indicator. */
  public static class Health {
    /**
     * Whether a tenant whose application mode is failing (invalid credential, consent withdrawn)
     * turns the health DOWN; by default it is DEGRADED, so one tenant's admin cannot take the CRM
     * out of a load balancer.
     */
    private boolean downOnInactiveTenant;

    public boolean isDownOnInactiveTenant() { return downOnInactiveTenant; }
    public void setDownOnInactiveTenant(boolean downOnInactiveTenant) { this.downOnInactiveTenant = downOnInactiveTenant; }
  }

  public Duration getCycleInterval() { return cycleInterval; }
  public void setCycleInterval(Duration cycleInterval) { this.cycleInterval = cycleInterval; }
  public int getMaxConcurrentMailboxes() { return maxConcurrentMailboxes; }
  public void setMaxConcurrentMailboxes(int maxConcurrentMailboxes) { this.maxConcurrentMailboxes = maxConcurrentMailboxes; }
  public int getMaxRequestsPerMailbox() { return maxRequestsPerMailbox; }
  public void setMaxRequestsPerMailbox(int maxRequestsPerMailbox) { this.maxRequestsPerMailbox = maxRequestsPerMailbox; }
  public Duration getAccessDecisionTtl() { return accessDecisionTtl; }
  public void setAccessDecisionTtl(Duration accessDecisionTtl) { this.accessDecisionTtl = accessDecisionTtl; }
  public Duration getApplicationRetryInterval() { return applicationRetryInterval; }
  public void setApplicationRetryInterval(Duration applicationRetryInterval) { this.applicationRetryInterval = applicationRetryInterval; }
  public Duration getFailureBackoff() { return failureBackoff; }
  public void setFailureBackoff(Duration failureBackoff) { this.failureBackoff = failureBackoff; }
  public Duration getMaxFailureBackoff() { return maxFailureBackoff; }
  public void setMaxFailureBackoff(Duration maxFailureBackoff) { this.maxFailureBackoff = maxFailureBackoff; }
  public Duration getUnavailableRecheck() { return unavailableRecheck; }
  public void setUnavailableRecheck(Duration unavailableRecheck) { this.unavailableRecheck = unavailableRecheck; }
  public SignInNotifyPolicy getSignInNotify() { return signInNotify; }
  public void setSignInNotify(SignInNotifyPolicy signInNotify) { this.signInNotify = signInNotify; }
  public int getPageSize() { return pageSize; }
  public void setPageSize(int pageSize) { this.pageSize = pageSize; }
  public Duration getEventWindowPast() { return eventWindowPast; }
  public void setEventWindowPast(Duration eventWindowPast) { this.eventWindowPast = eventWindowPast; }
  public Duration getEventWindowFuture() { return eventWindowFuture; }
  public void setEventWindowFuture(Duration eventWindowFuture) { this.eventWindowFuture = eventWindowFuture; }
  public Duration getMaxRetryAfter() { return maxRetryAfter; }
  public void setMaxRetryAfter(Duration maxRetryAfter) { this.maxRetryAfter = maxRetryAfter; }
  public boolean isUnscopedDelegatedOnly() { return unscopedDelegatedOnly; }
  public void setUnscopedDelegatedOnly(boolean unscopedDelegatedOnly) { this.unscopedDelegatedOnly = unscopedDelegatedOnly; }
  public Duration getCredentialExpiryWarning() { return credentialExpiryWarning; }
  public void setCredentialExpiryWarning(Duration credentialExpiryWarning) { this.credentialExpiryWarning = credentialExpiryWarning; }
  public Duration getKeepAliveInterval() { return keepAliveInterval; }
  public void setKeepAliveInterval(Duration keepAliveInterval) { this.keepAliveInterval = keepAliveInterval; }
  public Duration getAuditRetention() { return auditRetention; }
  public void setAuditRetention(Duration auditRetention) { this.auditRetention = auditRetention; }
  public Set<Resource> getTwoWay() { return twoWay; }
  public void setTwoWay(Set<Resource> twoWay) { this.twoWay = twoWay; }
  public String getClientId() { return clientId; }
  public void setClientId(String clientId) { this.clientId = clientId; }
  public String getClientSecret() { return clientSecret; }
  public void setClientSecret(String clientSecret) { this.clientSecret = clientSecret; }
  public Path getPrivateKeyPath() { return privateKeyPath; }
  public void setPrivateKeyPath(Path privateKeyPath) { this.privateKeyPath = privateKeyPath; }
  public Path getCertificatePath() { return certificatePath; }
  public void setCertificatePath(Path certificatePath) { this.certificatePath = certificatePath; }
  public Path getPkcs12Path() { return pkcs12Path; }
  public void setPkcs12Path(Path pkcs12Path) { this.pkcs12Path = pkcs12Path; }
  public String getPkcs12Password() { return pkcs12Password; }
  public void setPkcs12Password(String pkcs12Password) { this.pkcs12Password = pkcs12Password; }
  public TokenCache getTokenCache() { return tokenCache; }
  public Msal getMsal() { return msal; }
  public Graph getGraph() { return graph; }
  public Scheduler getScheduler() { return scheduler; }
  public Health getHealth() { return health; }
  public Notifications getNotifications() { return notifications; }
}

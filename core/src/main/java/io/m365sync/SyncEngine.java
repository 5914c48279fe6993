package io.m365sync;

import io.m365sync.access.AccessPolicyCheck;
import io.m365sync.access.PermissionVerifier;
import io.m365sync.auth.TokenStrategy;
import io.m365sync.auth.TokenStrategySelector;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.auth.AppRegistrations;
import io.m365sync.auth.KeepAliveReport;
import io.m365sync.internal.ChangeFeed;
import io.m365sync.internal.CredentialExpiryWatch;
import io.m365sync.internal.EngineContext;
import io.m365sync.internal.EngineCore;
import io.m365sync.internal.SafeListener;
import io.m365sync.notify.ChangeNotifications;
import io.m365sync.notify.ChangeSignal;
import io.m365sync.notify.NotificationReceiver;
import io.m365sync.schedule.SyncScheduler;
import io.m365sync.schedule.SyncTarget;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps enrolled mailboxes in sync with the CRM. Build one per host with {@link #builder()}; it is
 * immutable in its wiring, thread-safe and shareable.
 *
 * <p>Guarantees: no Graph request for a mailbox that is not enrolled; application mode only where
 * the tenant enabled it and the permissions verify, else the user's delegated token; a dead
 * delegated token flips the mailbox to {@code NEEDS_SIGN_IN} after one attempt and no token is asked
 * for it again until the user signs in ({@link #enroll}); a tenant-wide credential failure stops
 * application mode for the tenant once; a 403 from an access policy marks the mailbox
 * {@code DENIED_BY_POLICY}, falls back to delegated and re-probes after the TTL.
 *
 * <pre>{@code
 * SyncEngine engine = SyncEngine.builder()
 *     .gateway(gateway)
 *     .delegatedTokens(delegated)
 *     .applicationTokens(application)
 *     .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crmEvents))
 *     .build();
 * engine.enroll(mailbox);                    // the user signed in to the add-in
 * engine.setApplicationPermissionEnabled(tenant, true);
 * CycleReport report = engine.runCycle();
 * }</pre>
 */
public final class SyncEngine implements SyncTarget, AutoCloseable {
  private final EngineCore core;
  private final SyncStateStore store;
  private final SyncScheduler scheduler;
  private final SyncMonitor monitor;
  private final AccessAudit audit;
  private final AtomicBoolean started = new AtomicBoolean();
  private final ChangeFeed feed;
  private final NotificationReceiver receiver;

  private SyncEngine(Builder b) {
    this.store = b.store;
    this.scheduler = b.scheduler;
    EngineContext ctx = new EngineContext(b.clock, b.executor, b.store, b.gateway, b.delegated, b.application,
        b.selector, b.verifier, b.accessCheck, b.syncers, b.options, new SafeListener(b.listeners), b.notifications);
    CredentialExpiryWatch expiries = new CredentialExpiryWatch(ctx, b.registrations);
    this.core = new EngineCore(ctx, expiries);
    this.feed = core.changeFeed();
    this.monitor = new SyncMonitor(b.store, expiries, feed);
    feed.scheduler(b.scheduler);
    this.receiver = b.notifications == null ? null : NotificationReceiver.builder()
        .path(b.notifications.receiverPath())
        .subscriptions(b.store::subscription)
        .sink(feed::signal)
        .onIgnored(ctx.listener()::notificationIgnored)
        .clock(b.clock)
        .build();
    this.audit = new AccessAudit(b.store, b.clock, core.auditTrail());
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Records that the user signed in to the add-in: the mailbox becomes eligible for sync, and a
   * mailbox waiting for sign-in resumes from its saved cursors.
   */
  public void enroll(Mailbox mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    core.enroll(mailbox);
    if (scheduler != null) {
      scheduler.enrolled(mailbox.id());
    }
  }

  /** Stops all work for the mailbox and purges its state, including its token cache. */
  public void unenroll(MailboxId mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    core.unenroll(mailbox);
    if (scheduler != null) {
      scheduler.unenrolled(mailbox);
    }
  }

  /** The tenant admin's "enable application permission" setting. */
  public void setApplicationPermissionEnabled(TenantId tenant, boolean enabled) {
    Checks.requireNonNull(tenant, "tenant");
    core.setApplicationPermissionEnabled(tenant, enabled);
  }

  /** Application mode's state for the tenant: enabled, active, or inactive with the reason. */
  public TenantStatus tenantStatus(TenantId tenant) {
    Checks.requireNonNull(tenant, "tenant");
    return core.tenantStatus(tenant);
  }

  /**
   * Lets the next round of {@code resource} for the mailbox through the mass-change guard once: the
   * host confirmed that the mass deletion or overwrite it was told about
   * ({@link SyncListener#resourceQuarantined}, status {@code QUARANTINED}) is intended. Durable.
   *
   * @throws NotEnrolledException if the mailbox is not enrolled
   */
  public void releaseQuarantine(MailboxId mailbox, Resource resource) {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(resource, "resource");
    core.releaseQuarantine(mailbox, resource);
  }

  /** Suspends ({@code true}) or resumes sync of an enrolled mailbox. */
  public void suspend(MailboxId mailbox, boolean suspended) {
    Checks.requireNonNull(mailbox, "mailbox");
    core.suspend(mailbox, suspended);
  }

  /**
   * Syncs one mailbox now on the calling thread, ignoring backoff and {@code Retry-After} (the host
   * asked); waits for a round of the same mailbox that is already running.
   *
   * @throws NotEnrolledException if its owner never signed in to the add-in (no request is sent)
   */
  public MailboxSyncReport syncMailbox(MailboxId mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    return core.syncMailbox(mailbox);
  }

  /**
   * Syncs one mailbox if it is due: not suspended, past its next attempt (failure backoff,
   * {@code Retry-After}, unavailable re-check), and not already syncing. The entry for schedulers.
   *
   * @throws NotEnrolledException if its owner never signed in to the add-in (no request is sent)
   */
  @Override
  public MailboxSyncReport syncIfDue(MailboxId mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    return core.syncIfDue(mailbox);
  }

  /** Syncs every enrolled mailbox that is due, on the configured executor, and waits for all. */
  @Override
  public CycleReport runCycle() {
    return core.runCycle();
  }

  /**
   * Runs the periodic upkeep that is due: the access audit's retention, the state store's own
   * housekeeping ({@link SyncStateStore#upkeep()}), and the delegated keep-alive
   * pass, at most once per {@link SyncOptions#keepAliveInterval()}, for enrolled mailboxes that do
   * not need a sign-in. The
   * configured scheduler calls it after each cycle; a host driving {@link #runCycle()} itself calls
   * it too (as often as it likes). Never throws for one mailbox's failure.
   */
  @Override
  public void upkeep() {
    keepAlive();
  }

  /** As {@link #upkeep()}, returning what the keep-alive pass did (empty when it was not due). */
  public KeepAliveReport keepAlive() {
    return core.upkeep();
  }

  /**
   * The webhook endpoint for Graph's change and lifecycle notifications, answering on the path of
   * {@link ChangeNotifications#notificationUrl()}: a web adapter passes each request to
   * {@link NotificationReceiver#handle} (the Spring Boot starter and the examples' JDK server do).
   * Verified notifications go to {@link #signal}.
   *
   * @throws IllegalStateException if the engine was built without {@code changeNotifications}
   */
  public NotificationReceiver notificationReceiver() {
    if (receiver == null) {
      throw new IllegalStateException("change notifications are off: set 'changeNotifications' on the builder");
    }
    return receiver;
  }

  /**
   * A verified notification (for a host with its own receiver): marks the mailbox-resource dirty in
   * the state store and asks the scheduler for a round after the debounce. Never syncs on the
   * calling thread. Does nothing when change notifications are off.
   */
  public void signal(ChangeSignal signal) {
    Checks.requireNonNull(signal, "signal");
    feed.signal(signal);
  }

  @Override
  public Optional<Duration> pendingChanges(MailboxId mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    return feed.pendingChanges(mailbox);
  }

  public SyncMonitor monitor() {
    return monitor;
  }

  /** The access audit: every app-only round, held against the enrollment history; defects go to the listeners. */
  public AccessAudit audit() {
    return audit;
  }

  /** The state store this engine writes to. */
  public SyncStateStore stateStore() {
    return store;
  }

  /**
   * Starts the configured scheduler. With change notifications on, every push-fed mailbox-resource
   * first gets a catch-up round (notifications may have been lost while no node listened), and
   * subscriptions that expired meanwhile are forgotten, to be recreated by those rounds.
   */
  public void start() {
    if (scheduler == null) {
      throw new IllegalStateException("'scheduler' is required to start(); call runCycle() yourself or set one");
    }
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("engine already started");
    }
    feed.startUp();
    scheduler.start(this);
  }

  /** Stops the scheduler; rounds in flight finish. */
  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.close();
    }
  }

  /**
   * Single-use, fail-fast builder. Required: {@code gateway}, at least one token strategy, at least
   * one resource syncer. Each setting may be set once; a second call names the old value.
   */
  public static final class Builder {
    private Clock clock;
    private Executor executor;
    private SyncStateStore store;
    private MailboxGateway gateway;
    private TokenStrategy delegated;
    private TokenStrategy application;
    private TokenStrategySelector selector;
    private PermissionVerifier verifier;
    private AccessPolicyCheck accessCheck;
    private SyncOptions options;
    private SyncScheduler scheduler;
    private AppRegistrations<?> registrations;
    private ChangeNotifications notifications;
    private final Map<Resource, ResourceSyncer<?>> syncers = new EnumMap<>(Resource.class);
    private final List<SyncListener> listeners = new ArrayList<>();
    private boolean built;

    private Builder() {}


    /** Time source; default {@code Clock.systemUTC()}. Tests pass a mutable clock. */
    public Builder clock(Clock clock) {
      this.clock = Checks.setOnce(this.clock, clock, "clock");
      return this;
    }

    /** Where mailbox rounds run; default: the calling thread (no threads are created). */
    public Builder executor(Executor executor) {
      this.executor = Checks.setOnce(this.executor, executor, "executor");
      return this;
    }

    /** Default {@link SyncStateStore#inMemory()}. */
    public Builder stateStore(SyncStateStore store) {
      this.store = Checks.setOnce(this.store, store, "stateStore");
      return this;
    }

    public Builder gateway(MailboxGateway gateway) {
      this.gateway = Checks.setOnce(this.gateway, gateway, "gateway");
      return this;
    }

    public Builder delegatedTokens(TokenStrategy strategy) {
      requireMode(strategy, AuthMode.DELEGATED, "delegatedTokens");
      this.delegated = Checks.setOnce(this.delegated, strategy, "delegatedTokens");
      return this;
    }

    public Builder applicationTokens(TokenStrategy strategy) {
      requireMode(strategy, AuthMode.APPLICATION, "applicationTokens");
      this.application = Checks.setOnce(this.application, strategy, "applicationTokens");
      return this;
    }

    private static void requireMode(TokenStrategy strategy, AuthMode mode, String name) {
      Checks.requireNonNull(strategy, name);
      if (strategy.mode() != mode) {
        throw new IllegalArgumentException("'" + name + "' must be a " + mode + " strategy but " + strategy
            + " has mode " + strategy.mode());
      }
    }

    /** Default {@link TokenStrategySelector#standard()}. */
    public Builder strategySelector(TokenStrategySelector selector) {
      this.selector = Checks.setOnce(this.selector, selector, "strategySelector");
      return this;
    }

    /** Default {@link PermissionVerifier#fromTokenClaims()}. */
    public Builder permissionVerifier(PermissionVerifier verifier) {
      this.verifier = Checks.setOnce(this.verifier, verifier, "permissionVerifier");
      return this;
    }

    /** Default {@link AccessPolicyCheck#enrollmentOnly()}. The enrollment gate applies whatever is set. */
    public Builder accessPolicy(AccessPolicyCheck check) {
      this.accessCheck = Checks.setOnce(this.accessCheck, check, "accessPolicy");
      return this;
    }

    /** Default {@link SyncOptions#defaults()}. */
    public Builder options(SyncOptions options) {
      this.options = Checks.setOnce(this.options, options, "options");
      return this;
    }

    /**
     * The app registrations the token strategies use (the same object), so the engine can warn
     * {@link SyncOptions#credentialExpiryWarning()} ahead of each tenant's known credential expiry
     * ({@link SyncListener#credentialExpiringSoon}) and the monitor can show it. Optional: without
     * it nothing is watched.
     */
    public Builder appRegistrations(AppRegistrations<?> registrations) {
      this.registrations = Checks.setOnce(this.registrations, registrations, "appRegistrations");
      return this;
    }

    /**
     * Turns on change notifications (off by default): the engine keeps a Graph subscription per
     * synced mailbox-resource, and {@link SyncEngine#notificationReceiver()} turns notifications
     * into debounced rounds. With a scheduler the round runs after the debounce; without one, at the
     * host's next {@code runCycle}.
     */
    public Builder changeNotifications(ChangeNotifications notifications) {
      this.notifications = Checks.setOnce(this.notifications, notifications, "changeNotifications");
      return this;
    }

    /** Needed only for {@link SyncEngine#start()}. */
    public Builder scheduler(SyncScheduler scheduler) {
      this.scheduler = Checks.setOnce(this.scheduler, scheduler, "scheduler");
      return this;
    }

    /** Adds the syncer of one resource; one per resource. */
    public Builder resource(ResourceSyncer<?> syncer) {
      Checks.requireNonNull(syncer, "resource syncer");
      Resource r = syncer.type().resource();
      if (syncers.containsKey(r)) {
        throw new IllegalStateException("a syncer for " + r + " was already set: " + syncers.get(r));
      }
      syncers.put(r, syncer);
      return this;
    }

    public Builder listener(SyncListener listener) {
      listeners.add(Checks.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * @throws IllegalStateException naming the first missing setting, or if already built
     */
    public SyncEngine build() {
      if (built) {
        throw new IllegalStateException("this builder was already used; call SyncEngine.builder() again");
      }
      if (gateway == null) {
        throw new IllegalStateException("'gateway' is required.");
      }
      if (delegated == null && application == null) {
        throw new IllegalStateException("'delegatedTokens' or 'applicationTokens' is required.");
      }
      if (syncers.isEmpty()) {
        throw new IllegalStateException("at least one 'resource' syncer is required.");
      }
      clock = clock != null ? clock : Clock.systemUTC();
      executor = executor != null ? executor : Runnable::run;
      store = store != null ? store : SyncStateStore.inMemory();
      selector = selector != null ? selector : TokenStrategySelector.standard();
      verifier = verifier != null ? verifier : PermissionVerifier.fromTokenClaims();
      accessCheck = accessCheck != null ? accessCheck : AccessPolicyCheck.enrollmentOnly();
      options = options != null ? options : SyncOptions.defaults();
      built = true;
      return new SyncEngine(this);
    }
  }
}

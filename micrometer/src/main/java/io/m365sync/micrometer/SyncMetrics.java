package io.m365sync.micrometer;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Resource;
import io.m365sync.SyncListener;
import io.m365sync.TenantId;
import io.m365sync.gateway.SkippedItem;
import io.m365sync.notify.ChangeSignal;
import io.m365sync.notify.IgnoredNotification;
import io.m365sync.notify.Subscription;
import io.m365sync.notify.SubscriptionEvent;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.StatusCount;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.MassChangeQuarantine;
import io.m365sync.sync.ResourceResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's meters: register it as a {@link SyncListener} on the engine's builder and bind it to
 * the host's {@link MeterRegistry} ({@link #bindTo}). Events heard before it is bound are not counted.
 *
 * <table>
 *   <caption>Meters (every one also tagged {@code tenant} when {@link Builder#tenantTag} is on)</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th></tr>
 *   <tr><td>{@code m365sync.mailboxes}</td><td>gauge</td><td>{@code status}</td></tr>
 *   <tr><td>{@code m365sync.round}</td><td>timer</td><td>{@code status} (after the round; rounds that ran)</td></tr>
 *   <tr><td>{@code m365sync.resource.round}</td><td>timer</td><td>{@code resource}, {@code outcome}</td></tr>
 *   <tr><td>{@code m365sync.items}</td><td>counter</td><td>{@code resource}, {@code direction}
 *     ({@code to_crm}, {@code to_microsoft}), {@code action} ({@code created}, {@code updated}, {@code deleted})</td></tr>
 *   <tr><td>{@code m365sync.items.unreadable}</td><td>counter</td><td>{@code resource}</td></tr>
 *   <tr><td>{@code m365sync.quarantined}</td><td>counter</td><td>{@code resource}</td></tr>
 *   <tr><td>{@code m365sync.throttled}</td><td>counter</td><td>{@code resource}</td></tr>
 *   <tr><td>{@code m365sync.delta.expired}</td><td>counter</td><td>{@code resource} (410, full re-read)</td></tr>
 *   <tr><td>{@code m365sync.token.requests}</td><td>counter</td><td>{@code mode}, {@code outcome}
 *     ({@code granted}, {@code refused})</td></tr>
 *   <tr><td>{@code m365sync.notifications}</td><td>counter</td><td>{@code resource}, {@code kind}
 *     ({@code changed}, {@code missed}, {@code subscription_removed}, {@code reauthorization_required}): verified
 *     notifications that asked for a round, one per mailbox-resource, container and kind per delivery</td></tr>
 *   <tr><td>{@code m365sync.notifications.ignored}</td><td>counter</td><td>{@code reason}
 *     ({@code unknown_subscription}, {@code expired_subscription}, {@code client_state_mismatch},
 *     {@code unknown_lifecycle_event}); {@code tenant}, when tagged, is {@code unknown} for an unknown subscription</td></tr>
 *   <tr><td>{@code m365sync.subscriptions}</td><td>counter</td><td>{@code resource}, {@code event}
 *     ({@code created}, {@code renewed}, {@code deleted}, {@code lost})</td></tr>
 *   <tr><td>{@code m365sync.subscriptions.failed}</td><td>counter</td><td>{@code resource}: creations or
 *     renewals that failed (the resource stays polled)</td></tr>
 * </table>
 *
 * <p>Tags are bounded: statuses, resources, modes and (optionally) tenants; never a mailbox, a
 * user, a subscription or a folder, whose numbers would grow without limit. The status gauge reads
 * the state store, so it counts every node's mailboxes and survives restarts; it reads at most once
 * per {@link Builder#statusRefresh}.
 *
 * <p>Thread-safe; listener calls are cheap (a map look-up and an increment) and never throw.
 */
public final class SyncMetrics implements SyncListener, MeterBinder {
  /** The {@code tenant} tag of a notification whose subscription is not known here. */
  static final String UNKNOWN_TENANT = "unknown";

  private final SyncStateStore store;
  private final boolean tenantTag;
  private final Duration statusRefresh;
  private final Clock clock;

  private volatile MeterRegistry registry;
  private final Set<TenantId> gaugedTenants = ConcurrentHashMap.newKeySet();
  private final Object snapshotLock = new Object();
  private volatile StatusSnapshot snapshot;

  private record StatusKey(TenantId tenant, MailboxStatus status) {}

  private record StatusSnapshot(Instant takenAt, Map<StatusKey, Long> counts) {}

  private SyncMetrics(Builder b) {
    this.store = b.store;
    this.tenantTag = b.tenantTag;
    this.statusRefresh = b.statusRefresh;
    this.clock = b.clock;
  }

  /** A builder; {@link Builder#statuses} is required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    this.registry = registry;
    if (tenantTag) {
      statusCounts().keySet().forEach(k -> gaugeTenant(k.tenant()));
    } else {
      for (MailboxStatus status : MailboxStatus.values()) {
        Gauge.builder("m365sync.mailboxes", this, m -> m.statusCount(null, status))
            .description("Enrolled mailboxes by status").tags("status", status.name()).register(registry);
      }
    }
  }

  // ------------------------------------------------------------------ listener

  @Override
  public void resourceSynced(Mailbox mailbox, ResourceResult result, Duration duration) {
    MeterRegistry r = registry;
    if (r == null) {
      return;
    }
    String resource = tag(result.resource());
    Timer.builder("m365sync.resource.round").description("One resource's round of one mailbox")
        .tags(tags(mailbox).and("resource", resource, "outcome", tag(result.outcome())))
        .register(r).record(duration);
    items(r, mailbox, resource, "to_crm", result.created(), result.updated(), result.deleted());
    ResourceResult.Pushed pushed = result.pushed();
    items(r, mailbox, resource, "to_microsoft", pushed.created(), pushed.updated(), pushed.deleted());
  }

  private void items(MeterRegistry r, Mailbox mailbox, String resource, String direction, int created, int updated,
                     int deleted) {
    count(r, mailbox, resource, direction, "created", created);
    count(r, mailbox, resource, direction, "updated", updated);
    count(r, mailbox, resource, direction, "deleted", deleted);
  }

  private void count(MeterRegistry r, Mailbox mailbox, String resource, String direction, String action, int n) {
    // registered even at zero, so a dashboard shows every series from the first round on
    Counter.builder("m365sync.items").description("Items written by sync rounds")
        .tags(tags(mailbox).and("resource", resource, "direction", direction, "action", action))
        .register(r).increment(n);
  }

  @Override
  public void mailboxSynced(MailboxSyncReport report) {
    MeterRegistry r = registry;
    if (r == null || !report.ran()) {
      return;
    }
    Timer.builder("m365sync.round").description("One mailbox's round")
        .tags(tags(report.mailbox().tenant()).and("status", report.state().status().name()))
        .register(r).record(report.duration());
  }

  @Override
  public void itemSkipped(Mailbox mailbox, Resource resource, SkippedItem item) {
    increment("m365sync.items.unreadable", "Items Microsoft 365 returned that could not be read", mailbox,
        "resource", tag(resource));
  }

  @Override
  public void resourceQuarantined(Mailbox mailbox, MassChangeQuarantine quarantine) {
    increment("m365sync.quarantined", "Rounds the mass-change guard held back", mailbox,
        "resource", tag(quarantine.resource()));
  }

  @Override
  public void throttled(Mailbox mailbox, Resource resource, Duration retryAfter) {
    increment("m365sync.throttled", "Requests Graph throttled", mailbox, "resource", tag(resource));
  }

  @Override
  public void deltaExpired(Mailbox mailbox, Resource resource) {
    increment("m365sync.delta.expired", "Expired delta links (410): full re-reads", mailbox,
        "resource", tag(resource));
  }

  @Override
  public void tokenRequested(Mailbox mailbox, AuthMode mode, boolean granted) {
    increment("m365sync.token.requests", "Tokens the engine asked its strategies for", mailbox,
        "mode", tag(mode), "outcome", granted ? "granted" : "refused");
  }

  @Override
  public void changeSignalled(ChangeSignal signal) {
    increment("m365sync.notifications", "Verified change notifications that asked for a round", signal.mailbox().tenant(),
        "resource", tag(signal.resource()), "kind", tag(signal.kind()));
  }

  @Override
  public void notificationIgnored(IgnoredNotification ignored) {
    // without a stored subscription the tenant is unknown: the item's own text is the sender's and never a tag
    increment("m365sync.notifications.ignored", "Notification items the receiver dropped",
        ignored.subscription().map(s -> s.mailbox().tenant()).orElse(null), "reason", tag(ignored.reason()));
  }

  @Override
  public void subscriptionChanged(Subscription subscription, SubscriptionEvent event) {
    increment("m365sync.subscriptions", "Change-notification subscriptions created, renewed, deleted or lost",
        subscription.mailbox().tenant(), "resource", tag(subscription.resource()), "event", tag(event));
  }

  @Override
  public void subscriptionFailed(Mailbox mailbox, Resource resource, String container, String reason) {
    increment("m365sync.subscriptions.failed", "Subscription creations or renewals that failed", mailbox,
        "resource", tag(resource));
  }

  private void increment(String name, String description, Mailbox mailbox, String... tagPairs) {
    increment(name, description, mailbox.tenant(), tagPairs);
  }

  /** {@code tenant} null: not known (tagged {@value #UNKNOWN_TENANT} when tenants are tagged). */
  private void increment(String name, String description, TenantId tenant, String... tagPairs) {
    MeterRegistry r = registry;
    if (r != null) {
      Counter.builder(name).description(description).tags(tags(tenant).and(tagPairs)).register(r).increment();
    }
  }

  private Tags tags(Mailbox mailbox) {
    return tags(mailbox.tenant());
  }

  private Tags tags(TenantId tenant) {
    if (!tenantTag) {
      return Tags.empty();
    }
    if (tenant == null) {
      return Tags.of("tenant", UNKNOWN_TENANT); // every series of a name keeps the same tag keys
    }
    gaugeTenant(tenant);
    return Tags.of("tenant", tenant.value());
  }

  private static String tag(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  // ------------------------------------------------------------------ status gauge

  private void gaugeTenant(TenantId tenant) {
    MeterRegistry r = registry;
    if (r == null || !gaugedTenants.add(tenant)) {
      return;
    }
    for (MailboxStatus status : MailboxStatus.values()) {
      Gauge.builder("m365sync.mailboxes", this, m -> m.statusCount(tenant, status))
          .description("Enrolled mailboxes by status").tags("tenant", tenant.value(), "status", status.name())
          .register(r);
    }
  }

  private double statusCount(TenantId tenant, MailboxStatus status) {
    return statusCounts().getOrDefault(new StatusKey(tenant, status), 0L);
  }

  /** Counts by (tenant when tagged, status), read from the store at most once per refresh interval. */
  private Map<StatusKey, Long> statusCounts() {
    Instant now = clock.instant();
    StatusSnapshot s = snapshot;
    if (s != null && now.isBefore(s.takenAt().plus(statusRefresh))) {
      return s.counts();
    }
    synchronized (snapshotLock) {
      s = snapshot;
      if (s != null && now.isBefore(s.takenAt().plus(statusRefresh))) {
        return s.counts();
      }
      try {
        snapshot = new StatusSnapshot(now, byStatus(store.statusCounts(null, row -> {}))); // one grouped query
      } catch (RuntimeException e) {
        // a store outage must not break the host's scrape: keep the last counts until the next refresh
        snapshot = new StatusSnapshot(now, s == null ? Map.of() : s.counts());
      }
      return snapshot.counts();
    }
  }

  private Map<StatusKey, Long> byStatus(List<StatusCount> byTenantAndStatus) {
    Map<StatusKey, Long> counts = new HashMap<>();
    for (StatusCount c : byTenantAndStatus) {
      counts.merge(new StatusKey(tenantTag ? c.tenant() : null, c.status()), c.count(), Long::sum);
    }
    counts.keySet().stream().map(StatusKey::tenant).filter(Objects::nonNull).distinct().forEach(this::gaugeTenant);
    return Map.copyOf(counts);
  }

  /** Configures {@link SyncMetrics}; single use. */
  public static final class Builder {
    private SyncStateStore store;
    private boolean tenantTag;
    private Duration statusRefresh = Duration.ofSeconds(30);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Where the status gauge reads mailbox statuses: the engine's state store. Required. */
    public Builder statuses(SyncStateStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Whether every meter also carries a {@code tenant} tag (one series per tenant). Default: off. */
    public Builder tenantTag(boolean on) {
      this.tenantTag = on;
      return this;
    }

    /** How long a read of the statuses serves the gauge; default 30 seconds, {@link Duration#ZERO} reads each time. */
    public Builder statusRefresh(Duration refresh) {
      Objects.requireNonNull(refresh, "statusRefresh");
      if (refresh.isNegative()) {
        throw new IllegalArgumentException("'statusRefresh' must not be negative but was " + refresh);
      }
      this.statusRefresh = refresh;
      return this;
    }

    /** The clock the refresh interval is measured with; default the system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public SyncMetrics build() {
      if (store == null) {
        throw new IllegalStateException("'statuses' is required.");
      }
      return new SyncMetrics(this);
    }
  }
}

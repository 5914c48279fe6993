package io.m365sync.internal;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.notify.ChangeNotifications;
import io.m365sync.notify.ChangeSignal;
import io.m365sync.notify.ResourceFeed;
import io.m365sync.notify.SignalKind;
import io.m365sync.notify.Subscription;
import io.m365sync.notify.SubscriptionEvent;
import io.m365sync.schedule.SyncScheduler;
import io.m365sync.state.CursorKey;
import io.m365sync.state.DirtyMark;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import java.time.Duration;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where change notifications meet the engine. A notification never carries truth: a verified one
 * only marks its mailbox-resource dirty in the state store and asks the scheduler for a round after
 * the debounce; the round reads the resource with a normal delta query, through the same gate,
 * policy and pipeline as every other round. Duplicates, reordering and drops therefore cannot
 * corrupt anything; a dropped one is caught by {@code missed}, the start-up catch-up or the safety
 * net. Thread-safe; the signal path runs on the receiver's request thread and only writes one row.
 */
public final class ChangeFeed {
  /** Longer than any subscription lives: the start-up pass lists them all. */
  private static final Duration LONGEST = Duration.ofDays(365);
  private final EngineContext ctx;
  private volatile SyncScheduler scheduler;

  public ChangeFeed(EngineContext ctx) {
    this.ctx = ctx;
  }

  /** Whether the engine was built with change notifications. */
  public boolean enabled() {
    return ctx.notifications() != null;
  }

  /** The scheduler that runs the rounds notifications ask for; none: the host's next cycle reads the marks. */
  public void scheduler(SyncScheduler scheduler) {
    this.scheduler = scheduler;
  }

  /** A verified notification: mark, and ask for a round; a removed subscription is forgotten so the round recreates it. */
  public void signal(ChangeSignal signal) {
    if (!enabled()) {
      return;
    }
    Instant now = ctx.clock().instant();
    if (signal.kind() == SignalKind.SUBSCRIPTION_REMOVED) {
      ctx.store().subscription(signal.subscriptionId()).ifPresent(gone -> {
        ctx.store().removeSubscription(gone.id());
        ctx.listener().subscriptionChanged(gone, SubscriptionEvent.LOST);
      });
    }
    ctx.store().markDirty(signal.mailbox(), signal.resource(), now,
        signal.kind() == SignalKind.REAUTHORIZATION_REQUIRED);
    ctx.listener().changeSignalled(signal);
    SyncScheduler s = scheduler;
    if (s != null) {
      s.changed(signal.mailbox(), ctx.notifications().debounce());
    }
  }

  /**
   * What the mailbox's round reads (see {@link RoundPlan}). A push-fed resource is one whose every
   * container has a subscription that does not expire within the renewal margin; one that does is
   * read, and renewed after the read, by this round.
   */
  RoundPlan plan(Mailbox mailbox, boolean everything, Instant now) {
    if (!enabled()) {
      return RoundPlan.everything(now);
    }
    List<DirtyMark> marks = ctx.store().dirtyMarks(mailbox.id());
    Set<Resource> dirty = EnumSet.noneOf(Resource.class);
    Set<Resource> renew = EnumSet.noneOf(Resource.class);
    for (DirtyMark mark : marks) {
      dirty.add(mark.resource());
      if (mark.renew()) {
        renew.add(mark.resource());
      }
    }
    if (everything) {
      return new RoundPlan(null, dirty, renew, now, false);
    }
    List<Subscription> subscriptions = ctx.store().subscriptions(mailbox.id());
    Set<Resource> due = EnumSet.noneOf(Resource.class);
    for (Resource resource : mailbox.resources()) {
      ResourceSyncer<?> syncer = ctx.syncers().get(resource);
      if (syncer == null) {
        continue;
      }
      if (dirty.contains(resource) || !pushFed(syncer, subscriptions, now) || safetyNetDue(mailbox.id(), resource, now)) {
        due.add(resource);
      }
    }
    boolean strays = subscriptions.stream().anyMatch(s -> !synced(ctx, mailbox, s.resource()));
    return new RoundPlan(due, dirty, renew, now, strays);
  }

  /** The enrolled mailbox's synced resources and how each is fed; empty when not enrolled. */
  public List<ResourceFeed> feeds(MailboxId id) {
    Optional<Mailbox> mailbox = ctx.store().enrollment(id);
    if (mailbox.isEmpty()) {
      return List.of();
    }
    Instant now = ctx.clock().instant();
    List<Subscription> subscriptions = ctx.store().subscriptions(id);
    List<DirtyMark> marks = ctx.store().dirtyMarks(id);
    List<ResourceFeed> feeds = new ArrayList<>();
    for (Resource resource : mailbox.get().resources()) {
      ResourceSyncer<?> syncer = ctx.syncers().get(resource);
      if (syncer == null) {
        continue;
      }
      feeds.add(new ResourceFeed(resource, enabled() && pushFed(syncer, subscriptions, now),
          marks.stream().filter(m -> m.resource() == resource).map(DirtyMark::at).findFirst(),
          ctx.store().cursor(readAtKey(id, resource)).map(ChangeFeed::parse),
          subscriptions.stream().filter(s -> s.resource() == resource).toList()));
    }
    return feeds;
  }

  /** Whether the mailbox's round reads {@code resource}: enabled for it, with a syncer in this engine. */
  static boolean synced(EngineContext ctx, Mailbox mailbox, Resource resource) {
    return mailbox.resources().contains(resource) && ctx.syncers().containsKey(resource);
  }

  /** Every container has a subscription that outlives the renewal margin (mailbox settings never do). */
  private boolean pushFed(ResourceSyncer<?> syncer, List<Subscription> subscriptions, Instant now) {
    Resource resource = syncer.type().resource();
    if (!ChangeNotifications.subscribable(resource)) {
      return false;
    }
    Instant renewBy = now.plus(ctx.notifications().renewalMargin());
    return syncer.containers().stream().allMatch(container -> subscriptions.stream().anyMatch(s ->
        s.resource() == resource && s.container().equals(container) && s.expiresAt().isAfter(renewBy)));
  }

  private boolean safetyNetDue(MailboxId mailbox, Resource resource, Instant now) {
    Optional<String> readAt = ctx.store().cursor(readAtKey(mailbox, resource));
    return readAt.isEmpty() || !parse(readAt.get()).plus(ctx.notifications().safetyNetInterval()).isAfter(now);
  }

  /**
   * After a round that kept its lease: clears the marks it read (newer ones stay), and notes when
   * each push-fed resource was read, for the safety net; a resource that failed is read again by
   * every round until it succeeds.
   */
  void afterRound(MailboxId mailbox, RoundPlan plan, List<ResourceResult> results, Set<Resource> pushFed, long fence) {
    if (!enabled()) {
      return;
    }
    for (ResourceResult result : results) {
      Resource resource = result.resource();
      if (plan.dirty().contains(resource)) {
        ctx.store().clearDirty(mailbox, resource, plan.startedAt());
      }
      if (result.outcome() == ResourceResult.Outcome.FAILED) {
        ctx.store().removeCursor(readAtKey(mailbox, resource), fence);
      } else if (pushFed.contains(resource)) {
        ctx.store().putCursor(readAtKey(mailbox, resource), plan.startedAt().toString(), fence);
      }
    }
  }

  /**
   * Start-up: notifications may have been lost while no node listened, so every push-fed
   * mailbox-resource gets a catch-up round; subscriptions that expired meanwhile are forgotten (the
   * round recreates them).
   */
  public void startUp() {
    if (!enabled()) {
      return;
    }
    Instant now = ctx.clock().instant();
    Set<MailboxId> marked = new LinkedHashSet<>();
    for (Subscription sub : ctx.store().subscriptionsExpiringBefore(now.plus(LONGEST))) {
      if (sub.expiredAt(now)) {
        ctx.store().removeSubscription(sub.id());
        ctx.listener().subscriptionChanged(sub, SubscriptionEvent.LOST);
      }
      ctx.store().markDirty(sub.mailbox(), sub.resource(), now, false);
      marked.add(sub.mailbox());
    }
    SyncScheduler s = scheduler;
    if (s != null) {
      marked.forEach(mailbox -> s.changed(mailbox, Duration.ZERO));
    }
  }

  /** Where a push-fed resource's last read is noted: a reserved cursor, purged with the mailbox. */
  static CursorKey readAtKey(MailboxId mailbox, Resource resource) {
    return new CursorKey(mailbox, resource, "m365sync:read-at");
  }

  private static Instant parse(String instant) {
    try {
      return Instant.parse(instant);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH; // unreadable: read the resource now, which rewrites it
    }
  }

  /**
   * How long until the mailbox's waiting dirty marks should be read: the debounce after the oldest,
   * or the end of the mailbox's backoff if later; empty when none wait or the mailbox is suspended.
   */
  public Optional<Duration> pendingChanges(MailboxId mailbox) {
    if (!enabled()) {
      return Optional.empty();
    }
    List<DirtyMark> marks = ctx.store().dirtyMarks(mailbox);
    if (marks.isEmpty()) {
      return Optional.empty();
    }
    Optional<MailboxState> state = ctx.store().status(mailbox);
    if (state.isPresent() && state.get().status() == MailboxStatus.SUSPENDED) {
      return Optional.empty();
    }
    Instant now = ctx.clock().instant();
    Instant due = marks.stream().map(DirtyMark::at).min(Comparator.naturalOrder()).orElseThrow()
        .plus(ctx.notifications().debounce());
    Instant backoffEnd = state.map(MailboxState::nextAttempt).orElse(null);
    if (backoffEnd != null && backoffEnd.isAfter(due)) {
      due = backoffEnd;
    }
    return Optional.of(due.isAfter(now) ? Duration.between(now, due) : Duration.ZERO);
  }
}

package io.m365sync.internal;

import io.m365sync.MailboxId;
import io.m365sync.notify.ChangeNotifications;
import io.m365sync.notify.ChangeSignal;
import io.m365sync.notify.SignalKind;
import io.m365sync.notify.SubscriptionEvent;
import io.m365sync.schedule.SyncScheduler;
import io.m365sync.state.DirtyMark;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Where change notifications meet the engine. A notification never carries truth: a verified one
 * only marks its mailbox-resource dirty in the state store and asks the scheduler for a round after
 * the debounce; the round reads the resource with a normal delta query, through the same gate,
 * policy and pipeline as every other round. Duplicates, reordering and drops therefore cannot
 * corrupt anything; a dropped one is caught by {@code missed}, the start-up catch-up or the safety
 * net. Thread-safe; the signal path runs on the receiver's request thread and only writes one row.
 */
public final class ChangeFeed {
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

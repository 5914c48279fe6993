package io.m365sync.internal;

import io.m365sync.AuthMode;
import io.m365sync.access.AccessDecision;
import io.m365sync.gateway.AccessDeniedByPolicyException;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.FencedOutException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * One round's Graph requests for its mailbox, whichever resource sends them: at most
 * {@code maxInFlight} at once (Outlook refuses a 5th with a 429), counted with any earlier round's
 * requests still unanswered, and none after the round learnt that it must stop sending. A read whose
 * answer is late is sent once more within those slots when the engine has room ({@link HedgedReads}). A 429 seen by one
 * resource refuses every later request of the round with the same {@code Retry-After}, so resources
 * running beside it back off with it. App-only
 * requests go one at a time until one to a policy-scoped resource succeeded: if an access policy
 * blocks the app, one 403 says so (one probe per access-decision TTL, as when resources ran one
 * after another), and the round's later app-only requests are refused as Graph would refuse them
 * (the guard rails hold request by request, not only when a resource starts), so they fall back.
 * Refusals send nothing. Thread-safe; one per round.
 */
final class MailboxRequests {
  /** The round's share of the engine from which its late reads are copied early: a quarter of the rounds or less. */
  static final int EARLY_SHARE = 4;
  private final Semaphore slots;
  private final Supplier<Runnable> lease;
  private final HedgedReads reads;
  private final IntSupplier share;
  private final BooleanSupplier stopped;
  private final Supplier<AccessDecision> access;
  private final Semaphore probe = new Semaphore(1);
  private volatile ThrottledException throttled;
  /** A policy-scoped app-only request succeeded: app-only requests need not wait for one another. */
  private volatile boolean appOnlyConfirmed;
  /** An app-only request was denied by policy (also known through {@code access} once the round handled it). */
  private volatile AccessDeniedByPolicyException appOnlyDenied;

  /**
   * @param slots the mailbox's request slots, shared with its other rounds
   * @param lease keeps {@code slots} for a request that outlives the round (until the action it returns runs)
   * @param share the round's share of the engine ({@link RoundLoad#share}): late reads are sent again only above 1,
   *     sooner from {@link #EARLY_SHARE}
   * @param access the round's access decision as it stands (null when none was made)
   */
  MailboxRequests(Semaphore slots, Supplier<Runnable> lease, HedgedReads reads, IntSupplier share,
                  BooleanSupplier stopped, Supplier<AccessDecision> access) {
    this.slots = slots;
    this.lease = lease;
    this.reads = reads;
    this.share = share;
    this.stopped = stopped;
    this.access = access;
  }

  private <R> R send(MailboxSession session, ResourceType<?> type, Supplier<R> call, boolean read) {
    refuseIfTold(session, type);
    boolean probing = session.mode() == AuthMode.APPLICATION && !appOnlyConfirmed;
    if (probing) {
      acquire(probe, session);
      if (appOnlyConfirmed) {
        probe.release(); // confirmed while this one waited
        probing = false;
      }
    }
    try {
      acquire(slots, session); // blocks only this round's own threads, at most one per resource
      boolean handedOver = false;
      try {
        refuseIfTold(session, type); // what was learnt while this request waited
        R result;
        if (read) {
          handedOver = true; // each request of the read gives its slot back when its answer comes
          result = reads.read(slots, lease, call, () -> hedge(session), e -> failed(session, e));
        } else {
          result = call.get();
        }
        if (probing && type != null && type.resource().coveredByAccessPolicies()) {
          appOnlyConfirmed = true;
        }
        return result;
      } catch (RuntimeException e) {
        failed(session, e);
        throw e;
      } finally {
        if (!handedOver) {
          slots.release();
        }
      }
    } finally {
      if (probing) {
        probe.release();
      }
    }
  }

  /** Learns from a failed answer: a 429 refuses the round's later requests, a policy's 403 its app-only ones. */
  private void failed(MailboxSession session, RuntimeException e) {
    if (e instanceof ThrottledException t && throttled == null) {
      throttled = t;
    } else if (e instanceof AccessDeniedByPolicyException denied && session.mode() == AuthMode.APPLICATION
        && appOnlyDenied == null) {
      appOnlyDenied = denied;
    }
  }

  /**
   * Whether and how soon a late read may be sent again: not once the round must stop, was throttled or
   * denied, nor while the engine runs or queues half its {@code maxConcurrentMailboxes} or more. Then the
   * other rounds keep the host busy while this one waits, and a late answer holds up only its own round;
   * while they do, a copy would only add work, and a host whose CPU is the bound (its answers late because
   * they wait for it) would copy reads by the hundred. As the engine's work runs out (a cycle's last rounds,
   * a mailbox synced alone), the slowest answer is what the cycle waits for: below half, a read is copied
   * once it is later than most ({@link HedgedReads.Hedge#LATE}), and below a quarter, when a few rounds'
   * last answers are all that is left, sooner ({@link HedgedReads.Hedge#EARLY}).
   */
  private HedgedReads.Hedge hedge(MailboxSession session) {
    int share = this.share.getAsInt();
    if (share < 2) {
      return HedgedReads.Hedge.NONE;
    }
    try {
      refuseIfTold(session, null);
    } catch (RuntimeException told) {
      return HedgedReads.Hedge.NONE;
    }
    return share < EARLY_SHARE ? HedgedReads.Hedge.LATE : HedgedReads.Hedge.EARLY;
  }

  private static void acquire(Semaphore semaphore, MailboxSession session) {
    try {
      semaphore.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the host is shutting its pool down: this resource fails, the round ends
      throw new IllegalStateException("interrupted while waiting to send a request for mailbox "
          + session.mailbox().id(), e);
    }
  }

  private void refuseIfTold(MailboxSession session, ResourceType<?> type) {
    if (stopped.getAsBoolean()) {
      throw FencedOutException.unenrolled(session.mailbox().id());
    }
    ThrottledException t = throttled;
    if (t != null) {
      throw new ThrottledException("not sent: Graph throttled the mailbox earlier in this round", session.mailbox().id(),
          type == null ? null : type.resource(), t.status(), t.code(), null, t.retryAfter(), t);
    }
    if (session.mode() != AuthMode.APPLICATION) {
      return;
    }
    AccessDeniedByPolicyException denied = appOnlyDenied;
    String code = denied != null ? denied.code() : access.get() instanceof AccessDecision.Deny deny ? deny.reasonCode() : null;
    if (denied != null || code != null) {
      throw new AccessDeniedByPolicyException("not sent: app-only access to the mailbox was denied earlier in this round ("
          + code + ")", session.mailbox().id(), type == null ? null : type.resource(), 403, code, null, denied);
    }
  }

  /** {@code gateway} with this round's limits in front of it: one view per resource, all sharing the slots. */
  MailboxGateway around(MailboxGateway gateway) {
    return around(gateway, List.of());
  }

  /**
   * The same, answering each of {@code probed}'s requests once from its page: what this cycle's idle
   * probe already read for the round (its first page of a link with changes, of a window sliding) is
   * not sent again, and sends nothing (no slot, no count), unless the round was told to stop first.
   */
  MailboxGateway around(MailboxGateway gateway, List<IdleProbe.Page> probed) {
    return new Limited(gateway, probed);
  }

  private final class Limited extends AroundGateway {
    private final List<IdleProbe.Page> probed;

    Limited(MailboxGateway gateway, List<IdleProbe.Page> probed) {
      super(gateway);
      this.probed = new CopyOnWriteArrayList<>(probed);
    }

    @Override
    <R> R around(MailboxSession session, ResourceType<?> type, Supplier<R> call) {
      return send(session, type, call, false);
    }

    @Override
    <R> R aroundRead(MailboxSession session, ResourceType<?> type, Supplier<R> call) {
      return send(session, type, call, true);
    }

    @Override
    @SuppressWarnings("unchecked") // a probe's page of a request is of the request's type
    public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
      for (IdleProbe.Page page : probed) {
        if (page.mode() == session.mode() && page.request().equals(request) && probed.remove(page)) {
          refuseIfTold(session, type);
          return (DeltaPage<T>) page.page();
        }
      }
      return super.delta(session, type, request);
    }
  }
}

package io.m365sync.sync;

import io.m365sync.Checks;
import io.m365sync.Mailbox;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.state.SyncStateStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;

/**
 * Everything a {@link ResourceSyncer} needs for one round of one mailbox.
 *
 * @param session the mailbox and the token chosen for this resource
 * @param gateway the port to Microsoft 365
 * @param state the state store; cursor and id-map writes must carry {@code fence}
 * @param fence this round's lease fence; a store refuses writes with an older one
 * @param clock the engine's clock
 * @param pageSize delta page size
 * @param eventWindowPast how far back the calendar view reaches on a first round
 * @param eventWindowFuture how far ahead the calendar view reaches on a first round
 * @param maxRequestsInFlight how many of the mailbox's requests may be in flight at once (the gateway
 *     holds the rest back); a syncer may read that many delta chains at once (folders, slices of a
 *     large calendar), at least 1
 * @param executor where a syncer may run such reads at once: the engine's, shared with every round,
 *     so a syncer must not wait on a task it submitted that has not started (run it itself instead)
 * @param requestShare the round's share of the engine: its {@code maxConcurrentMailboxes} ÷ the rounds
 *     it runs or has queued, at least 1, read when asked; how many requests at once a syncer may spend on
 *     reads that hide latency only by sending more requests (a large calendar read as several time
 *     slices at once, rather than as one chain) — in a busy cycle the mailboxes in flight already hide
 *     Graph's latency, and the extra requests would gain nothing
 * @param written what the round wrote, set by a syncer before it throws, for the round's FAILED result
 */
public record SyncRound(MailboxSession session, MailboxGateway gateway, SyncStateStore state, long fence, Clock clock,
                        int pageSize, Duration eventWindowPast, Duration eventWindowFuture, int maxRequestsInFlight,
                        Executor executor, IntSupplier requestShare, WrittenSoFar written) {
  public SyncRound {
    Checks.requireNonNull(session, "session");
    Checks.requireNonNull(gateway, "gateway");
    Checks.requireNonNull(state, "state");
    Checks.requireNonNull(clock, "clock");
    Checks.requireAtLeast(maxRequestsInFlight, 1, "maxRequestsInFlight");
    Checks.requireNonNull(executor, "executor");
    Checks.requireNonNull(requestShare, "requestShare");
    Checks.requireNonNull(written, "written");
  }

  /** A round whose writes before a failure nobody reads. */
  public SyncRound(MailboxSession session, MailboxGateway gateway, SyncStateStore state, long fence, Clock clock,
                   int pageSize, Duration eventWindowPast, Duration eventWindowFuture, int maxRequestsInFlight,
                   Executor executor, IntSupplier requestShare) {
    this(session, gateway, state, fence, clock, pageSize, eventWindowPast, eventWindowFuture, maxRequestsInFlight,
        executor, requestShare, new WrittenSoFar());
  }

  /** A round alone: its share is every read {@code maxRequestsInFlight} allows. */
  public SyncRound(MailboxSession session, MailboxGateway gateway, SyncStateStore state, long fence, Clock clock,
                   int pageSize, Duration eventWindowPast, Duration eventWindowFuture, int maxRequestsInFlight,
                   Executor executor) {
    this(session, gateway, state, fence, clock, pageSize, eventWindowPast, eventWindowFuture, maxRequestsInFlight,
        executor, () -> Integer.MAX_VALUE);
  }

  /** A round that sends one request at a time, on the caller's thread. */
  public SyncRound(MailboxSession session, MailboxGateway gateway, SyncStateStore state, long fence, Clock clock,
                   int pageSize, Duration eventWindowPast, Duration eventWindowFuture) {
    this(session, gateway, state, fence, clock, pageSize, eventWindowPast, eventWindowFuture, 1, Runnable::run);
  }

  public Mailbox mailbox() {
    return session.mailbox();
  }
}

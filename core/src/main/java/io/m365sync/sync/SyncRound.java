package io.m365sync.sync;

import io.m365sync.Checks;
import io.m365sync.Mailbox;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.state.SyncStateStore;
import java.time.Clock;
import java.time.Duration;

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
 */
public record SyncRound(MailboxSession session, MailboxGateway gateway, SyncStateStore state, long fence, Clock clock,
                        int pageSize, Duration eventWindowPast, Duration eventWindowFuture) {
  public SyncRound {
    Checks.requireNonNull(session, "session");
    Checks.requireNonNull(gateway, "gateway");
    Checks.requireNonNull(state, "state");
    Checks.requireNonNull(clock, "clock");
  }

  public Mailbox mailbox() {
    return session.mailbox();
  }
}

package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.AuthMode;
import io.m365sync.MailboxId;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.RunRecord;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A round's status and its run record commit together: a connection lost at the run's insert leaves
 * the status as it was (written apart, the status said a round ran that the history never held).
 */
class StatusAndRunInOneTransactionTest {
  private static final MailboxId ALICE = MailboxId.of("contoso", "oid-alice");
  private static final MailboxId BOB = MailboxId.of("contoso", "oid-bob");
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aConnectionLostAtTheRunLeavesTheStatusAsItWas() {
    FlakyDataSource flaky = new FlakyDataSource(TestDatabases.h2Memory());
    JdbcSyncStateStore store = JdbcSyncStateStore.create(flaky);
    store.putStatus(MailboxState.pending(BOB, T));
    store.putStatus(MailboxState.pending(ALICE, T));
    // the statements of one such write, counted on another mailbox in the same state
    long before = flaky.executed();
    store.putStatusAndRun(synced(BOB), run(BOB));
    long statements = flaky.executed() - before;

    flaky.dropAfter(statements); // the last statement, the run's insert, never runs
    assertThatThrownBy(() -> store.putStatusAndRun(synced(ALICE), run(ALICE))).isInstanceOf(JdbcStateException.class);
    flaky.heal();

    assertThat(store.status(ALICE)).contains(MailboxState.pending(ALICE, T));
    assertThat(store.runs(ALICE, 10)).isEmpty();
    assertThat(store.status(BOB)).contains(synced(BOB));
    assertThat(store.runs(BOB, 10)).containsExactly(run(BOB));
  }

  private static MailboxState synced(MailboxId mailbox) {
    return MailboxState.pending(mailbox, T).withStatus(MailboxStatus.ACTIVE, AuthMode.APPLICATION, null, null,
        T.plusSeconds(2), null).withRun(T.plusSeconds(1), Duration.ofSeconds(1), true, false);
  }

  private static RunRecord run(MailboxId mailbox) {
    return new RunRecord(mailbox, T.plusSeconds(1), T.plusSeconds(2), AuthMode.APPLICATION, MailboxStatus.ACTIVE, 3, null);
  }
}

package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL a cursor is written by one upsert: a round writes new cursors (its write-ahead note,
 * a first sync's delta links), and "update, else insert" made each of those two statements.
 */
class CursorWritesOnPostgresTest {
  private static final MailboxId ALICE = MailboxId.of("contoso", "oid-alice");

  @Test
  void aNewCursorAndAReplacedOneAreOneStatementAfterTheFenceCheck() {
    FlakyDataSource counted = new FlakyDataSource(TestDatabases.postgresSchema());
    JdbcSyncStateStore store = JdbcSyncStateStore.create(counted);
    store.putEnrollment(new Mailbox(ALICE, "alice@contoso.com", "crm-alice", Instant.parse("2026-01-01T00:00:00Z"),
        Set.of(Resource.EVENTS)));
    long fence = store.claimFence(ALICE);
    CursorKey events = new CursorKey(ALICE, Resource.EVENTS, "");

    long before = counted.executed();
    store.putCursor(events, "https://graph/delta?1", fence);
    assertThat(counted.executed() - before).isEqualTo(2); // the fence check, then the cursor

    before = counted.executed();
    store.putCursor(events, "https://graph/delta?2", fence);
    assertThat(counted.executed() - before).isEqualTo(2);

    CursorKey note = new CursorKey(ALICE, Resource.EVENTS, "note");
    IdLink link = new IdLink(ALICE, Resource.EVENTS, "crm-1", "remote-1", "ck", 1);
    before = counted.executed();
    store.putLinksAndCursors(List.of(), List.of(link), Map.of(note, "written ahead"), fence);
    // the fence check, the mailbox's link id (looked up, given, read back), the links, the cursor
    assertThat(counted.executed() - before).isEqualTo(6);

    assertThat(store.cursor(events)).contains("https://graph/delta?2");
    assertThat(store.cursor(note)).contains("written ahead");
    assertThat(store.links(ALICE, Resource.EVENTS)).containsExactly(link);
  }
}

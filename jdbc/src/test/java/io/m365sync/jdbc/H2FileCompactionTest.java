package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.state.MailboxState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded H2 file writes a chunk per group of commits and, without H2's background writer,
 * never compacts: each chunk that keeps one live page stays in the file and its metadata on
 * the heap. The store's upkeep compacts, so the chunks stay bounded by the data, not the commits.
 */
class H2FileCompactionTest {
  private static final Instant T = Instant.parse("2026-03-01T08:00:00Z");
  private static final int MAILBOXES = 500;

  @TempDir
  Path dir;

  @Test
  void upkeepKeepsTheChunksBoundedByTheDataNotByTheCommits() throws SQLException {
    try (JdbcSyncStateStore store = JdbcSyncStateStore.h2File(dir.resolve("state"))) {
      // no timing: H2 may drop or rewrite a chunk as soon as a newer commit exists, not 45 s later
      sql(store, "SET RETENTION_TIME 0");
      List<MailboxId> mailboxes = new ArrayList<>();
      for (int i = 0; i < MAILBOXES; i++) {
        mailboxes.add(MailboxId.of("contoso", String.format("oid-%04d", i)));
        store.putStatus(MailboxState.pending(mailboxes.get(i), T)); // a commit each, as enrollments come
      }
      for (int round = 1; round <= 3; round++) {
        for (int i = 0; i < 200; i++) { // a few busy mailboxes, the rest idle: their rows stay in old chunks
          store.putStatus(MailboxState.pending(mailboxes.get(i % 3), T.plusSeconds(round * 1000L + i)));
        }
        long beforeUpkeep = chunks(store);
        store.upkeep();
        store.putStatus(MailboxState.pending(mailboxes.get(0), T.plusSeconds(round * 1000L + 999))); // the next commit drops the chunks the upkeep emptied
        long afterUpkeep = chunks(store);

        if (round == 1) {
          assertThat(beforeUpkeep).as("chunks holding live rows after %d commits", MAILBOXES + 200).isGreaterThan(50);
        }
        assertThat(afterUpkeep).as("chunks after round %d's upkeep (%d before)", round, beforeUpkeep).isLessThanOrEqualTo(5);
      }
      assertThat(store.status(mailboxes.get(0))).contains(MailboxState.pending(mailboxes.get(0), T.plusSeconds(3999)));
      for (MailboxId id : mailboxes.subList(3, MAILBOXES)) {
        assertThat(store.status(id)).contains(MailboxState.pending(id, T));
      }
    }
  }

  private static long chunks(JdbcSyncStateStore store) throws SQLException {
    try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
             + " WHERE SETTING_NAME = 'info.CHUNK_COUNT'")) {
      rs.next();
      return Long.parseLong(rs.getString(1));
    }
  }

  private static void sql(JdbcSyncStateStore store, String statement) throws SQLException {
    try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}

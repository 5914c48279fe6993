package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.state.IdLink;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * On PostgreSQL a link's ids are compared byte for byte (collation "C"), whatever the database's
 * collation: its two unique indexes compare them on every insert and lookup, where a linguistic
 * collation costs a strcoll per comparison. The store's lookups still find them through those indexes.
 */
class LinkIdsOnPostgresTest {
  private static final MailboxId ALICE = MailboxId.of("contoso", "oid-alice");

  @Test
  void theLinkTablesIdsCompareByteForByteAndLookupsUseTheirIndexes() throws SQLException {
    DataSource ds = TestDatabases.postgresSchema();
    JdbcSyncStateStore store = JdbcSyncStateStore.create(ds);
    store.putEnrollment(new Mailbox(ALICE, "alice@contoso.com", "crm-alice", Instant.parse("2026-01-01T00:00:00Z"),
        Set.of(Resource.EVENTS)));
    long fence = store.claimFence(ALICE);
    // ids a linguistic collation orders differently or folds: still distinct links, found by each
    List<IdLink> links = List.of(new IdLink(ALICE, Resource.EVENTS, "crm-a", "AAMk=a", "ck", 1),
        new IdLink(ALICE, Resource.EVENTS, "crm-A", "AAMk=A", "ck", 1),
        new IdLink(ALICE, Resource.EVENTS, "crm-é", "AAMk=e\u0301", "ck", 1));
    store.putLinks(links, fence);
    List<IdLink> more = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      more.add(new IdLink(ALICE, Resource.EVENTS, "crm-" + i, "AAMk=" + i, "ck", 1));
    }
    store.putLinks(more, fence); // enough rows that only a whole key's index lookup is cheap

    assertThat(store.linksByRemoteIds(ALICE, Resource.EVENTS, List.of("AAMk=a", "AAMk=A", "AAMk=e\u0301")))
        .hasSize(3);
    assertThat(store.linkByCrmId(ALICE, Resource.EVENTS, "crm-A")).map(IdLink::remoteId).contains("AAMk=A");
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      assertThat(collations(s)).containsExactly("crm_id C", "remote_id C");
      s.execute("ANALYZE m365sync_link");
      assertThat(plan(c, "remote_id", "AAMk=A")).contains("m365sync_link_remote_uq").containsPattern("Index Cond: .*remote_id");
      assertThat(plan(c, "crm_id", "crm-A")).contains("m365sync_link_pkey").containsPattern("Index Cond: .*crm_id");
    }
  }

  private static List<String> collations(Statement s) throws SQLException {
    List<String> found = new ArrayList<>();
    try (ResultSet rs = s.executeQuery("SELECT column_name, collation_name FROM"
        + " information_schema.columns WHERE table_schema = current_schema() AND table_name = 'm365sync_link'"
        + " AND column_name IN ('crm_id', 'remote_id') ORDER BY column_name")) {
      while (rs.next()) {
        found.add(rs.getString(1) + " " + rs.getString(2));
      }
    }
    return found;
  }

  /** The plan of a lookup shaped as the store's: whole keys, the id bound as a varchar parameter. */
  private static String plan(Connection c, String column, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("EXPLAIN SELECT crm_id FROM m365sync_link"
        + " WHERE (scope_id, " + column + ") IN ((?, ?))")) {
      ps.setLong(1, 1);
      ps.setString(2, id);
      StringBuilder plan = new StringBuilder();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
      return plan.toString();
    }
  }
}

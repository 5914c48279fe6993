package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.CursorKey;
import io.m365sync.state.FencedOutException;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.RunRecord;
import io.m365sync.state.StatusCount;
import io.m365sync.state.StatusQuery;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class SchemaMigratorTest {

  @Test
  void aFreshDatabaseIsMigratedOnceWithEveryTable() throws Exception {
    DataSource ds = TestDatabases.h2Memory();
    assertThat(SchemaMigrator.migrate(ds, JdbcDialect.H2)).isZero();
    assertThat(SchemaMigrator.migrate(ds, JdbcDialect.H2)).isEqualTo(SchemaMigrator.LIBRARY_VERSION);
    try (Connection c = ds.getConnection()) {
      for (String table : List.of("m365sync_schema_version", "m365sync_mailbox", "m365sync_tenant", "m365sync_status",
          "m365sync_fence", "m365sync_cursor", "m365sync_link", "m365sync_link_scope", "m365sync_token_cache", "m365sync_run",
          "m365sync_scheduled_tasks", "m365sync_access_audit", "m365sync_enrollment_period", "m365sync_subscription",
          "m365sync_dirty_mark")) {
        assertThat(SchemaMigrator.tableExists(c, JdbcDialect.H2, table)).as(table).isTrue();
      }
      assertThat(SchemaMigrator.tableExists(c, JdbcDialect.H2, "m365sync_item_map")).as("replaced by m365sync_link").isFalse();
      assertThat(SchemaMigrator.tableExists(c, JdbcDialect.H2, "m365sync_mailbox_id")).as("replaced by m365sync_link_scope")
          .isFalse();
      assertThat(SchemaMigrator.currentVersion(c, JdbcDialect.H2)).isEqualTo(SchemaMigrator.LIBRARY_VERSION);
    }
  }

  /** Status rows written at schema version 2 had no tenant column: the upgrade fills it from the key. */
  @Test
  void aVersionTwoDatabaseGainsTenantsForItsStatusRowsOnH2AndPostgres() throws Exception {
    for (JdbcDialect dialect : List.of(JdbcDialect.H2, JdbcDialect.POSTGRESQL)) {
      DataSource ds = emptyDatabase(dialect);
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        for (String script : List.of("V1__init.sql", "V2__link_container.sql")) {
          try (var in = getClass().getClassLoader().getResourceAsStream(dialect.migrationFolder() + script)) {
            for (String st : SchemaMigrator.statements(new String(in.readAllBytes()))) {
              s.execute(st);
            }
          }
        }
        s.execute("CREATE TABLE m365sync_schema_version (version INT NOT NULL PRIMARY KEY,"
            + " description VARCHAR(200) NOT NULL, installed_at TIMESTAMP WITH TIME ZONE NOT NULL)");
        s.execute("INSERT INTO m365sync_schema_version VALUES (1, 'init', CURRENT_TIMESTAMP)");
        s.execute("INSERT INTO m365sync_schema_version VALUES (2, 'link_container', CURRENT_TIMESTAMP)");
        for (String key : List.of("contoso/oid-a", "contoso/oid-b", "fabrikam/oid-c")) {
          s.execute("INSERT INTO m365sync_status (mailbox_key, status, since, consecutive_failures)"
              + " VALUES ('" + key + "', 'FAILING', CURRENT_TIMESTAMP, 0)");
        }
      }
      JdbcSyncStateStore store = JdbcSyncStateStore.create(ds, dialect);
      assertThat(store.statusCounts(null, row -> {})).as(dialect.name()).containsExactlyInAnyOrder(
          new StatusCount(TenantId.of("contoso"), MailboxStatus.FAILING, 2),
          new StatusCount(TenantId.of("fabrikam"), MailboxStatus.FAILING, 1));
      assertThat(store.statusPage(StatusQuery.all(10).inTenant(TenantId.of("fabrikam")), row -> {}).items())
          .extracting(st -> st.mailbox().key()).containsExactly("fabrikam/oid-c");
    }
  }

  /**
   * Versions developed side by side merge out of order: a database that already has a higher version
   * still gets a lower one it lacks (here version 2 under version 4), and a version the library does
   * not ship (3) is no obstacle.
   */
  @Test
  void aMissingVersionBelowTheHighestIsStillApplied() throws Exception {
    DataSource ds = TestDatabases.h2Memory();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (String script : List.of("V1__init.sql", "V4__access_audit.sql")) {
        try (var in = getClass().getClassLoader().getResourceAsStream(JdbcDialect.H2.migrationFolder() + script)) {
          for (String st : SchemaMigrator.statements(new String(in.readAllBytes()))) {
            s.execute(st);
          }
        }
      }
      s.execute("CREATE TABLE m365sync_schema_version (version INT NOT NULL PRIMARY KEY,"
          + " description VARCHAR(200) NOT NULL, installed_at TIMESTAMP WITH TIME ZONE NOT NULL)");
      s.execute("INSERT INTO m365sync_schema_version VALUES (1, 'init', CURRENT_TIMESTAMP)");
      s.execute("INSERT INTO m365sync_schema_version VALUES (3, 'another_change', CURRENT_TIMESTAMP)");
      s.execute("INSERT INTO m365sync_schema_version VALUES (4, 'access_audit', CURRENT_TIMESTAMP)");
    }
    assertThat(SchemaMigrator.migrate(ds, JdbcDialect.H2)).isEqualTo(4);
    try (Connection c = ds.getConnection()) {
      assertThat(SchemaMigrator.installedVersions(c, JdbcDialect.H2))
          .containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
    }
    JdbcSyncStateStore store = JdbcSyncStateStore.create(ds);
    MailboxId alice = MailboxId.of("contoso", "oid-alice");
    store.putEnrollment(new Mailbox(alice, "alice@contoso.com", "crm-alice", Instant.parse("2026-01-05T09:00:00Z"),
        EnumSet.of(Resource.TASKS)));
    store.putLink(new IdLink(alice, Resource.TASKS, "crm-1", "task-1", "ck", 1, "list-b"), store.claimFence(alice));
    assertThat(store.linkByCrmId(alice, Resource.TASKS, "crm-1").orElseThrow().container()).isEqualTo("list-b");
  }

  /** Links written at schema version 1 knew no container: after the upgrade they read as in the default one. */
  @Test
  void aVersionOneDatabaseKeepsItsLinksAndGainsTheirContainers() throws Exception {
    DataSource ds = TestDatabases.h2Memory();
    MailboxId alice = MailboxId.of("contoso", "oid-alice");
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
         var in = getClass().getClassLoader().getResourceAsStream(JdbcDialect.H2.migrationFolder() + "V1__init.sql")) {
      for (String st : SchemaMigrator.statements(new String(in.readAllBytes()))) {
        s.execute(st);
      }
      s.execute("CREATE TABLE m365sync_schema_version (version INT NOT NULL PRIMARY KEY,"
          + " description VARCHAR(200) NOT NULL, installed_at TIMESTAMP WITH TIME ZONE NOT NULL)");
      s.execute("INSERT INTO m365sync_schema_version VALUES (1, 'init', CURRENT_TIMESTAMP)");
      // a row as version 1 wrote it: no container column
      s.execute("INSERT INTO m365sync_item_map (mailbox_key, resource_name, crm_id, remote_id, change_key, crm_version,"
          + " fence) VALUES ('" + alice.key() + "', 'TASKS', 'crm-old', 'task-old', 'ck', 1, 1)");
    }
    JdbcSyncStateStore store = JdbcSyncStateStore.create(ds);
    store.putEnrollment(new Mailbox(alice, "alice@contoso.com", "crm-alice", Instant.parse("2026-01-05T09:00:00Z"),
        EnumSet.of(Resource.TASKS)));
    long fence = store.claimFence(alice);
    try (Connection c = ds.getConnection()) {
      assertThat(SchemaMigrator.currentVersion(c, JdbcDialect.H2)).isEqualTo(SchemaMigrator.LIBRARY_VERSION);
    }
    assertThat(store.linkByCrmId(alice, Resource.TASKS, "crm-old").orElseThrow().container()).isEmpty();
    store.putLink(new IdLink(alice, Resource.TASKS, "crm-new", "task-new", "ck", 1, "list-b"), fence);
    assertThat(store.linkByRemoteId(alice, Resource.TASKS, "task-new").orElseThrow().container()).isEqualTo("list-b");
  }

  /**
   * Version 7 keys links by a numeric id per mailbox: every link of a version 6 database is still
   * there, under its mailbox, with all its fields, and the store goes on writing, replacing, removing
   * and purging links as before.
   */
  @Test
  void aVersionSixDatabaseKeepsEveryLinkUnderCompactKeysOnH2AndPostgres() throws Exception {
    for (JdbcDialect dialect : List.of(JdbcDialect.H2, JdbcDialect.POSTGRESQL)) {
      DataSource ds = emptyDatabase(dialect);
      MailboxId alice = MailboxId.of("contoso", "oid-alice");
      MailboxId bob = MailboxId.of("contoso", "oid-bob");
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        migrateByHandTo(6, dialect, s);
        for (MailboxId m : List.of(alice, bob)) {
          s.execute("INSERT INTO m365sync_fence (mailbox_key, fence) VALUES ('" + m.key() + "', 3)");
          s.execute("INSERT INTO m365sync_mailbox (mailbox_key, tenant_id, user_object_id, user_principal_name,"
              + " crm_user_id, signed_in_at, resources) VALUES ('" + m.key() + "', 'contoso', '" + m.userObjectId()
              + "', 'u@contoso.com', 'crm-u', CURRENT_TIMESTAMP, 'EVENTS,TASKS')");
        }
        s.execute("INSERT INTO m365sync_item_map (mailbox_key, resource_name, crm_id, remote_id, change_key, crm_version,"
            + " fence, container_id) VALUES ('" + alice.key() + "', 'EVENTS', 'crm-1', 'remote-1', 'ck1', 4, 3, NULL),"
            + " ('" + alice.key() + "', 'TASKS', 'crm-1', 'task-1', NULL, 5, 3, 'list-b'),"
            + " ('" + bob.key() + "', 'EVENTS', 'crm-1', 'remote-b1', 'ckb', 6, 3, NULL)");
      }

      JdbcSyncStateStore store = JdbcSyncStateStore.create(ds, dialect);
      assertThat(store.links(alice, Resource.EVENTS)).as(dialect.name())
          .containsExactly(new IdLink(alice, Resource.EVENTS, "crm-1", "remote-1", "ck1", 4));
      assertThat(store.links(alice, Resource.TASKS)).as(dialect.name())
          .containsExactly(new IdLink(alice, Resource.TASKS, "crm-1", "task-1", null, 5, "list-b"));
      assertThat(store.linkByRemoteId(bob, Resource.EVENTS, "remote-b1")).as(dialect.name())
          .contains(new IdLink(bob, Resource.EVENTS, "crm-1", "remote-b1", "ckb", 6));
      assertThat(store.linksByRemoteIds(alice, Resource.EVENTS, List.of("remote-1", "remote-b1"))).as(dialect.name())
          .containsOnlyKeys("remote-1");

      long fence = store.claimFence(alice);
      store.putLink(new IdLink(alice, Resource.EVENTS, "crm-1", "remote-2", "ck2", 7), fence);
      store.removeLink(alice, Resource.TASKS, "crm-1", fence);
      assertThat(store.links(alice, Resource.EVENTS)).extracting(IdLink::remoteId).as(dialect.name()).containsExactly("remote-2");
      assertThat(store.links(alice, Resource.TASKS)).as(dialect.name()).isEmpty();

      store.purge(alice);
      assertThat(store.links(alice, Resource.EVENTS)).as(dialect.name()).isEmpty();
      assertThat(store.links(bob, Resource.EVENTS)).as(dialect.name()).hasSize(1);
      long carolFence;
      MailboxId carol = MailboxId.of("contoso", "oid-carol");
      store.putEnrollment(new Mailbox(carol, "carol@contoso.com", "crm-carol", Instant.parse("2026-01-05T09:00:00Z"),
          EnumSet.of(Resource.EVENTS)));
      carolFence = store.claimFence(carol);
      store.putLink(new IdLink(carol, Resource.EVENTS, "crm-1", "remote-1", "ck", 1), carolFence);
      assertThat(store.linkByCrmId(carol, Resource.EVENTS, "crm-1")).as(dialect.name()).isPresent();
      assertThat(store.linkByCrmId(bob, Resource.EVENTS, "crm-1").orElseThrow().remoteId()).as(dialect.name())
          .isEqualTo("remote-b1");
    }
  }

  /**
   * Version 11 holds H2's link ids and keys as their UTF-8 bytes: every link of a version 10 database
   * reads back as it was written (characters beyond ASCII and beyond the BMP too), is found by either
   * id, and the table's two uniqueness rules still hold.
   */
  @Test
  void aVersionTenH2DatabaseKeepsEveryLinkAndBothUniqueIdsAsBytes() throws Exception {
    DataSource ds = TestDatabases.h2Memory();
    MailboxId alice = MailboxId.of("contoso", "oid-alice");
    String crm = "crm-\u00e9\u4e2d\ud83d\ude00";
    String remote = "AAMkAG\u00fcr=\ud83d\udcc5";
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      migrateByHandTo(10, JdbcDialect.H2, s);
      s.execute("INSERT INTO m365sync_mailbox_id (mailbox_key) VALUES ('" + alice.key() + "')");
      s.execute("INSERT INTO m365sync_link (mailbox_id, resource_name, crm_id, remote_id, change_key, crm_version,"
          + " fence, container_id) VALUES (1, 'EVENTS', '" + crm + "', '" + remote + "', 'ck\u00df', 4, 3, NULL),"
          + " (1, 'TASKS', 'crm-1', 'task-1', NULL, 5, 3, 'list-\u00e4')");
    }

    JdbcSyncStateStore store = JdbcSyncStateStore.create(ds, JdbcDialect.H2);
    IdLink event = new IdLink(alice, Resource.EVENTS, crm, remote, "ck\u00df", 4);
    assertThat(store.links(alice, Resource.EVENTS)).containsExactly(event);
    assertThat(store.links(alice, Resource.TASKS))
        .containsExactly(new IdLink(alice, Resource.TASKS, "crm-1", "task-1", null, 5, "list-\u00e4"));
    assertThat(store.linkByRemoteId(alice, Resource.EVENTS, remote)).contains(event);
    assertThat(store.linkByCrmId(alice, Resource.EVENTS, crm)).contains(event);
    assertThat(store.linksByRemoteIds(alice, Resource.EVENTS, List.of(remote, "AAMkAG\u00fcr="))).containsOnlyKeys(remote);

    store.putEnrollment(new Mailbox(alice, "alice@contoso.com", "crm-alice", Instant.parse("2026-01-05T09:00:00Z"),
        EnumSet.of(Resource.EVENTS)));
    long fence = store.claimFence(alice);
    IdLink sameRemote = new IdLink(alice, Resource.EVENTS, "crm-2", remote, "ck2", 1);
    IdLink sameCrm = new IdLink(alice, Resource.EVENTS, crm, "remote-2", "ck2", 1);
    for (IdLink clash : List.of(sameRemote, sameCrm)) {
      // a fresh link is inserted without looking for an old one: the table's unique keys refuse the clash
      assertThatThrownBy(() -> store.putLinksAndCursors(List.of(), List.of(), List.of(clash), Map.of(), fence))
          .as(clash.crmId() + " -> " + clash.remoteId()).isInstanceOf(JdbcStateException.class);
    }
    store.putLink(sameRemote, fence); // put: replaces what either id was linked to
    assertThat(store.links(alice, Resource.EVENTS)).containsExactly(sameRemote);
  }

  /**
   * Version 12 keys links by one number per mailbox and resource: every link of a version 11 database
   * (two mailboxes, two resources, the same CRM id in each) reads back under its mailbox and resource,
   * is found by either id, both uniqueness rules still hold within a mailbox's resource and not across,
   * and purge takes a mailbox's links and scopes and leaves the other's.
   */
  @Test
  void aVersionElevenDatabaseKeepsEveryLinkUnderItsMailboxAndResourceOnH2AndPostgres() throws Exception {
    for (JdbcDialect dialect : List.of(JdbcDialect.H2, JdbcDialect.POSTGRESQL)) {
      DataSource ds = emptyDatabase(dialect);
      MailboxId alice = MailboxId.of("contoso", "oid-alice");
      MailboxId bob = MailboxId.of("contoso", "oid-bob");
      String id = dialect == JdbcDialect.H2 ? "STRINGTOUTF8('%s')" : "'%s'";
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        migrateByHandTo(11, dialect, s);
        for (MailboxId m : List.of(alice, bob)) {
          s.execute("INSERT INTO m365sync_mailbox_id (mailbox_key) VALUES ('" + m.key() + "')");
        }
        String[][] rows = {{"1", "EVENTS", "crm-1", "remote-1", "ck1", "4", null}, {"1", "TASKS", "crm-1", "task-1",
            null, "5", "list-b"}, {"2", "EVENTS", "crm-1", "remote-b1", "ckb", "6", null}};
        for (String[] r : rows) {
          s.execute("INSERT INTO m365sync_link (mailbox_id, resource_name, crm_id, remote_id, change_key, crm_version,"
              + " fence, container_id) VALUES (" + r[0] + ", '" + r[1] + "', " + id.formatted(r[2]) + ", "
              + id.formatted(r[3]) + ", " + (r[4] == null ? "NULL" : id.formatted(r[4])) + ", " + r[5] + ", 3, "
              + (r[6] == null ? "NULL" : id.formatted(r[6])) + ")");
        }
      }

      JdbcSyncStateStore store = JdbcSyncStateStore.create(ds, dialect);
      IdLink aliceEvent = new IdLink(alice, Resource.EVENTS, "crm-1", "remote-1", "ck1", 4);
      IdLink aliceTask = new IdLink(alice, Resource.TASKS, "crm-1", "task-1", null, 5, "list-b");
      IdLink bobEvent = new IdLink(bob, Resource.EVENTS, "crm-1", "remote-b1", "ckb", 6);
      assertThat(store.links(alice, Resource.EVENTS)).as(dialect.name()).containsExactly(aliceEvent);
      assertThat(store.links(alice, Resource.TASKS)).as(dialect.name()).containsExactly(aliceTask);
      assertThat(store.links(bob, Resource.TASKS)).as(dialect.name()).isEmpty();
      assertThat(store.linkByRemoteId(bob, Resource.EVENTS, "remote-b1")).as(dialect.name()).contains(bobEvent);
      assertThat(store.linkByCrmId(alice, Resource.TASKS, "crm-1")).as(dialect.name()).contains(aliceTask);
      assertThat(store.linksByRemoteIds(alice, Resource.EVENTS, List.of("remote-1", "remote-b1", "task-1")))
          .as(dialect.name()).containsOnlyKeys("remote-1");

      for (MailboxId m : List.of(alice, bob)) {
        store.putEnrollment(new Mailbox(m, m.userObjectId() + "@contoso.com", "crm-u",
            Instant.parse("2026-01-05T09:00:00Z"), EnumSet.of(Resource.EVENTS, Resource.TASKS)));
      }
      long fence = store.claimFence(alice);
      IdLink sameRemote = new IdLink(alice, Resource.EVENTS, "crm-2", "remote-1", "ck2", 1);
      IdLink sameCrm = new IdLink(alice, Resource.EVENTS, "crm-1", "remote-2", "ck2", 1);
      for (IdLink clash : List.of(sameRemote, sameCrm)) {
        assertThatThrownBy(() -> store.putLinksAndCursors(List.of(), List.of(), List.of(clash), Map.of(), fence))
            .as(dialect.name() + " " + clash.crmId() + " -> " + clash.remoteId()).isInstanceOf(JdbcStateException.class);
      }
      // the same ids under another resource or mailbox are other links
      IdLink taskWithEventIds = new IdLink(alice, Resource.TASKS, "crm-2", "remote-1", null, 1);
      store.putLinksAndCursors(List.of(), List.of(), List.of(taskWithEventIds), Map.of(), fence);
      long bobFence = store.claimFence(bob);
      IdLink bobTask = new IdLink(bob, Resource.TASKS, "crm-1", "task-1", null, 2);
      store.putLinksAndCursors(List.of(), List.of(), List.of(bobTask), Map.of(), bobFence);
      assertThat(store.links(alice, Resource.TASKS)).as(dialect.name()).containsExactly(aliceTask, taskWithEventIds);
      assertThat(store.links(bob, Resource.TASKS)).as(dialect.name()).containsExactly(bobTask);

      store.purge(alice);
      assertThat(store.links(alice, Resource.EVENTS)).as(dialect.name()).isEmpty();
      assertThat(store.links(alice, Resource.TASKS)).as(dialect.name()).isEmpty();
      assertThat(store.links(bob, Resource.EVENTS)).as(dialect.name()).containsExactly(bobEvent);
      assertThat(store.links(bob, Resource.TASKS)).as(dialect.name()).containsExactly(bobTask);
      try (Connection c = ds.getConnection(); Statement s = c.createStatement();
           var rs = s.executeQuery("SELECT mailbox_key, resource_name FROM m365sync_link_scope ORDER BY resource_name")) {
        List<String> scopes = new java.util.ArrayList<>();
        while (rs.next()) {
          scopes.add(rs.getString(1) + " " + rs.getString(2));
        }
        assertThat(scopes).as(dialect.name()).containsExactly(bob.key() + " EVENTS", bob.key() + " TASKS");
      }
    }
  }

  /**
   * Version 13 drops the fence copy that every link and cursor row kept (never read; the fence is
   * checked against its own row): a version 12 database's links and cursors read back as they were,
   * new ones are written without it, and a write under an older fence is still refused.
   */
  @Test
  void aVersionTwelveDatabaseKeepsItsLinksAndCursorsWithoutTheirFenceCopiesOnH2AndPostgres() throws Exception {
    for (JdbcDialect dialect : List.of(JdbcDialect.H2, JdbcDialect.POSTGRESQL)) {
      DataSource ds = emptyDatabase(dialect);
      MailboxId alice = MailboxId.of("contoso", "oid-alice");
      String id = dialect == JdbcDialect.H2 ? "STRINGTOUTF8('%s')" : "'%s'";
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        migrateByHandTo(12, dialect, s);
        s.execute("INSERT INTO m365sync_link_scope (mailbox_key, resource_name)"
            + " VALUES ('" + alice.key() + "', 'EVENTS')");
        s.execute("INSERT INTO m365sync_link (scope_id, crm_id, remote_id, change_key, crm_version, fence,"
            + " container_id) SELECT scope_id, " + id.formatted("crm-1") + ", " + id.formatted("remote-1") + ", "
            + id.formatted("ck1") + ", 4, 3, NULL FROM m365sync_link_scope");
        s.execute("INSERT INTO m365sync_cursor (mailbox_key, resource_name, container_id, delta_link, fence)"
            + " VALUES ('" + alice.key() + "', 'EVENTS', '/', 'https://graph.example/delta?token=1', 3)");
      }

      JdbcSyncStateStore store = JdbcSyncStateStore.create(ds, dialect);
      CursorKey events = new CursorKey(alice, Resource.EVENTS, "");
      IdLink old = new IdLink(alice, Resource.EVENTS, "crm-1", "remote-1", "ck1", 4);
      assertThat(store.links(alice, Resource.EVENTS)).as(dialect.name()).containsExactly(old);
      assertThat(store.cursor(events)).as(dialect.name()).contains("https://graph.example/delta?token=1");
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        for (String table : List.of("m365sync_link", "m365sync_cursor")) {
          assertThatThrownBy(() -> s.executeQuery("SELECT fence FROM " + table).close())
              .as(dialect.name() + " " + table).isInstanceOf(SQLException.class);
          if (!c.getAutoCommit()) {
            c.rollback(); // PostgreSQL: the failed query ends the transaction
          }
        }
      }

      store.putEnrollment(new Mailbox(alice, "alice@contoso.com", "crm-u", Instant.parse("2026-01-05T09:00:00Z"),
          EnumSet.of(Resource.EVENTS)));
      long stale = store.claimFence(alice);
      long fence = store.claimFence(alice);
      IdLink fresh = new IdLink(alice, Resource.EVENTS, "crm-2", "remote-2", "ck2", 1);
      store.putLinksAndCursors(List.of(), List.of(), List.of(fresh),
          Map.of(events, "https://graph.example/delta?token=2"), fence);
      assertThat(store.links(alice, Resource.EVENTS)).as(dialect.name()).containsExactly(old, fresh);
      assertThat(store.cursor(events)).as(dialect.name()).contains("https://graph.example/delta?token=2");
      IdLink late = new IdLink(alice, Resource.EVENTS, "crm-3", "remote-3", "ck3", 1);
      assertThatThrownBy(() -> store.putLinksAndCursors(List.of(), List.of(), List.of(late),
          Map.of(events, "https://graph.example/delta?token=late"), stale))
          .as(dialect.name()).isInstanceOf(FencedOutException.class);
      assertThat(store.cursor(events)).as(dialect.name()).contains("https://graph.example/delta?token=2");
      assertThat(store.links(alice, Resource.EVENTS)).as(dialect.name()).containsExactly(old, fresh);
    }
  }

  private static DataSource emptyDatabase(JdbcDialect dialect) {
    return dialect == JdbcDialect.H2 ? TestDatabases.h2Memory() : TestDatabases.postgresSchema();
  }

  /** A database at {@code version}, as that library version left it: its scripts run by hand. */
  private void migrateByHandTo(int version, JdbcDialect dialect, Statement s) throws Exception {
    s.execute("CREATE TABLE m365sync_schema_version (version INT NOT NULL PRIMARY KEY,"
        + " description VARCHAR(200) NOT NULL, installed_at TIMESTAMP WITH TIME ZONE NOT NULL)");
    List<String> scripts = List.of("V1__init", "V2__link_container", "V3__status_monitor", "V4__access_audit",
        "V5__subscriptions", "V6__dirty_marks", "V7__compact_link_keys", "V8__run_count", "V9__audit_rounds",
        "V10__link_ids_bytewise", "V11__link_ids_as_bytes", "V12__link_scopes");
    for (int v = 1; v <= version; v++) {
      try (var in = getClass().getClassLoader().getResourceAsStream(dialect.migrationFolder() + scripts.get(v - 1) + ".sql")) {
        for (String st : SchemaMigrator.statements(new String(in.readAllBytes()))) {
          s.execute(st);
        }
      }
      s.execute("INSERT INTO m365sync_schema_version VALUES (" + v + ", 'v" + v + "', CURRENT_TIMESTAMP)");
    }
  }

  @Test
  void aVersionSevenDatabaseCountsTheRunsItHoldsOnH2AndPostgres() throws Exception {
    for (JdbcDialect dialect : List.of(JdbcDialect.H2, JdbcDialect.POSTGRESQL)) {
      DataSource ds = emptyDatabase(dialect);
      MailboxId alice = MailboxId.of("contoso", "oid-alice");
      MailboxId bob = MailboxId.of("contoso", "oid-bob");
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        migrateByHandTo(7, dialect, s);
        for (String key : List.of(alice.key(), bob.key(), alice.key(), alice.key())) {
          s.execute("INSERT INTO m365sync_run (mailbox_key, applied) VALUES ('" + key + "', 0)");
        }
      }

      JdbcSyncStateStore store = JdbcSyncStateStore.create(ds, dialect);
      assertThat(store.runCount(alice)).as(dialect.name()).isEqualTo(3);
      assertThat(store.runCount(bob)).as(dialect.name()).isEqualTo(1);
      store.recordRun(new RunRecord(alice, Instant.parse("2026-01-05T09:00:00Z"), null, null, null, 7, null));
      assertThat(store.runCount(alice)).as(dialect.name()).isEqualTo(4);
      assertThat(store.runs(alice, 10)).as(dialect.name()).hasSize(4).first().extracting(RunRecord::applied).isEqualTo(7);
    }
  }

  @Test
  void aVersionEightDatabaseReadsItsAuditRowsAsOneRoundEachAndFoldsNewRoundsIntoThemOnH2AndPostgres() throws Exception {
    for (JdbcDialect dialect : List.of(JdbcDialect.H2, JdbcDialect.POSTGRESQL)) {
      DataSource ds = emptyDatabase(dialect);
      MailboxId alice = MailboxId.of("contoso", "oid-alice");
      try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
        migrateByHandTo(8, dialect, s);
        s.execute("INSERT INTO m365sync_enrollment_period (mailbox_key, enrolled_at) VALUES ('" + alice.key()
            + "', TIMESTAMP WITH TIME ZONE '2026-01-05 08:00:00+00')");
        s.execute("INSERT INTO m365sync_access_audit (mailbox_key, resource_name, started_at, finished_at, outcome,"
            + " requests) VALUES ('" + alice.key() + "', 'EVENTS', TIMESTAMP WITH TIME ZONE '2026-01-05 09:00:00+00',"
            + " TIMESTAMP WITH TIME ZONE '2026-01-05 09:00:01+00', 'SUCCEEDED', 2)");
      }

      JdbcSyncStateStore store = JdbcSyncStateStore.create(ds, dialect);
      Instant nine = Instant.parse("2026-01-05T09:00:00Z");
      AccessRecord old = new AccessRecord(alice, Resource.EVENTS, nine, nine.plusSeconds(1), AccessRecord.Outcome.SUCCEEDED, 2, null);
      assertThat(store.accessRecords(nine, nine.plusSeconds(3600))).as(dialect.name()).containsExactly(old);
      store.recordAccess(new AccessRecord(alice, Resource.EVENTS, nine.plusSeconds(900), nine.plusSeconds(901),
          AccessRecord.Outcome.SUCCEEDED, 1, null));
      assertThat(store.accessRecords(nine, nine.plusSeconds(3600))).as(dialect.name()).containsExactly(
          new AccessRecord(alice, Resource.EVENTS, nine, nine.plusSeconds(901), AccessRecord.Outcome.SUCCEEDED, 3, null, 2));
    }
  }

  @Test
  void aFailedMigrationIsReportedWithVersionsAndLeavesNoVersionRow() throws Exception {
    DataSource ds = TestDatabases.h2Memory();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE m365sync_run (something INT)"); // a clash the migration cannot resolve
    }
    assertThatThrownBy(() -> JdbcSyncStateStore.create(ds))
        .isInstanceOf(SchemaVersionException.class)
        .hasMessageContaining("to version 1 (init) failed")
        .hasMessageContaining("database is at version 0");
  }

  @Test
  void everyDialectShipsItsScriptsAndTheyParse() {
    // each script and its number of statements, none left with a ';'
    Map<String, Integer> scripts = new LinkedHashMap<>();
    scripts.put("V1__init.sql", 13);
    scripts.put("V2__link_container.sql", 1);
    scripts.put("V3__status_monitor.sql", 6);
    scripts.put("V4__access_audit.sql", 5);
    scripts.put("V5__subscriptions.sql", 3);
    scripts.put("V6__dirty_marks.sql", 1);
    scripts.put("V7__compact_link_keys.sql", 5);
    scripts.put("V8__run_count.sql", 2);
    scripts.put("V9__audit_rounds.sql", 3);
    for (JdbcDialect dialect : JdbcDialect.values()) {
      // PostgreSQL's link ids move to collation "C"; H2 and Oracle compare them byte for byte already
      scripts.put("V10__link_ids_bytewise.sql", dialect == JdbcDialect.POSTGRESQL ? 1 : 0);
      // H2's link ids and keys move to their UTF-8 bytes; PostgreSQL and Oracle keep strings
      scripts.put("V11__link_ids_as_bytes.sql", dialect == JdbcDialect.H2 ? 6 : 0);
      scripts.forEach((script, count) -> {
        String resource = dialect.migrationFolder() + script;
        try (var in = getClass().getClassLoader().getResourceAsStream(resource)) {
          assertThat(in).as(resource).isNotNull();
          assertThat(SchemaMigrator.statements(new String(in.readAllBytes()))).as(resource).hasSize(count)
              .allSatisfy(st -> assertThat(st).doesNotContain(";"));
        } catch (java.io.IOException e) {
          throw new AssertionError(e);
        }
      });
    }
  }
}

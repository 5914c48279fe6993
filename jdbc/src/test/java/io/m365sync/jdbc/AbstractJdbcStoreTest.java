package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.NotEnrolledException;
import io.m365sync.Resource;
import io.m365sync.notify.Subscription;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.CursorKey;
import io.m365sync.state.FencedOutException;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.RunRecord;
import io.m365sync.state.SyncStateStore;
import io.m365sync.state.StatusCount;
import io.m365sync.state.StatusPage;
import io.m365sync.state.StatusQuery;
import io.m365sync.state.UnreadableRow;
import io.m365sync.state.UnreadableStateException;
import io.m365sync.testkit.SyncStateStoreContract;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** The testkit contract plus what only a database-backed store must show, run per database. */
abstract class AbstractJdbcStoreTest extends SyncStateStoreContract {
  protected DataSource dataSource;

  /** A fresh, empty database (or schema). */
  protected abstract DataSource freshDataSource();

  @Override
  protected SyncStateStore newStore() {
    dataSource = freshDataSource();
    return JdbcSyncStateStore.create(dataSource);
  }

  @Test
  void aSecondNodeOnTheSameDatabaseFencesOutTheFirst() {
    SyncStateStore nodeB = JdbcSyncStateStore.create(dataSource);
    CursorKey key = new CursorKey(ALICE, Resource.EVENTS, "");
    long fenceA = enrollAndClaim(ALICE);
    store.putCursor(key, "from-a", fenceA);

    long fenceB = nodeB.claimFence(ALICE);
    nodeB.putCursor(key, "from-b", fenceB);

    assertThatThrownBy(() -> store.putCursor(key, "late-from-a", fenceA))
        .isInstanceOf(FencedOutException.class)
        .hasMessageContaining("fence " + fenceA).hasMessageContaining("lease " + fenceB);
    assertThatThrownBy(() -> store.removeLink(ALICE, Resource.EVENTS, "crm-1", fenceA))
        .isInstanceOf(FencedOutException.class);
    assertThat(store.cursor(key)).contains("from-b");
  }

  @Test
  void concurrentClaimsYieldDistinctRisingFences() throws Exception {
    store.putEnrollment(mailbox(BOB));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Long>> futures = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        futures.add(pool.submit(() -> store.claimFence(BOB)));
      }
      List<Long> fences = new ArrayList<>();
      for (Future<Long> f : futures) {
        fences.add(f.get());
      }
      assertThat(fences).doesNotHaveDuplicates().hasSize(40);
      assertThat(store.claimFence(BOB)).isEqualTo(41);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void runHistoryKeepsTheNewestHundred() {
    for (int i = 0; i < 105; i++) {
      store.recordRun(new RunRecord(ALICE, T0.plusSeconds(i), T0.plusSeconds(i + 1), AuthMode.DELEGATED,
          MailboxStatus.ACTIVE, i, i % 2 == 0 ? null : "E" + i));
    }
    store.recordRun(new RunRecord(BOB, T0, null, null, null, 0, null));

    List<RunRecord> runs = store.runs(ALICE, 1000);
    assertThat(runs).hasSize(JdbcSyncStateStore.RUNS_KEPT);
    assertThat(runs.get(0)).isEqualTo(new RunRecord(ALICE, T0.plusSeconds(104), T0.plusSeconds(105),
        AuthMode.DELEGATED, MailboxStatus.ACTIVE, 104, null));
    assertThat(runs.get(99).applied()).isEqualTo(5);
    assertThat(store.runs(BOB, 5)).containsExactly(new RunRecord(BOB, T0, null, null, null, 0, null));
    assertThat(store.runs(ALICE, 0)).isEmpty();
    assertThatThrownBy(() -> store.runs(ALICE, -1)).hasMessageContaining("'limit'").hasMessageContaining("-1");
  }

  @Test
  void largeBlobsAndLinksRoundTripExactly() {
    byte[] blob = new byte[256 * 1024];
    for (int i = 0; i < blob.length; i++) {
      blob[i] = (byte) (i * 31);
    }
    store.putTokenCache(ALICE, blob);
    assertThat(store.tokenCache(ALICE)).hasValueSatisfying(b -> assertThat(b).isEqualTo(blob));

    long fence = enrollAndClaim(ALICE);
    String link = "https://graph.microsoft.com/v1.0/me/contactFolders/x/contacts/delta?$skiptoken=" + "é€x".repeat(20_000);
    store.putCursor(new CursorKey(ALICE, Resource.CONTACTS, "folder"), link, fence);
    assertThat(store.cursor(new CursorKey(ALICE, Resource.CONTACTS, "folder"))).contains(link);
  }

  @Test
  void statusWithEveryFieldNullableLeftNullRoundTrips() {
    MailboxState pending = MailboxState.pending(ALICE, T0);
    store.putStatus(pending);
    assertThat(store.status(ALICE)).contains(pending);

    MailboxState later = pending.withStatus(MailboxStatus.ACTIVE, AuthMode.APPLICATION, null, null, T0.plusSeconds(9),
        T0.plusSeconds(600)).withRun(T0.plusSeconds(3), Duration.ofNanos(123_456_789), true, false);
    store.putStatus(later);
    // durations are exact; instants keep the database's precision (PostgreSQL: rounded to microseconds)
    MailboxState expected = new MailboxState(ALICE, later.status(), later.mode(), null, null, later.since(),
        later.nextAttempt(), later.lastAttemptAt(), stored(later.lastSuccessAt()),
        later.lastDuration(), null, null, 0);
    assertThat(store.status(ALICE)).contains(expected);
    assertThat(store.statuses()).containsExactly(expected);
  }

  @Test
  void idMapKeepsNullChangeKeysAndSortsByCrmId() {
    long fence = enrollAndClaim(ALICE);
    store.putLink(new IdLink(ALICE, Resource.TASKS, "b", "r-b", null, 7), fence);
    store.putLink(new IdLink(ALICE, Resource.TASKS, "a", "r-a", "k", Long.MAX_VALUE), fence);

    assertThat(store.links(ALICE, Resource.TASKS)).containsExactly(
        new IdLink(ALICE, Resource.TASKS, "a", "r-a", "k", Long.MAX_VALUE),
        new IdLink(ALICE, Resource.TASKS, "b", "r-b", null, 7));
  }

  @Test
  void enrollmentsAndStatusesKeepFirstInsertionOrder() {
    MailboxId carol = MailboxId.of("fabrikam", "oid-carol");
    for (MailboxId id : List.of(BOB, carol, ALICE)) {
      store.putEnrollment(mailbox(id));
      store.putStatus(MailboxState.pending(id, T0));
    }
    store.putEnrollment(mailbox(BOB).signedInAgain(T0.plusSeconds(1)));
    store.putStatus(MailboxState.pending(BOB, T0.plusSeconds(1)));

    assertThat(store.enrollments()).extracting(m -> m.id()).containsExactly(BOB, carol, ALICE);
    assertThat(store.statuses()).extracting(MailboxState::mailbox).containsExactly(BOB, carol, ALICE);
  }

  @Test
  void tooLongIdsAreRefusedWithTheirNameAndLength() {
    long fence = enrollAndClaim(ALICE);
    assertThatThrownBy(() -> store.putLink(new IdLink(ALICE, Resource.EVENTS, "crm", "r".repeat(1025), null, 1), fence))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'remoteId'").hasMessageContaining("1024").hasMessageContaining("1025");
    assertThatThrownBy(() -> store.claimFence(MailboxId.of("contoso", "u".repeat(600))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mailbox key");
  }

  @Test
  void idsUtf8CannotHoldAreRefusedWithTheirNameAndNothingIsWritten() {
    long fence = enrollAndClaim(ALICE);
    IdLink fine = new IdLink(ALICE, Resource.EVENTS, "crm-\ud83d\ude00", "remote-1", null, 1);
    for (IdLink unpaired : List.of(new IdLink(ALICE, Resource.EVENTS, "crm-\ud800", "remote-2", null, 1),
        new IdLink(ALICE, Resource.EVENTS, "crm-2", "remote-\udc00-2", null, 1),
        new IdLink(ALICE, Resource.EVENTS, "crm-2", "remote-2", "ck\ud83d", 1))) {
      assertThatThrownBy(() -> store.putLinks(List.of(fine, unpaired), fence))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpaired UTF-16 surrogate");
    }
    assertThat(store.links(ALICE, Resource.EVENTS)).as("nothing of the refused batches").isEmpty();
    store.putLinks(List.of(fine), fence); // a pair is one character beyond the BMP: stored and read back as it was
    assertThat(store.linkByCrmId(ALICE, Resource.EVENTS, "crm-\ud83d\ude00")).contains(fine);
  }

  @Test
  void anAuditBatchWithARecordTooLongForItsColumnIsRefusedWholeBeforeAnyWrite() {
    store.putEnrollment(mailbox(ALICE));
    Instant t = T0.plusSeconds(60);
    AccessRecord fine = new AccessRecord(ALICE, Resource.EVENTS, t, t, AccessRecord.Outcome.SUCCEEDED, 1, null);
    AccessRecord tooLong = new AccessRecord(ALICE, Resource.CONTACTS, t, t, AccessRecord.Outcome.FAILED, 1, "c".repeat(513));

    assertThatThrownBy(() -> store.recordAccess(List.of(fine, tooLong)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'errorCode'").hasMessageContaining("513");
    assertThat(store.accessRecords(T0, t.plusSeconds(1))).as("nothing of the refused batch").isEmpty();
  }

  @Test
  void schemaIsRecordedAndReopeningIsANoOp() throws Exception {
    JdbcSyncStateStore again = JdbcSyncStateStore.create(dataSource);
    assertThat(again.dialect()).isEqualTo(expectedDialect());
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT version, description FROM m365sync_schema_version ORDER BY version")) {
      List<String> versions = new ArrayList<>();
      while (rs.next()) {
        versions.add(rs.getInt(1) + "__" + rs.getString(2));
      }
      assertThat(versions).doesNotHaveDuplicates().containsExactly("1__init", "2__link_container", "3__status_monitor", "4__access_audit",
          "5__subscriptions", "6__dirty_marks", "7__compact_link_keys", "8__run_count", "9__audit_rounds",
          "10__link_ids_bytewise", "11__link_ids_as_bytes", "12__link_scopes", "13__fences_checked_not_stored")
          .endsWith(JdbcSyncStateStore.schemaVersion() + "__fences_checked_not_stored");
    }
  }

  @Test
  void aNewerSchemaIsRefusedNamingBothVersions() throws Exception {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO m365sync_schema_version (version, description, installed_at)"
          + " VALUES (" + (JdbcSyncStateStore.schemaVersion() + 1) + ", 'from the future', CURRENT_TIMESTAMP)");
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }
    assertThatThrownBy(() -> JdbcSyncStateStore.create(dataSource))
        .isInstanceOfSatisfying(SchemaVersionException.class, e -> {
          assertThat(e.databaseVersion()).isEqualTo(JdbcSyncStateStore.schemaVersion() + 1);
          assertThat(e.libraryVersion()).isEqualTo(JdbcSyncStateStore.schemaVersion());
        })
        .hasMessageContaining("version " + (JdbcSyncStateStore.schemaVersion() + 1))
        .hasMessageContaining("schema version " + JdbcSyncStateStore.schemaVersion());
  }

  @Test
  void unreadableEnrollmentsAreSkippedAndReportedByKeyAndThrownWhenReadAlone() throws Exception {
    MailboxId carol = MailboxId.of("contoso", "oid-carol");
    MailboxId dave = MailboxId.of("contoso", "oid-dave");
    MailboxId erin = MailboxId.of("contoso", "oid-erin");
    for (MailboxId id : List.of(ALICE, BOB, carol, dave, erin)) {
      store.putEnrollment(mailbox(id));
    }
    sql("UPDATE m365sync_mailbox SET resources = 'EVENTS,NOTES' WHERE mailbox_key = '" + BOB.key() + "'");
    sql("UPDATE m365sync_mailbox SET signed_in_at = " + infiniteTimestamp() + " WHERE mailbox_key = '" + carol.key() + "'");
    sql("UPDATE m365sync_mailbox SET crm_user_id = ' ' WHERE mailbox_key = '" + dave.key() + "'");

    List<UnreadableRow> reported = new ArrayList<>();
    assertThat(store.enrollments(reported::add)).extracting(Mailbox::id).containsExactly(ALICE, erin);
    assertThat(reported).extracting(UnreadableRow::table).containsOnly("m365sync_mailbox");
    assertThat(reported).extracting(UnreadableRow::key).containsExactly(BOB.key(), carol.key(), dave.key());
    assertThat(reported.get(0).problem()).contains("NOTES").contains("resources");
    assertThat(reported.get(1).problem()).contains("signed_in_at").contains("infinite");
    assertThat(reported.get(2).problem()).contains("crmUserId");
    assertThat(store.enrollments()).extracting(Mailbox::id).containsExactly(ALICE, erin);
    List<UnreadableRow> reportedByIds = new ArrayList<>();
    assertThat(store.enrollments(List.of(ALICE, BOB, carol, dave, erin), reportedByIds::add))
        .containsOnlyKeys(ALICE, erin).containsEntry(ALICE, mailbox(ALICE));
    assertThat(reportedByIds).as("the same rows, reported by the read by ids").isEqualTo(reported);

    assertThatThrownBy(() -> store.enrollment(BOB))
        .isInstanceOfSatisfying(UnreadableStateException.class, e -> {
          assertThat(e.row()).isEqualTo(reported.get(0));
          assertThat(e.mailbox()).contains(BOB);
          assertThat(e.retryable()).isFalse();
        })
        .hasMessageContaining("m365sync_mailbox").hasMessageContaining(BOB.key()).hasMessageContaining("NOTES");
    assertThatThrownBy(() -> store.enrollment(carol)).isInstanceOf(UnreadableStateException.class)
        .hasMessageContaining(carol.key()).hasMessageContaining("infinite");
    assertThat(store.enrollment(ALICE)).contains(mailbox(ALICE));

    // enrolling again rewrites the row; a claim needs only the row to exist
    store.putEnrollment(mailbox(BOB));
    assertThat(store.enrollment(BOB)).contains(mailbox(BOB));
    assertThat(store.claimFence(dave)).isPositive();
  }

  @Test
  void countsAndPagesSkipAndReportUnreadableStatusRows() throws Exception {
    MailboxId carol = MailboxId.of("contoso", "oid-carol");
    for (MailboxId id : List.of(ALICE, BOB, carol)) {
      store.putStatus(MailboxState.pending(id, T0));
    }
    sql("UPDATE m365sync_status SET status = 'ON_HOLD' WHERE mailbox_key = '" + BOB.key() + "'");

    List<UnreadableRow> reported = new ArrayList<>();
    assertThat(store.statusCounts(null, reported::add))
        .containsExactly(new StatusCount(ALICE.tenant(), MailboxStatus.PENDING, 2));
    assertThat(reported).singleElement().satisfies(r -> {
      assertThat(r.table()).isEqualTo("m365sync_status");
      assertThat(r.key()).isEqualTo("contoso");
      assertThat(r.problem()).contains("ON_HOLD");
    });

    reported.clear();
    // the unreadable row takes its place in the page, so the page is short but the walk goes on
    StatusPage first = store.statusPage(StatusQuery.all(2), reported::add);
    assertThat(first.items()).extracting(MailboxState::mailbox).containsExactly(ALICE);
    assertThat(first.next()).isEqualTo(BOB);
    assertThat(reported).extracting(UnreadableRow::key).containsExactly(BOB.key());
    StatusPage second = store.statusPage(StatusQuery.all(2).after(first.next()), reported::add);
    assertThat(second.items()).extracting(MailboxState::mailbox).containsExactly(carol);
    assertThat(second.hasNext()).isFalse();
  }

  @Test
  void theStatusIndexesExistAndTheTenantColumnIsFilledOnInsert() throws Exception {
    store.putStatus(MailboxState.pending(MailboxId.of("fabrikam", "oid-x"), T0));
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT tenant_id FROM m365sync_status")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("fabrikam");
    }
    List<String> indexes = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
         ResultSet rs = c.getMetaData().getIndexInfo(null, null, tableName(c, "m365sync_status"), false, false)) {
      while (rs.next()) {
        if (rs.getString("INDEX_NAME") != null) {
          indexes.add(rs.getString("INDEX_NAME").toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    assertThat(indexes).contains("m365sync_status_status_idx", "m365sync_status_tenant_idx",
        "m365sync_status_tenant_key_idx");
  }

  @Test
  void unreadableSubscriptionsAreSkippedAndReportedByIdAndThrownWhenReadAlone() throws Exception {
    List<Subscription> subs = List.of(subscription("sub-1", ALICE, Resource.EVENTS, "", 10),
        subscription("sub-2", ALICE, Resource.CONTACTS, "", 20), subscription("sub-3", ALICE, Resource.MAIL, "inbox", 30),
        subscription("sub-4", ALICE, Resource.TASKS, "list", 40), subscription("sub-5", ALICE, Resource.EVENTS, "x", 50));
    subs.forEach(store::putSubscription);
    sql("UPDATE m365sync_subscription SET resource_name = 'NOTES' WHERE subscription_id = 'sub-2'");
    sql("UPDATE m365sync_subscription SET auth_mode = 'CERTIFICATE' WHERE subscription_id = 'sub-3'");
    sql("UPDATE m365sync_subscription SET client_state_hash = 'not-a-hash' WHERE subscription_id = 'sub-4'");

    List<UnreadableRow> reported = new ArrayList<>();
    assertThat(store.subscriptions(ALICE, reported::add)).containsExactly(subs.get(0), subs.get(4));
    assertThat(reported).extracting(UnreadableRow::table).containsOnly("m365sync_subscription");
    assertThat(reported).extracting(UnreadableRow::key).containsExactly("sub-2", "sub-3", "sub-4");
    assertThat(reported.get(0).problem()).contains("NOTES").contains("resource_name");
    assertThat(reported.get(1).problem()).contains("CERTIFICATE").contains("auth_mode");
    assertThat(reported.get(2).problem()).contains("clientStateHash").doesNotContain("not-a-hash");

    reported.clear();
    assertThat(store.subscriptionsExpiringBefore(T0.plusSeconds(3600), reported::add))
        .containsExactly(subs.get(0), subs.get(4));
    assertThat(reported).extracting(UnreadableRow::key).containsExactly("sub-2", "sub-3", "sub-4");

    assertThatThrownBy(() -> store.subscription("sub-2")).isInstanceOf(UnreadableStateException.class)
        .hasMessageContaining("m365sync_subscription").hasMessageContaining("sub-2").hasMessageContaining("NOTES");
    assertThat(store.subscription("sub-1")).contains(subs.get(0));

    // writing it again makes it readable
    store.putSubscription(subs.get(1));
    assertThat(store.subscription("sub-2")).contains(subs.get(1));
  }

  @Test
  void theSubscriptionIndexesExist() throws Exception {
    List<String> indexes = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
         ResultSet rs = c.getMetaData().getIndexInfo(null, null, tableName(c, "m365sync_subscription"), false, false)) {
      while (rs.next()) {
        if (rs.getString("INDEX_NAME") != null) {
          indexes.add(rs.getString("INDEX_NAME").toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    assertThat(indexes).contains("m365sync_sub_expires_idx", "m365sync_sub_mailbox_idx");
  }

  private static String tableName(Connection c, String name) throws Exception {
    return c.getMetaData().storesUpperCaseIdentifiers() ? name.toUpperCase(java.util.Locale.ROOT) : name;
  }

  @Test
  void unreadableStatusesAreSkippedAndReportedByKeyAndThrownWhenReadAlone() throws Exception {
    MailboxId carol = MailboxId.of("contoso", "oid-carol");
    MailboxId dave = MailboxId.of("contoso", "oid-dave");
    MailboxId erin = MailboxId.of("contoso", "oid-erin");
    for (MailboxId id : List.of(ALICE, BOB, carol, dave, erin)) {
      store.putStatus(MailboxState.pending(id, T0));
    }
    sql("UPDATE m365sync_status SET status = 'ON_HOLD' WHERE mailbox_key = '" + BOB.key() + "'");
    sql("UPDATE m365sync_status SET auth_mode = 'CERTIFICATE' WHERE mailbox_key = '" + carol.key() + "'");
    sql("UPDATE m365sync_status SET next_attempt = " + infiniteTimestamp() + " WHERE mailbox_key = '" + dave.key() + "'");
    sql("INSERT INTO m365sync_status (mailbox_key, tenant_id, status, since, consecutive_failures)"
        + " VALUES ('no-slash', 'no-slash', 'ACTIVE', CURRENT_TIMESTAMP, 0)");

    List<UnreadableRow> reported = new ArrayList<>();
    assertThat(store.statuses(reported::add)).extracting(MailboxState::mailbox).containsExactly(ALICE, erin);
    assertThat(reported).extracting(UnreadableRow::table).containsOnly("m365sync_status");
    assertThat(reported).extracting(UnreadableRow::key)
        .containsExactly(BOB.key(), carol.key(), dave.key(), "no-slash");
    assertThat(reported.get(0).problem()).contains("ON_HOLD").contains("status");
    assertThat(reported.get(1).problem()).contains("CERTIFICATE").contains("auth_mode");
    assertThat(reported.get(2).problem()).contains("next_attempt").contains("infinite");
    assertThat(store.statuses()).extracting(MailboxState::mailbox).containsExactly(ALICE, erin);
    List<UnreadableRow> reportedByIds = new ArrayList<>();
    assertThat(store.statuses(List.of(ALICE, BOB, carol, dave, erin), reportedByIds::add))
        .containsOnlyKeys(ALICE, erin).containsEntry(ALICE, MailboxState.pending(ALICE, T0));
    assertThat(reportedByIds).as("the same rows, reported by the read by ids").isEqualTo(reported.subList(0, 3));

    assertThatThrownBy(() -> store.status(BOB)).isInstanceOf(UnreadableStateException.class)
        .hasMessageContaining("m365sync_status").hasMessageContaining(BOB.key()).hasMessageContaining("ON_HOLD");
    assertThatThrownBy(() -> store.status(dave)).isInstanceOf(UnreadableStateException.class)
        .hasMessageContaining(dave.key()).hasMessageContaining("next_attempt");
    assertThat(store.status(ALICE)).contains(MailboxState.pending(ALICE, T0));

    // writing the status again makes it readable
    store.putStatus(MailboxState.pending(BOB, T0));
    assertThat(store.status(BOB)).contains(MailboxState.pending(BOB, T0));
  }

  @Test
  void aRefusedClaimLeavesNoFenceRow() throws Exception {
    assertThatThrownBy(() -> store.claimFence(ALICE)).isInstanceOf(NotEnrolledException.class);
    assertThat(rowsOf(ALICE, "m365sync_fence")).isZero();
  }

  @Test
  void purgeLeavesOnlyTheFenceRow() throws Exception {
    store.putEnrollment(mailbox(ALICE));
    store.putStatus(MailboxState.pending(ALICE, T0));
    long fence = store.claimFence(ALICE);
    store.putCursor(new CursorKey(ALICE, Resource.EVENTS, ""), "delta", fence);
    store.putLink(new IdLink(ALICE, Resource.EVENTS, "crm-1", "remote-1", "ck", 1), fence);
    store.putTokenCache(ALICE, new byte[] {1});
    store.recordRun(new RunRecord(ALICE, T0, T0, AuthMode.DELEGATED, MailboxStatus.ACTIVE, 1, null));
    store.putSubscription(subscription("sub-1", ALICE, Resource.EVENTS, "", 10));
    store.markDirty(ALICE, Resource.EVENTS, T0, true);

    store.purge(ALICE);

    for (String table : List.of("m365sync_mailbox", "m365sync_status", "m365sync_cursor", "m365sync_link_scope",
        "m365sync_token_cache", "m365sync_run", "m365sync_subscription", "m365sync_dirty_mark")) {
      assertThat(rowsOf(ALICE, table)).as(table).isZero();
    }
    assertThat(count("SELECT COUNT(*) FROM m365sync_link")).as("links (keyed by the mailbox's scopes)").isZero();
    assertThat(rowsOf(ALICE, "m365sync_fence")).isOne();
  }

  /**
   * The unenroll race at the database: a claim that starts while a purge is open (fence raised,
   * enrollment deleted, not committed) waits for it and then finds no enrollment. A claim that
   * checked the enrollment before the fence, or outside its transaction, would get a lease here.
   */
  @Test
  void aClaimRacingAnOpenPurgeWaitsForItAndFindsNoEnrollment() throws Exception {
    store.putEnrollment(mailbox(ALICE));
    long before = store.claimFence(ALICE);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection purging = dataSource.getConnection(); Statement s = purging.createStatement()) {
      purging.setAutoCommit(false);
      s.executeUpdate("UPDATE m365sync_fence SET fence = fence + 1 WHERE mailbox_key = '" + ALICE.key() + "'");
      s.executeUpdate("DELETE FROM m365sync_mailbox WHERE mailbox_key = '" + ALICE.key() + "'");

      Future<Long> claim = pool.submit(() -> store.claimFence(ALICE));
      awaitLockWaiter(claim);
      purging.commit();

      assertThatThrownBy(claim::get).hasCauseInstanceOf(NotEnrolledException.class);
      assertThat(store.enrollment(ALICE)).isEmpty();
      store.putEnrollment(mailbox(ALICE));
      assertThat(store.claimFence(ALICE)).as("the refused claim raised nothing").isEqualTo(before + 2);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A notification for a mailbox being unenrolled: a mark that starts while the purge is open
   * (enrollment and marks deleted, not committed) waits for it and then writes nothing. A mark that
   * read the enrollment without locking it would see it still there and leave an orphan mark.
   */
  @Test
  void aMarkRacingAnOpenPurgeWaitsForItAndWritesNothing() throws Exception {
    store.putEnrollment(mailbox(ALICE));
    store.markDirty(ALICE, Resource.EVENTS, T0, false);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection purging = dataSource.getConnection(); Statement s = purging.createStatement()) {
      purging.setAutoCommit(false);
      s.executeUpdate("DELETE FROM m365sync_mailbox WHERE mailbox_key = '" + ALICE.key() + "'");
      s.executeUpdate("DELETE FROM m365sync_dirty_mark WHERE mailbox_key = '" + ALICE.key() + "'");

      Future<?> mark = pool.submit(() -> store.markDirty(ALICE, Resource.CONTACTS, T0.plusSeconds(1), true));
      awaitLockWaiter(mark);
      purging.commit();
      mark.get();

      assertThat(rowsOf(ALICE, "m365sync_dirty_mark")).isZero();
      assertThat(store.dirtyMarks(ALICE)).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  /** Waits until a session waits for a row lock (or {@code task} ended without waiting). */
  private void awaitLockWaiter(Future<?> task) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      while (!task.isDone() && System.nanoTime() < deadline) {
        try (ResultSet rs = s.executeQuery(lockWaitersQuery())) {
          rs.next();
          if (rs.getLong(1) > 0) {
            return;
          }
        }
        Thread.sleep(10);
      }
    }
  }

  /** One row, one column: how many sessions are waiting for a lock. */
  protected abstract String lockWaitersQuery();

  private long rowsOf(MailboxId mailbox, String table) throws Exception {
    return count("SELECT COUNT(*) FROM " + table + " WHERE mailbox_key = '" + mailbox.key() + "'");
  }

  private long count(String query) throws Exception {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Runs one statement as a host's administrator (or a newer version of this library) would. */
  private void sql(String statement) throws Exception {
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate(statement);
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }
  }

  protected abstract JdbcDialect expectedDialect();

  /** A timestamp literal the driver reads as {@code OffsetDateTime.MAX}: PostgreSQL's {@code infinity}. */
  protected abstract String infiniteTimestamp();

  /** An instant as the database keeps it (PostgreSQL rounds to microseconds). */
  protected abstract Instant stored(Instant instant);
}

package io.m365sync.jdbc;

import io.m365sync.AuthMode;
import io.m365sync.Checks;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.NotEnrolledException;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.notify.Subscription;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.CursorKey;
import io.m365sync.state.DirtyMark;
import io.m365sync.state.EnrollmentPeriod;
import io.m365sync.state.FencedOutException;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.RunRecord;
import io.m365sync.state.StatusCount;
import io.m365sync.state.StatusPage;
import io.m365sync.state.StatusQuery;
import io.m365sync.state.SyncStateStore;
import io.m365sync.state.TenantSettings;
import io.m365sync.state.UnreadableRow;
import io.m365sync.state.UnreadableStateException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * A durable {@link SyncStateStore} in the host's database: H2, PostgreSQL or Oracle. Behaves like
 * {@link SyncStateStore#inMemory()} and passes the same testkit contract.
 *
 * <p>{@link #create(DataSource)} detects the database, creates the schema in a database that has
 * none, migrates an older one and refuses a newer one with {@link SchemaVersionException}. The
 * tables are prefixed {@code m365sync_}; the db-scheduler table of {@link DbSchedulerSyncScheduler}
 * is created by the same migrations.
 *
 * <p>Each call is one transaction on a connection borrowed from the {@code DataSource} and returned
 * before the call ends. Fenced writes ({@link #putCursor}, {@link #removeCursor}, {@link #putLink},
 * {@link #removeLink}) lock the mailbox's fence row, compare, and write in the same transaction, so a
 * node whose lease was taken over can never commit ({@link FencedOutException}, nothing changed).
 * Run history keeps the newest {@value #RUNS_KEPT} runs per mailbox; each row carries its number among
 * the mailbox's runs, so {@link #runCount} still counts the deleted ones.
 *
 * <p>Instants keep the database's precision: nanoseconds on H2 and Oracle, microseconds on
 * PostgreSQL (rounded). Durations are exact. On Oracle, empty strings read back as null.
 *
 * <p>{@link #purge} deletes the mailbox's rows from every table but {@code m365sync_fence}, whose
 * row keeps the raised fence so that a round in flight stays fenced out.
 *
 * <p>An enrollment, status or subscription row this version cannot read (an enum name it does not
 * know, a PostgreSQL {@code infinity} timestamp, a blank required value) is reported as an
 * {@link UnreadableRow} naming the table and the row's key: the mailbox key, or for a subscription
 * its id.
 *
 * <p>Thread-safe. Database failures surface as {@link JdbcStateException} (retryable for lost
 * connections and serialization failures). Token-cache blobs are stored as given: callers encrypt.
 */
public final class JdbcSyncStateStore implements SyncStateStore, AutoCloseable {
  /** Run records kept per mailbox; older ones are deleted as new ones arrive. */
  public static final int RUNS_KEPT = 100;

  private static final int KEY_MAX = 512;
  private static final int ID_MAX = 512;
  private static final int REMOTE_MAX = 1024;
  private static final int CODE_MAX = 512;
  /** Ids per IN list and rows per insert: well under every supported database's limits. */
  private static final int LINK_CHUNK = 100;

  private final Jdbc jdbc;
  private final JdbcDialect dialect;
  private final LinkColumns linkColumns;
  private final H2Files.Pool owned;
  private final DataSource hostDataSource;

  private JdbcSyncStateStore(DataSource dataSource, JdbcDialect dialect, H2Files.Pool owned) {
    this.jdbc = new Jdbc(dataSource, dialect == JdbcDialect.H2, owned != null,
        owned == null ? null : owned.groupCommit());
    this.hostDataSource = owned == null ? dataSource : owned.hostDataSource();
    this.dialect = dialect;
    this.linkColumns = LinkColumns.of(dialect);
    this.owned = owned;
  }

  /**
   * A store over the host's {@code DataSource}, detecting the dialect from the database's metadata
   * and migrating the schema if needed. The host keeps owning the {@code DataSource}.
   *
   * @throws IllegalArgumentException if the database is not H2, PostgreSQL or Oracle
   * @throws SchemaVersionException if the schema is newer than this library or cannot be migrated
   * @throws JdbcStateException if the database cannot be reached
   */
  public static JdbcSyncStateStore create(DataSource dataSource) {
    Checks.requireNonNull(dataSource, "dataSource");
    return create(dataSource, SchemaMigrator.detect(dataSource));
  }

  /** Like {@link #create(DataSource)} with the dialect given instead of detected. */
  public static JdbcSyncStateStore create(DataSource dataSource, JdbcDialect dialect) {
    Checks.requireNonNull(dataSource, "dataSource");
    Checks.requireNonNull(dialect, "dialect");
    SchemaMigrator.migrate(dataSource, dialect);
    return new JdbcSyncStateStore(dataSource, dialect, null);
  }

  /**
   * The embedded default: an H2 file database at {@code file} (H2 adds {@code .mv.db}), created with
   * its parent directories on first use, so a second run resumes where the first stopped. The store
   * owns the connection pool; {@link #close()} releases it and closes the database. Needs
   * {@code com.h2database:h2} on the classpath. One process at a time may open the file.
   *
   * <p>Each commit is in the file before the call that made it returns, the store's and those on
   * {@link #dataSource()} alike, so a killed process loses nothing it committed; the file is not forced
   * to disk (no fsync), so a power cut can. A commit is visible to the store's other connections a
   * moment before it is in the file. Production clusters use PostgreSQL.
   *
   * <p>Writes run one transaction at a time (H2's storage takes one writer per table; two writers
   * measured slower than one); the commits made while the file is being written share the next write,
   * outside that writer. Reads run beside it on up to 4 connections of their own: a host's status page
   * does not wait for the sync's writes.
   *
   * <p>Opening such a store turns H2's JVM-wide value cache off (system property
   * {@code h2.objectCache=false}) unless the host set that property: a cache every thread writes to, of no
   * use for ids each bound about once. It takes effect only if H2 has not started in this JVM before.
   *
   * @throws IllegalStateException if H2 is not on the classpath or the file cannot be opened
   */
  public static JdbcSyncStateStore h2File(Path file) {
    Checks.requireNonNull(file, "file");
    H2Files.Pool pool = H2Files.open(file);
    try {
      SchemaMigrator.migrate(pool.hostDataSource(), JdbcDialect.H2);
      return new JdbcSyncStateStore(pool.dataSource(), JdbcDialect.H2, pool);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /** The schema version this library writes. */
  public static int schemaVersion() {
    return SchemaMigrator.LIBRARY_VERSION;
  }

  public JdbcDialect dialect() {
    return dialect;
  }

  /** The database this store writes to; share it with {@link DbSchedulerSyncScheduler}. */
  public DataSource dataSource() {
    return hostDataSource;
  }

  /**
   * On an {@link #h2File} store, compacts the file: rewrites the live rows of sparsely filled chunks
   * (at most 16 MB per call), so that H2's per-chunk metadata on the heap stays bounded by the data
   * instead of growing with the commits. A no-op for a host's {@code DataSource} (its database keeps
   * itself; an H2 one compacts in its background writer unless opened with {@code WRITE_DELAY=0}).
   */
  @Override
  public void upkeep() {
    if (owned != null) {
      owned.compact();
    }
  }

  /** Releases the connection pool of an {@link #h2File} store; a no-op for a host's {@code DataSource}. */
  @Override
  public void close() {
    if (owned != null) {
      try {
        jdbc.close();
        owned.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the m365sync H2 database failed", e);
      }
    }
  }

  // ---------------------------------------------------------------- enrollments

  @Override
  public void putEnrollment(Mailbox mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    String key = key(mailbox.id());
    checkText(mailbox.userPrincipalName(), ID_MAX, "userPrincipalName");
    checkText(mailbox.crmUserId(), ID_MAX, "crmUserId");
    String resources = mailbox.resources().stream().sorted().map(Enum::name).collect(Collectors.joining(","));
    jdbc.tx("putEnrollment", mailbox.id(), c -> {
      int updated;
      try (PreparedStatement ps = c.prepareStatement("UPDATE m365sync_mailbox SET user_principal_name = ?,"
          + " crm_user_id = ?, signed_in_at = ?, resources = ? WHERE mailbox_key = ?")) {
        ps.setString(1, mailbox.userPrincipalName());
        ps.setString(2, mailbox.crmUserId());
        Jdbc.setInstant(ps, 3, mailbox.signedInAt());
        ps.setString(4, resources);
        ps.setString(5, key);
        updated = ps.executeUpdate();
      }
      if (updated == 0) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO m365sync_mailbox (mailbox_key, tenant_id,"
            + " user_object_id, user_principal_name, crm_user_id, signed_in_at, resources) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
          ps.setString(1, key);
          ps.setString(2, mailbox.id().tenant().value());
          ps.setString(3, mailbox.id().userObjectId());
          ps.setString(4, mailbox.userPrincipalName());
          ps.setString(5, mailbox.crmUserId());
          Jdbc.setInstant(ps, 6, mailbox.signedInAt());
          ps.setString(7, resources);
          ps.executeUpdate();
        }
      }
      openEnrollmentPeriod(c, key, mailbox.signedInAt());
      return null;
    });
  }

  /** Opens a period unless one is open; it starts at the sign-in, but never inside an earlier closed one. */
  private static void openEnrollmentPeriod(Connection c, String key, Instant signedInAt) throws SQLException {
    Instant start = signedInAt;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT enrolled_at, unenrolled_at FROM m365sync_enrollment_period WHERE mailbox_key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Instant end = Jdbc.getInstant(rs, "unenrolled_at");
          if (end == null) {
            return;
          }
          if (end.isAfter(start)) {
            start = end;
          }
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO m365sync_enrollment_period (mailbox_key, enrolled_at) VALUES (?, ?)")) {
      ps.setString(1, key);
      Jdbc.setInstant(ps, 2, start);
      ps.executeUpdate();
    }
  }

  @Override
  public Optional<Mailbox> enrollment(MailboxId mailbox) {
    String key = key(mailbox);
    return selectOne("enrollment", mailbox, MAILBOX_SELECT + " WHERE mailbox_key = ?", MAILBOX_TABLE, key,
        JdbcSyncStateStore::mailboxFrom);
  }

  @Override
  public List<Mailbox> enrollments(Consumer<UnreadableRow> onUnreadable) {
    Checks.requireNonNull(onUnreadable, "onUnreadable");
    return jdbc.read("enrollments", null, c -> {
      try (PreparedStatement ps = c.prepareStatement(MAILBOX_SELECT + " ORDER BY seq");
           ResultSet rs = ps.executeQuery()) {
        return Rows.all(rs, MAILBOX_TABLE, "mailbox_key", JdbcSyncStateStore::mailboxFrom);
      }
    }).reportTo(onUnreadable);
  }

  /** One query per {@value #LINK_CHUNK} mailboxes, a seek on the key each. */
  @Override
  public Map<MailboxId, Mailbox> enrollments(Collection<MailboxId> mailboxes, Consumer<UnreadableRow> onUnreadable) {
    return byMailbox("enrollments", MAILBOX_SELECT, MAILBOX_TABLE, mailboxes, JdbcSyncStateStore::mailboxFrom,
        Mailbox::id, onUnreadable);
  }

  private static final String MAILBOX_TABLE = "m365sync_mailbox";
  private static final String MAILBOX_SELECT = "SELECT mailbox_key, tenant_id, user_object_id, user_principal_name,"
      + " crm_user_id, signed_in_at, resources FROM " + MAILBOX_TABLE;

  private static Mailbox mailboxFrom(ResultSet rs) throws SQLException {
    MailboxId id = MailboxId.of(rs.getString("tenant_id"), rs.getString("user_object_id"));
    String names = rs.getString("resources");
    if (names == null) {
      throw new IllegalArgumentException("column resources is empty");
    }
    Set<Resource> resources = EnumSet.noneOf(Resource.class);
    for (String name : names.split(",")) {
      resources.add(Jdbc.enumValue(Resource.class, name, "resources"));
    }
    return new Mailbox(id, rs.getString("user_principal_name"), rs.getString("crm_user_id"),
        Jdbc.getInstant(rs, "signed_in_at"), resources);
  }

  @Override
  public void purge(MailboxId mailbox) {
    String key = key(mailbox);
    jdbc.tx("purge", mailbox, c -> {
      // raise the fence first: it locks the fence row, so a round in flight can no longer write and
      // a claim waits for this purge, then finds no enrollment. The fence row is all that remains.
      bumpFence(c, key);
      update(c, "DELETE FROM " + LINK_TABLE + " WHERE scope_id IN (SELECT scope_id FROM " + SCOPE_TABLE
          + " WHERE mailbox_key = ?)", key);
      for (String table : List.of("m365sync_mailbox", "m365sync_status", "m365sync_cursor", SCOPE_TABLE,
          "m365sync_token_cache", "m365sync_run", SUBSCRIPTION_TABLE, DIRTY_TABLE)) {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE mailbox_key = ?")) {
          ps.setString(1, key);
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  // ---------------------------------------------------------------- tenant settings

  @Override
  public void putTenantSettings(TenantSettings settings) {
    Checks.requireNonNull(settings, "settings");
    String tenant = settings.tenant().value();
    checkText(tenant, 255, "tenantId");
    int flag = settings.applicationPermissionEnabled() ? 1 : 0;
    jdbc.tx("putTenantSettings", null, c -> {
      if (update(c, "UPDATE m365sync_tenant SET app_permission_enabled = ? WHERE tenant_id = ?", flag, tenant) == 0) {
        update(c, "INSERT INTO m365sync_tenant (app_permission_enabled, tenant_id) VALUES (?, ?)", flag, tenant);
      }
      return null;
    });
  }

  @Override
  public Optional<TenantSettings> tenantSettings(TenantId tenant) {
    Checks.requireNonNull(tenant, "tenant");
    return jdbc.read("tenantSettings", null, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT app_permission_enabled FROM m365sync_tenant WHERE tenant_id = ?")) {
        ps.setString(1, tenant.value());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(new TenantSettings(tenant, rs.getInt(1) != 0)) : Optional.<TenantSettings>empty();
        }
      }
    });
  }

  // ---------------------------------------------------------------- status

  @Override
  public void putStatus(MailboxState state) {
    checkStatus(state);
    jdbc.tx("putStatus", state.mailbox(), c -> {
      writeStatus(c, state);
      return null;
    });
  }

  /**
   * Both in one transaction: a round's status and its run record commit together (one commit a round
   * instead of two; a crash between them used to leave a status whose round the history missed).
   */
  @Override
  public void putStatusAndRun(MailboxState state, RunRecord run) {
    SyncStateStore.oneMailbox(state, run);
    checkStatus(state);
    checkRun(run);
    jdbc.tx("putStatusAndRun", state.mailbox(), c -> {
      writeStatus(c, state);
      writeRun(c, run);
      return null;
    });
  }

  private static void checkStatus(MailboxState state) {
    Checks.requireNonNull(state, "state");
    checkText(state.reasonCode(), CODE_MAX, "reasonCode");
  }

  /** Updates the mailbox's status row, or inserts it. */
  private static void writeStatus(Connection c, MailboxState state) throws SQLException {
    String key = key(state.mailbox());
    int updated;
    try (PreparedStatement ps = c.prepareStatement("UPDATE m365sync_status SET status = ?, auth_mode = ?,"
        + " reason_code = ?, reason = ?, since = ?, next_attempt = ?, last_attempt_at = ?, last_success_at = ?,"
        + " last_duration_nanos = ?, delegated_dead_since = ?, notified_at = ?, consecutive_failures = ?"
        + " WHERE mailbox_key = ?")) {
      bindStatus(ps, state);
      ps.setString(13, key);
      updated = ps.executeUpdate();
    }
    if (updated == 0) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO m365sync_status (status, auth_mode, reason_code,"
          + " reason, since, next_attempt, last_attempt_at, last_success_at, last_duration_nanos,"
          + " delegated_dead_since, notified_at, consecutive_failures, mailbox_key, tenant_id)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        bindStatus(ps, state);
        ps.setString(13, key);
        ps.setString(14, state.mailbox().tenant().value());
        ps.executeUpdate();
      }
    }
  }

  private static void bindStatus(PreparedStatement ps, MailboxState s) throws SQLException {
    ps.setString(1, s.status().name());
    ps.setString(2, Jdbc.name(s.mode()));
    ps.setString(3, s.reasonCode());
    Jdbc.setLongText(ps, 4, s.reason());
    Jdbc.setInstant(ps, 5, s.since());
    Jdbc.setInstant(ps, 6, s.nextAttempt());
    Jdbc.setInstant(ps, 7, s.lastAttemptAt());
    Jdbc.setInstant(ps, 8, s.lastSuccessAt());
    Jdbc.setLongOrNull(ps, 9, s.lastDuration() == null ? null : s.lastDuration().toNanos());
    Jdbc.setInstant(ps, 10, s.delegatedDeadSince());
    Jdbc.setInstant(ps, 11, s.notifiedAt());
    ps.setInt(12, s.consecutiveFailures());
  }

  private static final String STATUS_TABLE = "m365sync_status";
  private static final String STATUS_SELECT = "SELECT mailbox_key, status, auth_mode, reason_code, reason, since,"
      + " next_attempt, last_attempt_at, last_success_at, last_duration_nanos, delegated_dead_since, notified_at,"
      + " consecutive_failures FROM " + STATUS_TABLE;

  private static MailboxState statusFrom(ResultSet rs, MailboxId mailbox) throws SQLException {
    Long nanos = Jdbc.getLongOrNull(rs, "last_duration_nanos");
    return new MailboxState(mailbox, Jdbc.getEnum(rs, "status", MailboxStatus.class),
        Jdbc.getEnum(rs, "auth_mode", AuthMode.class), rs.getString("reason_code"), rs.getString("reason"),
        Jdbc.getInstant(rs, "since"), Jdbc.getInstant(rs, "next_attempt"), Jdbc.getInstant(rs, "last_attempt_at"),
        Jdbc.getInstant(rs, "last_success_at"), nanos == null ? null : Duration.ofNanos(nanos),
        Jdbc.getInstant(rs, "delegated_dead_since"), Jdbc.getInstant(rs, "notified_at"),
        rs.getInt("consecutive_failures"));
  }

  @Override
  public Optional<MailboxState> status(MailboxId mailbox) {
    String key = key(mailbox);
    return selectOne("status", mailbox, STATUS_SELECT + " WHERE mailbox_key = ?", STATUS_TABLE, key,
        r -> statusFrom(r, mailbox));
  }

  @Override
  public List<MailboxState> statuses(Consumer<UnreadableRow> onUnreadable) {
    Checks.requireNonNull(onUnreadable, "onUnreadable");
    return jdbc.read("statuses", null, c -> {
      try (PreparedStatement ps = c.prepareStatement(STATUS_SELECT + " ORDER BY seq");
           ResultSet rs = ps.executeQuery()) {
        return Rows.all(rs, STATUS_TABLE, "mailbox_key", r -> statusFrom(r, parseKey(r.getString("mailbox_key"))));
      }
    }).reportTo(onUnreadable);
  }

  /** One query per {@value #LINK_CHUNK} mailboxes, a seek on the key each. */
  @Override
  public Map<MailboxId, MailboxState> statuses(Collection<MailboxId> mailboxes, Consumer<UnreadableRow> onUnreadable) {
    return byMailbox("statuses", STATUS_SELECT, STATUS_TABLE, mailboxes,
        r -> statusFrom(r, parseKey(r.getString("mailbox_key"))), MailboxState::mailbox, onUnreadable);
  }

  /**
   * The rows of {@code mailboxes} in {@code table} ({@code select} names its columns), one read of one
   * query per {@value #LINK_CHUNK} mailboxes; each row that cannot be read is left out and reported.
   */
  private <T> Map<MailboxId, T> byMailbox(String operation, String select, String table,
                                          Collection<MailboxId> mailboxes, Rows.Reader<T> reader,
                                          Function<T, MailboxId> idOf, Consumer<UnreadableRow> onUnreadable) {
    Checks.requireNonNull(mailboxes, "mailboxes");
    Checks.requireNonNull(onUnreadable, "onUnreadable");
    List<String> keys = mailboxes.stream().map(JdbcSyncStateStore::key).distinct().toList();
    if (keys.isEmpty()) {
      return Map.of();
    }
    MailboxId named = keys.size() == 1 ? mailboxes.iterator().next() : null;
    Map<MailboxId, T> found = new HashMap<>();
    for (T value : jdbc.read(operation, named, c -> {
      List<T> values = new ArrayList<>();
      List<UnreadableRow> unreadable = new ArrayList<>();
      byKeys(c, keys, in -> select + " WHERE " + in, rs -> {
        Rows.Read<T> read = Rows.all(rs, table, "mailbox_key", reader);
        values.addAll(read.values());
        unreadable.addAll(read.unreadable());
      });
      return new Rows.Read<>(values, unreadable);
    }).reportTo(onUnreadable)) {
      found.put(idOf.apply(value), value);
    }
    return found;
  }

  /** What a query's result set is read into. */
  @FunctionalInterface
  private interface ResultSink {
    void read(ResultSet rs) throws SQLException;
  }

  /**
   * Runs the query {@code sql} builds around a {@code mailbox_key IN (...)} condition once per
   * {@value #LINK_CHUNK} of {@code keys}, each result into {@code sink}.
   */
  private static void byKeys(Connection c, List<String> keys, Function<String, String> sql, ResultSink sink)
      throws SQLException {
    for (int from = 0; from < keys.size(); from += LINK_CHUNK) {
      List<String> chunk = keys.subList(from, Math.min(keys.size(), from + LINK_CHUNK));
      try (PreparedStatement ps = c.prepareStatement(sql.apply(
          "mailbox_key IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")"))) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          sink.read(rs);
        }
      }
    }
  }

  /** One grouped query; the tenant index holds every column it reads, so no table row is visited. */
  @Override
  public List<StatusCount> statusCounts(TenantId tenant, Consumer<UnreadableRow> onUnreadable) {
    Checks.requireNonNull(onUnreadable, "onUnreadable");
    String where = tenant == null ? "" : " WHERE tenant_id = ?";
    return jdbc.read("statusCounts", null, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id, status, COUNT(*) AS n FROM " + STATUS_TABLE
          + where + " GROUP BY tenant_id, status")) {
        if (tenant != null) {
          ps.setString(1, tenant.value());
        }
        try (ResultSet rs = ps.executeQuery()) {
          return Rows.all(rs, STATUS_TABLE, "tenant_id", r -> new StatusCount(TenantId.of(r.getString("tenant_id")),
              Jdbc.getEnum(r, "status", MailboxStatus.class), r.getLong("n")));
        }
      }
    }).reportTo(onUnreadable);
  }

  /**
   * Keyset paging: {@code mailbox_key > after ORDER BY mailbox_key} with the limit in the SQL, so the
   * database seeks in the index matching the filter and stops after one row more than the page
   * (that row says whether a next page exists). OFFSET would read and drop every earlier row.
   */
  @Override
  public StatusPage statusPage(StatusQuery query, Consumer<UnreadableRow> onUnreadable) {
    Checks.requireNonNull(query, "query");
    Checks.requireNonNull(onUnreadable, "onUnreadable");
    List<String> conditions = new ArrayList<>();
    List<String> args = new ArrayList<>();
    if (query.tenant() != null) {
      conditions.add("tenant_id = ?");
      args.add(query.tenant().value());
    }
    if (!query.statuses().isEmpty()) {
      conditions.add("status IN (" + String.join(", ", Collections.nCopies(query.statuses().size(), "?")) + ")");
      query.statuses().stream().map(Enum::name).sorted().forEach(args::add);
    }
    if (query.neverSyncedOnly()) {
      conditions.add("last_success_at IS NULL");
    }
    if (query.after() != null) {
      conditions.add("mailbox_key > ?");
      args.add(key(query.after()));
    }
    String sql = STATUS_SELECT + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
        + " ORDER BY mailbox_key FETCH FIRST " + (query.limit() + 1) + " ROWS ONLY";
    List<UnreadableRow> unreadable = new ArrayList<>();
    StatusPage page = jdbc.read("statusPage", null, c -> {
      unreadable.clear(); // a retried read reads again
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < args.size(); i++) {
          ps.setString(i + 1, args.get(i));
        }
        List<MailboxState> items = new ArrayList<>();
        String lastKey = null;
        try (ResultSet rs = ps.executeQuery()) {
          int n = 0;
          while (rs.next()) {
            if (++n > query.limit()) {
              return new StatusPage(items, parseKey(lastKey));
            }
            lastKey = rs.getString("mailbox_key");
            String rowKey = lastKey;
            try {
              items.add(Rows.one(rs, STATUS_TABLE, rowKey, null, r -> statusFrom(r, parseKey(rowKey))));
            } catch (UnreadableStateException e) {
              unreadable.add(e.row());
            }
          }
        }
        return new StatusPage(items, null);
      }
    });
    unreadable.forEach(onUnreadable);
    return page;
  }

  // ---------------------------------------------------------------- fencing

  /**
   * Raises the fence first, which locks its row, and then looks for the enrollment: a {@link #purge}
   * holds that lock until it commits, so the look-up sees either the enrollment before the purge (and
   * the purge then fences this claim out) or its deletion. Without an enrollment the transaction
   * rolls back, raising nothing.
   */
  @Override
  public long claimFence(MailboxId mailbox) {
    String key = key(mailbox);
    return jdbc.tx("claimFence", mailbox, c -> {
      long fence = bumpFence(c, key);
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + MAILBOX_TABLE + " WHERE mailbox_key = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new NotEnrolledException(mailbox);
          }
        }
      }
      return fence;
    });
  }

  /** Raises the mailbox's fence by one (creating it at 1) and returns the new value. */
  private static long bumpFence(Connection c, String key) throws SQLException {
    if (update(c, "UPDATE m365sync_fence SET fence = fence + 1 WHERE mailbox_key = ?", key) == 0) {
      update(c, "INSERT INTO m365sync_fence (mailbox_key, fence) VALUES (?, 1)", key);
      return 1;
    }
    return currentFence(c, key, false);
  }

  private static long currentFence(Connection c, String key, boolean lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT fence FROM m365sync_fence WHERE mailbox_key = ?" + (lock ? " FOR UPDATE" : ""))) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }

  /**
   * Locks the mailbox's fence row until the transaction ends and refuses a fence older than the
   * current one. A concurrent {@link #claimFence} waits for this transaction, so a write that passed
   * this check commits before any newer lease begins.
   */
  private static void checkFence(Connection c, MailboxId mailbox, String key, long fence) throws SQLException {
    // the common case in one statement: an UPDATE that changes nothing locks the row like SELECT ...
    // FOR UPDATE does, and H2 reuses its plan (it parses every FOR UPDATE query again)
    if (update(c, "UPDATE m365sync_fence SET fence = fence WHERE mailbox_key = ? AND fence <= ?", key, fence) > 0) {
      return;
    }
    long current = currentFence(c, key, true);
    if (current < 0) {
      // never claimed: the current lease is 0; create the row so that it can be locked
      current = 0;
      update(c, "INSERT INTO m365sync_fence (mailbox_key, fence) VALUES (?, 0)", key);
    }
    if (fence < current) {
      throw new FencedOutException(mailbox, fence, current);
    }
  }

  // ---------------------------------------------------------------- cursors

  @Override
  public Optional<String> cursor(CursorKey key) {
    Checks.requireNonNull(key, "key");
    String mailboxKey = key(key.mailbox());
    String container = container(key);
    return jdbc.read("cursor", key.mailbox(), c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT delta_link FROM m365sync_cursor"
          + " WHERE mailbox_key = ? AND resource_name = ? AND container_id = ?")) {
        ps.setString(1, mailboxKey);
        ps.setString(2, key.resource().name());
        ps.setString(3, container);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.<String>empty();
        }
      }
    });
  }

  /**
   * One read, one query per {@value #LINK_CHUNK} mailboxes: a mailbox's cursor rows are few (links, the
   * events window, notes).
   */
  @Override
  public Map<CursorKey, String> cursors(Collection<CursorKey> keys) {
    Checks.requireNonNull(keys, "keys");
    Map<MailboxId, Map<String, CursorKey>> wanted = new LinkedHashMap<>();
    for (CursorKey key : keys) {
      Checks.requireNonNull(key, "key");
      wanted.computeIfAbsent(key.mailbox(), m -> new HashMap<>()).put(key.resource().name() + container(key), key);
    }
    if (wanted.isEmpty()) {
      return Map.of();
    }
    Map<String, Map<String, CursorKey>> byKey = new LinkedHashMap<>();
    wanted.forEach((mailbox, keysOf) -> byKey.put(key(mailbox), keysOf));
    List<String> mailboxKeys = List.copyOf(byKey.keySet());
    return jdbc.read("cursors", wanted.size() == 1 ? wanted.keySet().iterator().next() : null, c -> {
      Map<CursorKey, String> found = new HashMap<>();
      byKeys(c, mailboxKeys, in -> "SELECT mailbox_key, resource_name, container_id, delta_link FROM m365sync_cursor"
          + " WHERE " + in, rs -> {
            while (rs.next()) {
              CursorKey key = byKey.get(rs.getString(1)).get(rs.getString(2) + rs.getString(3));
              if (key != null && rs.getString(4) != null) {
                found.put(key, rs.getString(4));
              }
            }
          });
      return found;
    });
  }

  @Override
  public void putCursor(CursorKey key, String cursor, long fence) {
    Checks.requireNonNull(key, "key");
    Checks.requireNonNull(cursor, "cursor");
    String mailboxKey = key(key.mailbox());
    jdbc.tx("putCursor", key.mailbox(), c -> {
      checkFence(c, key.mailbox(), mailboxKey, fence);
      writeCursor(c, key, cursor);
      return null;
    });
  }

  private static int cursorRow(Connection c, String sql, String cursor, String mailboxKey, CursorKey key,
                               String container) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Jdbc.setLongText(ps, 1, cursor);
      ps.setString(2, mailboxKey);
      ps.setString(3, key.resource().name());
      ps.setString(4, container);
      return ps.executeUpdate();
    }
  }

  /** Sets the cursor, or removes it when {@code cursor} is null. */
  private void writeCursor(Connection c, CursorKey key, String cursor) throws SQLException {
    String mailboxKey = key(key.mailbox());
    String container = container(key);
    if (cursor == null) {
      update(c, "DELETE FROM m365sync_cursor WHERE mailbox_key = ? AND resource_name = ? AND container_id = ?",
          mailboxKey, key.resource().name(), container);
      return;
    }
    // all three statements take the same four values in the same order
    String insert = "INSERT INTO m365sync_cursor (delta_link, mailbox_key, resource_name, container_id)"
        + " VALUES (?, ?, ?, ?)";
    if (dialect == JdbcDialect.POSTGRESQL) {
      // one statement, where "update, else insert" took two for every new cursor (a round's
      // write-ahead note and a first sync's delta link are new: 3 of a round's ~50 statements)
      cursorRow(c, insert + " ON CONFLICT (mailbox_key, resource_name, container_id)"
          + " DO UPDATE SET delta_link = EXCLUDED.delta_link", cursor, mailboxKey, key, container);
      return;
    }
    String update = "UPDATE m365sync_cursor SET delta_link = ?"
        + " WHERE mailbox_key = ? AND resource_name = ? AND container_id = ?";
    if (cursorRow(c, update, cursor, mailboxKey, key, container) == 0) {
      cursorRow(c, insert, cursor, mailboxKey, key, container);
    }
  }


  @Override
  public void removeCursor(CursorKey key, long fence) {
    Checks.requireNonNull(key, "key");
    String mailboxKey = key(key.mailbox());
    jdbc.tx("removeCursor", key.mailbox(), c -> {
      checkFence(c, key.mailbox(), mailboxKey, fence);
      writeCursor(c, key, null);
      return null;
    });
  }


  /**
   * Stored with a leading '/' so the default container (the empty string) is never an empty
   * column value: Oracle reads '' back as NULL.
   */
  private static String container(CursorKey key) {
    checkText(key.container(), REMOTE_MAX, "container");
    return "/" + key.container();
  }

  // ---------------------------------------------------------------- id map

  private static final String LINK_TABLE = "m365sync_link";
  /** One number per mailbox and resource that has links: the links' key beside their CRM id or remote id. */
  private static final String SCOPE_TABLE = "m365sync_link_scope";
  private static final String LINK_COLUMNS = "crm_id, remote_id, change_key, crm_version, container_id";
  /** A mailbox's links of one resource: one statement, the scope found through its unique index. */
  private static final String LINK_SELECT = "SELECT " + LINK_COLUMNS + " FROM " + LINK_TABLE + " WHERE scope_id ="
      + " (SELECT scope_id FROM " + SCOPE_TABLE + " WHERE mailbox_key = ? AND resource_name = ?)";

  /** The number the mailbox's links of {@code resource} are keyed by, or null when it has none. */
  private static Long scopeId(Connection c, String mailboxKey, Resource resource) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT scope_id FROM " + SCOPE_TABLE
        + " WHERE mailbox_key = ? AND resource_name = ?")) {
      ps.setString(1, mailboxKey);
      ps.setString(2, resource.name());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  /**
   * {@link #scopeId}, given one first if needed; {@code known} holds what this transaction already looked up
   * (null: none) and gets the answer. Called after the fence check: the fence row's lock keeps two writers
   * (and a purge) of one mailbox from racing here.
   */
  private static long scopeIdOrNew(Connection c, String mailboxKey, Resource resource, Map<Resource, Long> known)
      throws SQLException {
    Long id = known.containsKey(resource) ? known.get(resource) : scopeId(c, mailboxKey, resource);
    if (id == null) {
      update(c, "INSERT INTO " + SCOPE_TABLE + " (mailbox_key, resource_name) VALUES (?, ?)", mailboxKey,
          resource.name());
      id = scopeId(c, mailboxKey, resource);
    }
    known.put(resource, id);
    return id;
  }

  @Override
  public Optional<IdLink> linkByRemoteId(MailboxId mailbox, Resource resource, String remoteId) {
    Checks.requireNonNull(resource, "resource");
    Checks.requireNonNull(remoteId, "remoteId");
    return oneLink("linkByRemoteId", mailbox, resource, " AND remote_id = ?", remoteId);
  }

  @Override
  public Optional<IdLink> linkByCrmId(MailboxId mailbox, Resource resource, String crmId) {
    Checks.requireNonNull(resource, "resource");
    Checks.requireNonNull(crmId, "crmId");
    return oneLink("linkByCrmId", mailbox, resource, " AND crm_id = ?", crmId);
  }

  private Optional<IdLink> oneLink(String operation, MailboxId mailbox, Resource resource, String where, String id) {
    String key = key(mailbox);
    return jdbc.read(operation, mailbox, c -> {
      try (PreparedStatement ps = c.prepareStatement(LINK_SELECT + where)) {
        ps.setString(1, key);
        ps.setString(2, resource.name());
        linkColumns.bind(ps, 3, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(linkFrom(rs, mailbox, resource)) : Optional.<IdLink>empty();
        }
      }
    });
  }

  @Override
  public List<IdLink> links(MailboxId mailbox, Resource resource) {
    Checks.requireNonNull(resource, "resource");
    String key = key(mailbox);
    return jdbc.read("links", mailbox, c -> {
      List<IdLink> result = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(LINK_SELECT)) {
        ps.setString(1, key);
        ps.setString(2, resource.name());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            result.add(linkFrom(rs, mailbox, resource));
          }
        }
      }
      // sorted here, not in SQL: database collations differ, String order does not
      result.sort((a, b) -> a.crmId().compareTo(b.crmId()));
      return List.copyOf(result);
    });
  }

  private IdLink linkFrom(ResultSet rs, MailboxId mailbox, Resource resource) throws SQLException {
    // the default container is stored as NULL: Oracle cannot tell an empty string from NULL
    return new IdLink(mailbox, resource, linkColumns.read(rs, "crm_id"), linkColumns.read(rs, "remote_id"),
        linkColumns.read(rs, "change_key"), rs.getLong("crm_version"), linkColumns.read(rs, "container_id"));
  }

  @Override
  public void putLink(IdLink link, long fence) {
    Checks.requireNonNull(link, "link");
    putLinks(List.of(link), fence);
  }

  /**
   * All links in one transaction under one fence check, as if put one by one; per resource and 100
   * links, one delete per unique index and one insert (a statement per link made this the most
   * expensive step of an initial sync).
   */
  @Override
  public void putLinks(List<IdLink> links, long fence) {
    SyncStateStore.oneMailbox("putLinks", List.of(), links, List.of(), Map.of());
    putLinksAndCursors(links, List.of(), Map.of(), fence);
  }

  /**
   * One transaction under one fence check: the removals (one delete per resource and 100 CRM ids), then
   * the links, fresh ones inserted without looking for old ones, then the cursors.
   */
  @Override
  public void putLinksAndCursors(List<IdLink> removedLinks, List<IdLink> links, List<IdLink> freshLinks,
                                 Map<CursorKey, String> cursors, long fence) {
    MailboxId mailbox = SyncStateStore.oneMailbox("putLinksAndCursors", removedLinks, links, freshLinks, cursors);
    if (mailbox == null) {
      return; // nothing to write
    }
    List<IdLink> all = new ArrayList<>(links);
    all.addAll(freshLinks);
    for (IdLink link : all) {
      checkText(link.crmId(), ID_MAX, "crmId");
      checkText(link.remoteId(), REMOTE_MAX, "remoteId");
      checkText(link.changeKey(), REMOTE_MAX, "changeKey");
      checkText(link.container(), REMOTE_MAX, "container");
    }
    for (CursorKey key : cursors.keySet()) {
      container(key); // checks its length before the transaction
    }
    String mailboxKey = key(mailbox);
    jdbc.tx("putLinks", mailbox, c -> {
      checkFence(c, mailbox, mailboxKey, fence);
      // a batch may remove, replace and add links of one resource: its scope is looked up once
      Map<Resource, Long> scopes = new EnumMap<>(Resource.class);
      if (!removedLinks.isEmpty()) {
        Map<Resource, List<String>> crmIds = new LinkedHashMap<>();
        removedLinks.forEach(l -> crmIds.computeIfAbsent(l.resource(), r -> new ArrayList<>()).add(l.crmId()));
        removeLinks(c, mailboxKey, crmIds, scopes);
      }
      writeLinks(c, mailboxKey, links, true, scopes);
      writeLinks(c, mailboxKey, freshLinks, false, scopes);
      for (Map.Entry<CursorKey, String> cursor : cursors.entrySet()) {
        writeCursor(c, cursor.getKey(), cursor.getValue());
      }
      return null;
    });
  }

  /** Removes the links of these CRM ids, by resource: one delete per resource and {@value #LINK_CHUNK} ids. */
  private void removeLinks(Connection c, String mailboxKey, Map<Resource, List<String>> crmIdsByResource,
                           Map<Resource, Long> scopes) throws SQLException {
    for (Map.Entry<Resource, List<String>> group : crmIdsByResource.entrySet()) {
      Long scope = scopeId(c, mailboxKey, group.getKey());
      scopes.put(group.getKey(), scope);
      if (scope == null) {
        continue; // no link of this resource at all
      }
      List<String> crmIds = group.getValue();
      for (int from = 0; from < crmIds.size(); from += LINK_CHUNK) {
        List<String> chunk = crmIds.subList(from, Math.min(crmIds.size(), from + LINK_CHUNK));
        deleteLinks(c, scope, "crm_id", chunk);
      }
    }
  }

  private void writeLinks(Connection c, String mailboxKey, List<IdLink> links, boolean replacing,
                          Map<Resource, Long> scopes) throws SQLException {
    Map<Resource, List<IdLink>> byResource = new LinkedHashMap<>();
    links.forEach(l -> byResource.computeIfAbsent(l.resource(), r -> new ArrayList<>()).add(l));
    for (Map.Entry<Resource, List<IdLink>> group : byResource.entrySet()) {
      long key = scopeIdOrNew(c, mailboxKey, group.getKey(), scopes);
      List<IdLink> all = group.getValue();
      if (replacing) {
        // one row per CRM id and per remote id: drop whatever any of these ids was linked to before
        // (each statement on its own unique index: an OR of both scans the mailbox's whole map)
        for (int from = 0; from < all.size(); from += LINK_CHUNK) {
          List<IdLink> chunk = all.subList(from, Math.min(all.size(), from + LINK_CHUNK));
          deleteLinks(c, key, "crm_id", chunk.stream().map(IdLink::crmId).collect(Collectors.toList()));
          deleteLinks(c, key, "remote_id", chunk.stream().map(IdLink::remoteId).collect(Collectors.toList()));
        }
        all = lastOfEachId(all);
      }
      if (dialect == JdbcDialect.POSTGRESQL) {
        insertLinksFromArrays(c, key, all);
        continue;
      }
      for (int from = 0; from < all.size(); from += LINK_CHUNK) {
        insertLinks(c, key, all.subList(from, Math.min(all.size(), from + LINK_CHUNK)));
      }
    }
  }

  private void deleteLinks(Connection c, long scope, String column, List<String> ids) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + LINK_TABLE + " WHERE " + byIds(column, ids.size()))) {
      bindIds(ps, scope, ids);
      ps.executeUpdate();
    }
  }

  /**
   * {@code (scope_id, column) IN ((?, ?), ...)}: whole keys, so that H2 looks each one up in the unique
   * index; a plain IN on the last column made it scan the mailbox's rows.
   */
  private static String byIds(String column, int n) {
    return "(scope_id, " + column + ") IN (" + String.join(", ", Collections.nCopies(n, "(?, ?)")) + ")";
  }

  private void bindIds(PreparedStatement ps, long scope, List<String> ids) throws SQLException {
    int p = 1;
    for (String id : ids) {
      ps.setLong(p++, scope);
      linkColumns.bind(ps, p++, id);
    }
  }

  /** Links put one by one replace earlier ones sharing their CRM id or remote id: only the last stays. */
  private static List<IdLink> lastOfEachId(List<IdLink> links) {
    Set<String> crmIds = new HashSet<>();
    Set<String> remoteIds = new HashSet<>();
    List<IdLink> kept = new ArrayList<>();
    for (int i = links.size() - 1; i >= 0; i--) {
      IdLink l = links.get(i);
      boolean replacedLater = !crmIds.add(l.crmId()) | !remoteIds.add(l.remoteId());
      if (!replacedLater) {
        kept.add(l);
      }
    }
    Collections.reverse(kept);
    return kept;
  }

  /**
   * PostgreSQL: one statement for any number of links, their columns as five arrays unnested into rows.
   * Binding 6 parameters instead of 6 a row cuts the client's work and the server's parsing: in the
   * CPU-bound benchmark the server's CPU per 100,000 links fell from 2.6 s to 1.7 s against 100-row
   * multi-row VALUES statements.
   */
  private static final String LINK_INSERT_FROM_ARRAYS = "INSERT INTO " + LINK_TABLE + " (scope_id,"
      + " crm_id, remote_id, change_key, crm_version, container_id) SELECT ?, u.crm_id, u.remote_id,"
      + " u.change_key, u.crm_version, u.container_id FROM unnest(?::varchar[], ?::varchar[], ?::varchar[],"
      + " ?::bigint[], ?::varchar[]) AS u(crm_id, remote_id, change_key, crm_version, container_id)";

  private static void insertLinksFromArrays(Connection c, long scope, List<IdLink> links) throws SQLException {
    int n = links.size();
    String[] crmIds = new String[n];
    String[] remoteIds = new String[n];
    String[] changeKeys = new String[n];
    Long[] versions = new Long[n];
    String[] containers = new String[n];
    for (int i = 0; i < n; i++) {
      IdLink link = links.get(i);
      crmIds[i] = link.crmId();
      remoteIds[i] = link.remoteId();
      changeKeys[i] = link.changeKey();
      versions[i] = link.crmVersion();
      containers[i] = link.container().isEmpty() ? null : link.container();
    }
    try (PreparedStatement ps = c.prepareStatement(LINK_INSERT_FROM_ARRAYS)) {
      ps.setLong(1, scope);
      ps.setArray(2, c.createArrayOf("varchar", crmIds));
      ps.setArray(3, c.createArrayOf("varchar", remoteIds));
      ps.setArray(4, c.createArrayOf("varchar", changeKeys));
      ps.setArray(5, c.createArrayOf("bigint", versions));
      ps.setArray(6, c.createArrayOf("varchar", containers));
      ps.executeUpdate();
    }
  }

  /** One multi-row insert; Oracle (no multi-row VALUES before 23c) gets a JDBC batch instead. */
  private void insertLinks(Connection c, long scope, List<IdLink> links) throws SQLException {
    String columns = "INSERT INTO " + LINK_TABLE + " (scope_id, crm_id, remote_id, change_key,"
        + " crm_version, container_id) VALUES ";
    String row = "(?, ?, ?, ?, ?, ?)";
    boolean multiRow = dialect != JdbcDialect.ORACLE;
    String sql = multiRow ? columns + String.join(", ", Collections.nCopies(links.size(), row)) : columns + row;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int p = 0;
      for (IdLink link : links) {
        ps.setLong(++p, scope);
        linkColumns.bind(ps, ++p, link.crmId());
        linkColumns.bind(ps, ++p, link.remoteId());
        linkColumns.bind(ps, ++p, link.changeKey());
        ps.setLong(++p, link.crmVersion());
        linkColumns.bind(ps, ++p, link.container().isEmpty() ? null : link.container());
        if (!multiRow) {
          ps.addBatch();
          p = 0;
        }
      }
      if (multiRow) {
        ps.executeUpdate();
      } else {
        ps.executeBatch();
      }
    }
  }

  /** One query per {@value #LINK_CHUNK} remote ids. */
  @Override
  public Map<String, IdLink> linksByRemoteIds(MailboxId mailbox, Resource resource, Collection<String> remoteIds) {
    Checks.requireNonNull(resource, "resource");
    String key = key(mailbox);
    List<String> ids = List.copyOf(remoteIds);
    Map<String, IdLink> found = new HashMap<>();
    if (ids.isEmpty()) {
      return found;
    }
    return jdbc.read("linksByRemoteIds", mailbox, c -> {
      Long scope = scopeId(c, key, resource);
      if (scope == null) {
        return found;
      }
      for (int from = 0; from < ids.size(); from += LINK_CHUNK) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + LINK_CHUNK));
        try (PreparedStatement ps = c.prepareStatement("SELECT " + LINK_COLUMNS
            + " FROM " + LINK_TABLE + " WHERE " + byIds("remote_id", chunk.size()))) {
          bindIds(ps, scope, chunk);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              IdLink link = linkFrom(rs, mailbox, resource);
              found.put(link.remoteId(), link);
            }
          }
        }
      }
      return found;
    });
  }

  @Override
  public void removeLink(MailboxId mailbox, Resource resource, String crmId, long fence) {
    Checks.requireNonNull(resource, "resource");
    Checks.requireNonNull(crmId, "crmId");
    String key = key(mailbox);
    jdbc.tx("removeLink", mailbox, c -> {
      checkFence(c, mailbox, key, fence);
      removeLinks(c, key, Map.of(resource, List.of(crmId)), new EnumMap<>(Resource.class));
      return null;
    });
  }

  // ---------------------------------------------------------------- token cache

  @Override
  public Optional<byte[]> tokenCache(MailboxId mailbox) {
    String key = key(mailbox);
    return jdbc.read("tokenCache", mailbox, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT cache_blob FROM m365sync_token_cache WHERE mailbox_key = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.ofNullable(rs.getBytes(1)) : Optional.<byte[]>empty();
        }
      }
    });
  }

  @Override
  public void putTokenCache(MailboxId mailbox, byte[] blob) {
    String key = key(mailbox);
    Checks.requireNonNull(blob, "blob");
    byte[] copy = blob.clone();
    jdbc.tx("putTokenCache", mailbox, c -> {
      int updated;
      try (PreparedStatement ps = c.prepareStatement("UPDATE m365sync_token_cache SET cache_blob = ? WHERE mailbox_key = ?")) {
        Jdbc.setBlob(ps, 1, copy);
        ps.setString(2, key);
        updated = ps.executeUpdate();
      }
      if (updated == 0) {
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO m365sync_token_cache (cache_blob, mailbox_key) VALUES (?, ?)")) {
          Jdbc.setBlob(ps, 1, copy);
          ps.setString(2, key);
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  // ---------------------------------------------------------------- run history

  @Override
  public void recordRun(RunRecord run) {
    checkRun(run);
    jdbc.tx("recordRun", run.mailbox(), c -> {
      writeRun(c, run);
      return null;
    });
  }

  private static void checkRun(RunRecord run) {
    Checks.requireNonNull(run, "run");
    checkText(run.errorCode(), CODE_MAX, "errorCode");
  }

  /** Appends the run, numbered after the newest kept; with a full history the oldest kept one goes. */
  private static void writeRun(Connection c, RunRecord run) throws SQLException {
    String key = key(run.mailbox());
    // the kept runs, newest first: the newest's number gives this run's; with a full history, the
    // oldest of them goes (and anything older) once this one is in
    long previous = 0;
    long oldestToDelete = -1;
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT id, run_number FROM m365sync_run WHERE mailbox_key = ? ORDER BY id DESC")) {
      ps.setMaxRows(RUNS_KEPT);
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        int n = 0;
        while (rs.next()) {
          if (++n == 1) {
            previous = rs.getLong(2);
          }
          if (n == RUNS_KEPT) {
            oldestToDelete = rs.getLong(1);
          }
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO m365sync_run (mailbox_key, started_at, finished_at,"
        + " auth_mode, status, applied, error_code, run_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, key);
      Jdbc.setInstant(ps, 2, run.startedAt());
      Jdbc.setInstant(ps, 3, run.finishedAt());
      ps.setString(4, Jdbc.name(run.mode()));
      ps.setString(5, Jdbc.name(run.status()));
      ps.setInt(6, run.applied());
      ps.setString(7, run.errorCode());
      ps.setLong(8, previous + 1);
      ps.executeUpdate();
    }
    if (oldestToDelete >= 0) {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM m365sync_run WHERE mailbox_key = ? AND id <= ?")) {
        ps.setString(1, key);
        ps.setLong(2, oldestToDelete);
        ps.executeUpdate();
      }
    }
  }

  @Override
  public int runsKept() {
    return RUNS_KEPT;
  }

  /** The newest row's number: rows are deleted oldest first, so it counts the deleted ones too. */
  @Override
  public long runCount(MailboxId mailbox) {
    String key = key(mailbox);
    return jdbc.read("runCount", mailbox, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT run_number FROM m365sync_run WHERE mailbox_key = ? ORDER BY id DESC")) {
        ps.setMaxRows(1);
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0L;
        }
      }
    });
  }

  @Override
  public List<RunRecord> runs(MailboxId mailbox, int limit) {
    String key = key(mailbox);
    Checks.requireAtLeast(limit, 0, "limit");
    if (limit == 0) {
      return List.of();
    }
    return jdbc.read("runs", mailbox, c -> {
      List<RunRecord> result = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT started_at, finished_at, auth_mode, status, applied,"
          + " error_code FROM m365sync_run WHERE mailbox_key = ? ORDER BY id DESC")) {
        ps.setMaxRows(limit);
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            result.add(new RunRecord(mailbox, Jdbc.getInstant(rs, "started_at"), Jdbc.getInstant(rs, "finished_at"),
                Jdbc.getEnum(rs, "auth_mode", AuthMode.class), Jdbc.getEnum(rs, "status", MailboxStatus.class),
                rs.getInt("applied"), rs.getString("error_code")));
          }
        }
      }
      return List.copyOf(result);
    });
  }

  // ---------------------------------------------------------------- access audit

  @Override
  public void endEnrollmentPeriod(MailboxId mailbox, Instant at) {
    String key = key(mailbox);
    Checks.requireNonNull(at, "at");
    jdbc.tx("endEnrollmentPeriod", mailbox, c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE m365sync_enrollment_period SET unenrolled_at = ?"
          + " WHERE mailbox_key = ? AND unenrolled_at IS NULL")) {
        Jdbc.setInstant(ps, 1, at);
        ps.setString(2, key);
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public List<EnrollmentPeriod> enrollmentPeriods(Instant from, Instant to) {
    return periods(null, from, to);
  }

  @Override
  public List<EnrollmentPeriod> enrollmentPeriods(MailboxId mailbox, Instant from, Instant to) {
    Checks.requireNonNull(mailbox, "mailbox");
    return periods(List.of(mailbox), from, to); // an index seek on (mailbox_key, unenrolled_at)
  }

  /** One query per {@value #LINK_CHUNK} mailboxes, an index seek on (mailbox_key, unenrolled_at) each. */
  @Override
  public Map<MailboxId, List<EnrollmentPeriod>> enrollmentPeriods(Collection<MailboxId> mailboxes, Instant from,
                                                                Instant to) {
    Checks.requireNonNull(mailboxes, "mailboxes");
    Map<MailboxId, List<EnrollmentPeriod>> periods = new HashMap<>();
    mailboxes.forEach(m -> periods.put(m, new ArrayList<>()));
    List<MailboxId> ids = List.copyOf(periods.keySet());
    for (int start = 0; start < ids.size(); start += LINK_CHUNK) {
      for (EnrollmentPeriod p : periods(ids.subList(start, Math.min(ids.size(), start + LINK_CHUNK)), from, to)) {
        periods.computeIfAbsent(p.mailbox(), m -> new ArrayList<>()).add(p);
      }
    }
    periods.replaceAll((m, list) -> List.copyOf(list));
    return periods;
  }

  /** The periods of {@code mailboxes} (null: every mailbox's) that share an instant with [from, to], oldest first. */
  private List<EnrollmentPeriod> periods(List<MailboxId> mailboxes, Instant from, Instant to) {
    Checks.requireNonNull(from, "from");
    Checks.requireNonNull(to, "to");
    if (mailboxes != null && mailboxes.isEmpty()) {
      return List.of();
    }
    MailboxId named = mailboxes != null && mailboxes.size() == 1 ? mailboxes.get(0) : null;
    return jdbc.read("enrollmentPeriods", named, c -> {
      List<EnrollmentPeriod> result = new ArrayList<>();
      String keys = mailboxes == null ? ""
          : "mailbox_key IN (" + String.join(", ", Collections.nCopies(mailboxes.size(), "?")) + ") AND ";
      try (PreparedStatement ps = c.prepareStatement("SELECT mailbox_key, enrolled_at, unenrolled_at"
          + " FROM m365sync_enrollment_period WHERE " + keys
          + "enrolled_at <= ? AND (unenrolled_at IS NULL OR unenrolled_at >= ?) ORDER BY id")) {
        int i = 1;
        for (MailboxId m : mailboxes == null ? List.<MailboxId>of() : mailboxes) {
          ps.setString(i++, key(m));
        }
        Jdbc.setInstant(ps, i++, to);
        Jdbc.setInstant(ps, i, from);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            result.add(new EnrollmentPeriod(parseKey(rs.getString("mailbox_key")), Jdbc.getInstant(rs, "enrolled_at"),
                Jdbc.getInstant(rs, "unenrolled_at")));
          }
        }
      }
      return List.copyOf(result);
    });
  }

  @Override
  public void recordAccess(AccessRecord record) {
    Checks.requireNonNull(record, "record");
    recordAccess(List.of(record));
  }

  /** One transaction for all of them: an idle cycle's {@code $batch} commits once, not once per mailbox-resource. */
  @Override
  public void recordAccess(List<AccessRecord> records) {
    Checks.requireNonNull(records, "records");
    for (AccessRecord record : records) {
      Checks.requireNonNull(record, "record");
      checkText(record.errorCode(), CODE_MAX, "errorCode");
    }
    if (records.isEmpty()) {
      return;
    }
    // rows updated in one order on every node, so two nodes' batches wait for each other instead of deadlocking;
    // the sort is stable, so a mailbox-resource's records keep their order
    List<AccessRecord> ordered = new ArrayList<>(records);
    ordered.sort(Comparator.comparing((AccessRecord r) -> key(r.mailbox())).thenComparing(AccessRecord::resource));
    // a mailbox-resource's later record folds into what its earlier one wrote: written in a later wave
    List<List<AccessRecord>> waves = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (AccessRecord record : ordered) {
      int wave = seen.merge(key(record.mailbox()) + "/" + record.resource(), 1, Integer::sum) - 1;
      if (wave == waves.size()) {
        waves.add(new ArrayList<>());
      }
      waves.get(wave).add(record);
    }
    jdbc.tx("recordAccess", records.size() == 1 ? records.get(0).mailbox() : null, c -> {
      for (List<AccessRecord> wave : waves) {
        if (wave.size() == 1) {
          writeAccess(c, wave.get(0)); // a round's record: two index seeks, no grouping to pay for
        } else {
          writeAccess(c, wave);
        }
      }
      return null;
    });
  }

  /**
   * Records of distinct mailbox-resources, each folded into its mailbox-resource's newest record when it
   * coalesces with it and the open enrollment period began before both, else a row of its own. Their
   * mailboxes' open periods and their newest records are read in one query per {@value #LINK_CHUNK},
   * then the folds and the new rows go as one JDBC batch each: a few round trips for all, not three per
   * record.
   */
  private static void writeAccess(Connection c, List<AccessRecord> ordered) throws SQLException {
    List<String> mailboxes = ordered.stream().map(r -> key(r.mailbox())).distinct().toList();
    Map<String, Instant> enrolledAt = new HashMap<>();
    byKeys(c, mailboxes, in -> "SELECT mailbox_key, enrolled_at FROM m365sync_enrollment_period WHERE " + in
        + " AND unenrolled_at IS NULL", rs -> {
          while (rs.next()) {
            enrolledAt.put(rs.getString(1), Jdbc.getInstant(rs, "enrolled_at"));
          }
        });
    Map<String, Long> newestIds = new HashMap<>();
    Map<String, AccessRecord> newest = new HashMap<>();
    for (int from = 0; from < ordered.size(); from += LINK_CHUNK) {
      List<AccessRecord> chunk = ordered.subList(from, Math.min(ordered.size(), from + LINK_CHUNK));
      try (PreparedStatement ps = c.prepareStatement("SELECT id, mailbox_key, resource_name, started_at, finished_at,"
          + " outcome, requests, error_code, rounds FROM m365sync_access_audit WHERE id IN (SELECT MAX(id)"
          + " FROM m365sync_access_audit WHERE (mailbox_key, resource_name) IN ("
          + String.join(", ", Collections.nCopies(chunk.size(), "(?, ?)"))
          + ") GROUP BY mailbox_key, resource_name)")) {
        int p = 1;
        for (AccessRecord r : chunk) {
          ps.setString(p++, key(r.mailbox()));
          ps.setString(p++, r.resource().name());
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String pair = rs.getString("mailbox_key") + "/" + rs.getString("resource_name");
            newestIds.put(pair, rs.getLong("id"));
            newest.put(pair, accessFrom(rs, parseKey(rs.getString("mailbox_key")),
                Jdbc.getEnum(rs, "resource_name", Resource.class)));
          }
        }
      }
    }
    List<AccessRecord> folds = new ArrayList<>();
    List<Long> foldInto = new ArrayList<>();
    List<AccessRecord> inserts = new ArrayList<>();
    for (AccessRecord record : ordered) {
      String pair = key(record.mailbox()) + "/" + record.resource().name();
      if (folds(enrolledAt.get(key(record.mailbox())), newest.get(pair), record)) {
        folds.add(record);
        foldInto.add(newestIds.get(pair));
      } else {
        inserts.add(record);
      }
    }
    if (!folds.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(FOLD_ACCESS)) {
        for (int i = 0; i < folds.size(); i++) {
          bindFold(ps, folds.get(i), foldInto.get(i));
          ps.addBatch();
        }
        int[] counts = ps.executeBatch();
        for (int i = 0; i < counts.length; i++) {
          if (counts[i] == 0) {
            inserts.add(folds.get(i)); // its row was pruned meanwhile: a row of its own
          }
        }
      }
    }
    if (!inserts.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(INSERT_ACCESS)) {
        for (AccessRecord record : inserts) {
          bindInsert(ps, record);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
  }

  /** One record, folded into its mailbox-resource's newest record when {@link #folds}, else a row of its own. */
  private static void writeAccess(Connection c, AccessRecord record) throws SQLException {
    String key = key(record.mailbox());
    Instant enrolledAt = null;
    try (PreparedStatement ps = c.prepareStatement("SELECT enrolled_at FROM m365sync_enrollment_period"
        + " WHERE mailbox_key = ? AND unenrolled_at IS NULL")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          enrolledAt = Jdbc.getInstant(rs, "enrolled_at");
        }
      }
    }
    if (enrolledAt != null && !enrolledAt.isAfter(record.startedAt())) {
      long id = 0;
      AccessRecord newest = null;
      try (PreparedStatement ps = c.prepareStatement("SELECT id, started_at, finished_at, outcome, requests,"
          + " error_code, rounds FROM m365sync_access_audit WHERE mailbox_key = ? AND resource_name = ?"
          + " ORDER BY id DESC")) {
        ps.setMaxRows(1);
        ps.setString(1, key);
        ps.setString(2, record.resource().name());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            id = rs.getLong("id");
            newest = accessFrom(rs, record.mailbox(), record.resource());
          }
        }
      }
      if (folds(enrolledAt, newest, record)) {
        try (PreparedStatement ps = c.prepareStatement(FOLD_ACCESS)) {
          bindFold(ps, record, id);
          if (ps.executeUpdate() == 1) {
            return;
          }
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT_ACCESS)) {
      bindInsert(ps, record);
      ps.executeUpdate();
    }
  }

  /** The access record of the current row, of {@code mailbox}'s {@code resource}. */
  private static AccessRecord accessFrom(ResultSet rs, MailboxId mailbox, Resource resource) throws SQLException {
    return new AccessRecord(mailbox, resource, Jdbc.getInstant(rs, "started_at"), Jdbc.getInstant(rs, "finished_at"),
        Jdbc.getEnum(rs, "outcome", AccessRecord.Outcome.class), rs.getInt("requests"), rs.getString("error_code"),
        rs.getInt("rounds"));
  }

  /**
   * Whether {@code record} folds into its mailbox-resource's {@code newest} record (null: none): they
   * coalesce, and the mailbox's open enrollment period (null: none) began before both.
   */
  private static boolean folds(Instant enrolledAt, AccessRecord newest, AccessRecord record) {
    return enrolledAt != null && newest != null && !enrolledAt.isAfter(record.startedAt())
        && newest.coalescesWith(record) && !enrolledAt.isAfter(newest.startedAt());
  }

  private static final String INSERT_ACCESS = "INSERT INTO m365sync_access_audit (mailbox_key, resource_name,"
      + " started_at, finished_at, outcome, requests, error_code, rounds) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

  // counts added and the span widened in the row itself: a concurrent fold is never lost
  private static final String FOLD_ACCESS = "UPDATE m365sync_access_audit SET requests = requests + ?,"
      + " rounds = rounds + ?, started_at = CASE WHEN started_at > ? THEN ? ELSE started_at END,"
      + " finished_at = CASE WHEN finished_at < ? THEN ? ELSE finished_at END WHERE id = ?";

  private static void bindInsert(PreparedStatement ps, AccessRecord record) throws SQLException {
    ps.setString(1, key(record.mailbox()));
    ps.setString(2, record.resource().name());
    Jdbc.setInstant(ps, 3, record.startedAt());
    Jdbc.setInstant(ps, 4, record.finishedAt());
    ps.setString(5, record.outcome().name());
    ps.setInt(6, record.requests());
    ps.setString(7, record.errorCode());
    ps.setInt(8, record.rounds());
  }

  private static void bindFold(PreparedStatement ps, AccessRecord record, long id) throws SQLException {
    ps.setInt(1, record.requests());
    ps.setInt(2, record.rounds());
    Jdbc.setInstant(ps, 3, record.startedAt());
    Jdbc.setInstant(ps, 4, record.startedAt());
    Jdbc.setInstant(ps, 5, record.finishedAt());
    Jdbc.setInstant(ps, 6, record.finishedAt());
    ps.setLong(7, id);
  }

  @Override
  public List<AccessRecord> accessRecords(Instant from, Instant to) {
    Checks.requireNonNull(from, "from");
    Checks.requireNonNull(to, "to");
    return jdbc.read("accessRecords", null, c -> {
      List<AccessRecord> result = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT mailbox_key, resource_name, started_at, finished_at,"
          + " outcome, requests, error_code, rounds FROM m365sync_access_audit WHERE finished_at >= ? AND started_at < ?"
          + " ORDER BY started_at, id")) {
        Jdbc.setInstant(ps, 1, from);
        Jdbc.setInstant(ps, 2, to);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            result.add(accessFrom(rs, parseKey(rs.getString("mailbox_key")),
                Jdbc.getEnum(rs, "resource_name", Resource.class)));
          }
        }
      }
      return List.copyOf(result);
    });
  }

  @Override
  public int pruneAccessAudit(Instant cutoff) {
    Checks.requireNonNull(cutoff, "cutoff");
    return jdbc.tx("pruneAccessAudit", null, c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM m365sync_enrollment_period WHERE unenrolled_at < ?")) {
        Jdbc.setInstant(ps, 1, cutoff);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM m365sync_access_audit WHERE finished_at < ?")) {
        Jdbc.setInstant(ps, 1, cutoff);
        return ps.executeUpdate();
      }
    });
  }

  // ---------------------------------------------------------------- subscriptions

  private static final String SUBSCRIPTION_TABLE = "m365sync_subscription";
  private static final String SUBSCRIPTION_SELECT = "SELECT subscription_id, mailbox_key, resource_name, container_id,"
      + " client_state_hash, expires_at, auth_mode FROM " + SUBSCRIPTION_TABLE;
  /** Both lists' order (the expiry index's): soonest expiry first, ties by id. */
  private static final String BY_EXPIRY = " ORDER BY expires_at, subscription_id";

  private static Subscription subscriptionFrom(ResultSet rs) throws SQLException {
    return new Subscription(rs.getString("subscription_id"), parseKey(rs.getString("mailbox_key")),
        Jdbc.getEnum(rs, "resource_name", Resource.class), rs.getString("container_id"),
        rs.getString("client_state_hash"), Jdbc.getInstant(rs, "expires_at"),
        Jdbc.getEnum(rs, "auth_mode", AuthMode.class));
  }

  @Override
  public void putSubscription(Subscription subscription) {
    Checks.requireNonNull(subscription, "subscription");
    String key = key(subscription.mailbox());
    checkText(subscription.id(), ID_MAX, "id");
    checkText(subscription.container(), REMOTE_MAX, "container");
    jdbc.tx("putSubscription", subscription.mailbox(), c -> {
      int updated;
      try (PreparedStatement ps = c.prepareStatement("UPDATE " + SUBSCRIPTION_TABLE + " SET mailbox_key = ?,"
          + " resource_name = ?, container_id = ?, client_state_hash = ?, expires_at = ?, auth_mode = ?"
          + " WHERE subscription_id = ?")) {
        updated = bindSubscription(ps, key, subscription).executeUpdate();
      }
      if (updated == 0) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + SUBSCRIPTION_TABLE + " (mailbox_key,"
            + " resource_name, container_id, client_state_hash, expires_at, auth_mode, subscription_id)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
          bindSubscription(ps, key, subscription).executeUpdate();
        }
      }
      return null;
    });
  }

  private static PreparedStatement bindSubscription(PreparedStatement ps, String key, Subscription s)
      throws SQLException {
    ps.setString(1, key);
    ps.setString(2, s.resource().name());
    ps.setString(3, s.container().isEmpty() ? null : s.container());
    ps.setString(4, s.clientStateHash());
    Jdbc.setInstant(ps, 5, s.expiresAt());
    ps.setString(6, s.mode().name());
    ps.setString(7, s.id());
    return ps;
  }

  @Override
  public Optional<Subscription> subscription(String id) {
    Checks.requireNonNull(id, "id");
    return selectOne("subscription", null, SUBSCRIPTION_SELECT + " WHERE subscription_id = ?", SUBSCRIPTION_TABLE, id,
        JdbcSyncStateStore::subscriptionFrom);
  }

  @Override
  public List<Subscription> subscriptions(MailboxId mailbox, Consumer<UnreadableRow> onUnreadable) {
    String key = key(mailbox);
    Checks.requireNonNull(onUnreadable, "onUnreadable");
    return jdbc.read("subscriptions", mailbox, c -> {
      try (PreparedStatement ps = c.prepareStatement(SUBSCRIPTION_SELECT + " WHERE mailbox_key = ?" + BY_EXPIRY)) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          return Rows.all(rs, SUBSCRIPTION_TABLE, "subscription_id", JdbcSyncStateStore::subscriptionFrom);
        }
      }
    }).reportTo(onUnreadable);
  }

  @Override
  public List<Subscription> subscriptionsExpiringBefore(Instant cutoff, Consumer<UnreadableRow> onUnreadable) {
    Checks.requireNonNull(cutoff, "cutoff");
    Checks.requireNonNull(onUnreadable, "onUnreadable");
    return jdbc.read("subscriptionsExpiringBefore", null, c -> {
      try (PreparedStatement ps = c.prepareStatement(SUBSCRIPTION_SELECT + " WHERE expires_at < ?" + BY_EXPIRY)) {
        Jdbc.setInstant(ps, 1, cutoff);
        try (ResultSet rs = ps.executeQuery()) {
          return Rows.all(rs, SUBSCRIPTION_TABLE, "subscription_id", JdbcSyncStateStore::subscriptionFrom);
        }
      }
    }).reportTo(onUnreadable);
  }

  @Override
  public void removeSubscription(String id) {
    Checks.requireNonNull(id, "id");
    jdbc.tx("removeSubscription", null, c -> update(c, "DELETE FROM " + SUBSCRIPTION_TABLE + " WHERE subscription_id = ?", id));
  }

  // ---------------------------------------------------------------- dirty marks

  private static final String DIRTY_TABLE = "m365sync_dirty_mark";

  /**
   * Locks the enrollment row first (shared on PostgreSQL, so nodes marking one mailbox do not wait
   * for each other): without it there is nothing to mark, and a {@link #purge}, which deletes that
   * row before the marks, either waits for this mark and deletes it or has already left no row to
   * lock. Then update, else insert: {@code GREATEST} runs on the row as it is when the update gets
   * its lock, so of two nodes marking the same key the later instant wins and {@code renew} is
   * ORed; two first inserts collide on the key and the loser is retried as an update.
   */
  @Override
  public void markDirty(MailboxId mailbox, Resource resource, Instant at, boolean renew) {
    String key = key(mailbox);
    Checks.requireNonNull(resource, "resource");
    Checks.requireNonNull(at, "at");
    int flag = renew ? 1 : 0;
    String lock = dialect == JdbcDialect.POSTGRESQL ? " FOR SHARE" : " FOR UPDATE";
    jdbc.tx("markDirty", mailbox, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + MAILBOX_TABLE + " WHERE mailbox_key = ?" + lock)) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return null;
          }
        }
      }
      // both statements take the same four values in the same order
      String update = "UPDATE " + DIRTY_TABLE + " SET marked_at = GREATEST(marked_at, ?), renew = GREATEST(renew, ?)"
          + " WHERE mailbox_key = ? AND resource_name = ?";
      String insert = "INSERT INTO " + DIRTY_TABLE + " (marked_at, renew, mailbox_key, resource_name) VALUES (?, ?, ?, ?)";
      if (dirtyRow(c, update, at, flag, key, resource) == 0) {
        dirtyRow(c, insert, at, flag, key, resource);
      }
      return null;
    });
  }

  private static int dirtyRow(Connection c, String sql, Instant at, int renew, String key, Resource resource)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Jdbc.setInstant(ps, 1, at);
      ps.setInt(2, renew);
      ps.setString(3, key);
      ps.setString(4, resource.name());
      return ps.executeUpdate();
    }
  }

  /** A mark for a resource this version does not know (a newer node wrote it) is left for that node. */
  @Override
  public List<DirtyMark> dirtyMarks(MailboxId mailbox) {
    String key = key(mailbox);
    return jdbc.read("dirtyMarks", mailbox, c -> {
      List<DirtyMark> marks = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT resource_name, marked_at, renew FROM " + DIRTY_TABLE + " WHERE mailbox_key = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Optional<Resource> resource = knownResource(rs.getString("resource_name"));
            if (resource.isPresent()) {
              marks.add(new DirtyMark(mailbox, resource.get(), Jdbc.getInstant(rs, "marked_at"), rs.getInt("renew") != 0));
            }
          }
        }
      }
      marks.sort((a, b) -> a.resource().compareTo(b.resource()));
      return List.copyOf(marks);
    });
  }

  private static Optional<Resource> knownResource(String name) {
    for (Resource r : Resource.values()) {
      if (r.name().equals(name)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** One statement: the row goes only if its instant is not after {@code upTo}, as the database sees it then. */
  @Override
  public void clearDirty(MailboxId mailbox, Resource resource, Instant upTo) {
    String key = key(mailbox);
    Checks.requireNonNull(resource, "resource");
    Checks.requireNonNull(upTo, "upTo");
    jdbc.tx("clearDirty", mailbox, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM " + DIRTY_TABLE + " WHERE mailbox_key = ? AND resource_name = ? AND marked_at <= ?")) {
        ps.setString(1, key);
        ps.setString(2, resource.name());
        Jdbc.setInstant(ps, 3, upTo);
        return ps.executeUpdate();
      }
    });
  }

  // ---------------------------------------------------------------- helpers

  /** The one row {@code sql} (with one {@code ?}, bound to {@code key}) finds, read as {@link Rows#one} reads it. */
  private <T> Optional<T> selectOne(String op, MailboxId mailbox, String sql, String table, String key,
                                    Rows.Reader<T> reader) {
    return jdbc.read(op, mailbox, c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(Rows.one(rs, table, key, mailbox, reader)) : Optional.<T>empty();
        }
      }
    });
  }

  private static String key(MailboxId mailbox) {
    Checks.requireNonNull(mailbox, "mailbox");
    String key = mailbox.key();
    if (key.length() > KEY_MAX) {
      throw new IllegalArgumentException("mailbox key 'tenant/userObjectId' must be at most " + KEY_MAX
          + " characters for m365sync-jdbc but was " + key.length() + " characters long");
    }
    return key;
  }

  private static MailboxId parseKey(String key) {
    int slash = key.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("mailbox key '" + key + "' has no '/' between tenant and user object id");
    }
    return MailboxId.of(key.substring(0, slash), key.substring(slash + 1));
  }

  /**
   * A text value fits its column: at most {@code max} characters, and no unpaired UTF-16 surrogate,
   * which UTF-8 cannot hold (the drivers, and H2's link ids, write text as UTF-8: a '?' would be stored
   * in its place, and an id would come back as another one).
   */
  private static void checkText(String value, int max, String name) {
    if (value == null) {
      return;
    }
    if (value.length() > max) {
      throw new IllegalArgumentException("'" + name + "' must be at most " + max
          + " characters for m365sync-jdbc but was " + value.length() + " characters long");
    }
    Checks.requireWellFormed(value, name);
  }

  private static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      return ps.executeUpdate();
    }
  }

  @Override
  public String toString() {
    return "JdbcSyncStateStore[" + dialect + "]";
  }
}

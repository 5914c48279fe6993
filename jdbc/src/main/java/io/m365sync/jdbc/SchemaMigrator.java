package io.m365sync.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a database to the schema this library needs: scripts {@code V<n>__<name>.sql} per dialect,
 * applied in order, each recorded in {@code m365sync_schema_version}. A database whose schema is
 * newer than the library is refused, never downgraded.
 *
 * <p>Versions need not be consecutive, and each one this library ships is applied unless the
 * database records it, whatever higher versions it records: a version added to the list below a
 * version a database already has (changes developed side by side) is still applied there.
 */
final class SchemaMigrator {
  private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);

  static final String VERSION_TABLE = "m365sync_schema_version";

  private record Migration(int version, String description) {
    String resource(JdbcDialect dialect) {
      return dialect.migrationFolder() + "V" + version + "__" + description + ".sql";
    }
  }

  /** Every migration this library ships, oldest first; the last one's version is the library's. */
  private static final List<Migration> MIGRATIONS = List.of(new Migration(1, "init"),
      new Migration(2, "link_container"), new Migration(3, "status_monitor"),
      new Migration(4, "access_audit"), new Migration(5, "subscriptions"),
      new Migration(6, "dirty_marks"), new Migration(7, "compact_link_keys"),
      new Migration(8, "run_count"), new Migration(9, "audit_rounds"), new Migration(10, "link_ids_bytewise"),
      new Migration(11, "link_ids_as_bytes"), new Migration(12, "link_scopes"),
      new Migration(13, "fences_checked_not_stored"));

  static final int LIBRARY_VERSION = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

  /** An arbitrary constant key for PostgreSQL's advisory lock, so concurrent nodes migrate one at a time. */
  private static final long PG_LOCK_KEY = 0x6d333635_73796e63L;

  private SchemaMigrator() {}

  static JdbcDialect detect(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      return JdbcDialect.fromProductName(c.getMetaData().getDatabaseProductName());
    } catch (SQLException e) {
      throw JdbcStateException.wrap("detecting the database product", null, e);
    }
  }

  /**
   * Migrates the schema to {@link #LIBRARY_VERSION} if needed.
   *
   * @return the schema version the database had before
   * @throws SchemaVersionException if the database is newer than the library or a migration fails
   */
  static int migrate(DataSource dataSource, JdbcDialect dialect) {
    int before;
    Set<Integer> installed;
    try (Connection c = dataSource.getConnection()) {
      before = currentVersion(c, dialect);
      installed = installedVersions(c, dialect);
    } catch (SQLException e) {
      throw JdbcStateException.wrap("reading the m365sync schema version", null, e);
    }
    refuseNewer(before);
    for (Migration m : MIGRATIONS) {
      if (!installed.contains(m.version())) {
        apply(dataSource, dialect, m);
      }
    }
    return before;
  }

  private static void refuseNewer(int found) {
    if (found > LIBRARY_VERSION) {
      throw new SchemaVersionException("The m365sync database schema is at version " + found
          + ", newer than this m365sync-jdbc library supports (schema version " + LIBRARY_VERSION
          + "). Upgrade m365sync-jdbc on every node, or point it at another database; nothing was changed.",
          found, LIBRARY_VERSION, null);
    }
  }

  private static void apply(DataSource dataSource, JdbcDialect dialect, Migration m) {
    String script = load(m.resource(dialect));
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        if (dialect == JdbcDialect.POSTGRESQL) {
          // PostgreSQL runs DDL in the transaction: hold a lock so only one node migrates
          try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, PG_LOCK_KEY);
            ps.execute();
          }
        }
        refuseNewer(currentVersion(c, dialect));
        if (installedVersions(c, dialect).contains(m.version())) {
          c.commit();
          return; // another node got there first
        }
        if (!tableExists(c, dialect, VERSION_TABLE)) {
          execute(c, "CREATE TABLE " + VERSION_TABLE + " (version INT NOT NULL PRIMARY KEY,"
              + " description VARCHAR(200) NOT NULL, installed_at TIMESTAMP WITH TIME ZONE NOT NULL)");
        }
        for (String statement : statements(script)) {
          execute(c, statement);
        }
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO " + VERSION_TABLE + " (version, description, installed_at) VALUES (?, ?, ?)")) {
          ps.setInt(1, m.version());
          ps.setString(2, m.description());
          Jdbc.setInstant(ps, 3, Instant.now());
          ps.executeUpdate();
        }
        c.commit();
        log.info("m365sync-jdbc: migrated the {} schema to version {} ({})", dialect, m.version(), m.description());
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      if (installedAfterFailure(dataSource, dialect).contains(m.version())) {
        return; // a concurrent node migrated while we tried (DDL auto-commits on H2 and Oracle)
      }
      int found = versionAfterFailure(dataSource, dialect);
      throw new SchemaVersionException("Migrating the m365sync " + dialect + " schema to version " + m.version()
          + " (" + m.description() + ") failed; the database is at version " + found + ": SQLState "
          + e.getSQLState() + ": " + e.getMessage(), found, LIBRARY_VERSION, e);
    }
  }

  private static int versionAfterFailure(DataSource dataSource, JdbcDialect dialect) {
    try (Connection c = dataSource.getConnection()) {
      return currentVersion(c, dialect);
    } catch (SQLException e) {
      return 0;
    }
  }

  private static Set<Integer> installedAfterFailure(DataSource dataSource, JdbcDialect dialect) {
    try (Connection c = dataSource.getConnection()) {
      return installedVersions(c, dialect);
    } catch (SQLException e) {
      return Set.of();
    }
  }

  /** Every recorded schema version; empty if the database has no m365sync schema. */
  static Set<Integer> installedVersions(Connection c, JdbcDialect dialect) throws SQLException {
    Set<Integer> versions = new HashSet<>();
    if (tableExists(c, dialect, VERSION_TABLE)) {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version FROM " + VERSION_TABLE)) {
        while (rs.next()) {
          versions.add(rs.getInt(1));
        }
      }
    }
    return versions;
  }

  /** The highest recorded schema version; 0 if the database has no m365sync schema. */
  static int currentVersion(Connection c, JdbcDialect dialect) throws SQLException {
    if (!tableExists(c, dialect, VERSION_TABLE)) {
      return 0;
    }
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + VERSION_TABLE)) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  static boolean tableExists(Connection c, JdbcDialect dialect, String table) throws SQLException {
    // unquoted identifiers fold to upper case on H2 and Oracle, to lower case on PostgreSQL
    String name = dialect == JdbcDialect.POSTGRESQL ? table.toLowerCase(Locale.ROOT) : table.toUpperCase(Locale.ROOT);
    DatabaseMetaData md = c.getMetaData();
    try (ResultSet rs = md.getTables(c.getCatalog(), c.getSchema(), name, new String[] {"TABLE"})) {
      return rs.next();
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Splits a script on semicolons that end a line; drops {@code --} comment lines. */
  static List<String> statements(String script) {
    List<String> result = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\r?\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      if (trimmed.endsWith(";")) {
        current.append(trimmed, 0, trimmed.length() - 1);
        result.add(current.toString());
        current.setLength(0);
      } else {
        current.append(trimmed).append('\n');
      }
    }
    if (!current.toString().isBlank()) {
      result.add(current.toString().strip());
    }
    return result;
  }

  private static String load(String resource) {
    try (InputStream in = SchemaMigrator.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("m365sync-jdbc migration script " + resource
            + " is missing from the classpath; the m365sync-jdbc jar is incomplete");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read m365sync-jdbc migration script " + resource, e);
    }
  }
}

package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
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
          "m365sync_fence", "m365sync_cursor", "m365sync_item_map", "m365sync_token_cache", "m365sync_run",
          "m365sync_scheduled_tasks")) {
        assertThat(SchemaMigrator.tableExists(c, JdbcDialect.H2, table)).as(table).isTrue();
      }
      assertThat(SchemaMigrator.currentVersion(c, JdbcDialect.H2)).isEqualTo(1);
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
    for (JdbcDialect dialect : JdbcDialect.values()) {
      String resource = dialect.migrationFolder() + "V1__init.sql";
      try (var in = getClass().getClassLoader().getResourceAsStream(resource)) {
        assertThat(in).as(resource).isNotNull();
        List<String> statements = SchemaMigrator.statements(new String(in.readAllBytes()));
        assertThat(statements).as(resource).hasSize(13).allSatisfy(st -> assertThat(st).doesNotContain(";"));
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void dialectsAreDetectedFromTheProductNameAndOthersRefused() {
    assertThat(JdbcDialect.fromProductName("H2")).isEqualTo(JdbcDialect.H2);
    assertThat(JdbcDialect.fromProductName("PostgreSQL")).isEqualTo(JdbcDialect.POSTGRESQL);
    assertThat(JdbcDialect.fromProductName("Oracle")).isEqualTo(JdbcDialect.ORACLE);
    assertThatThrownBy(() -> JdbcDialect.fromProductName("Microsoft SQL Server"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Microsoft SQL Server' is not supported");
    assertThatThrownBy(() -> JdbcSyncStateStore.create(null)).hasMessageContaining("'dataSource' is required");
  }
}

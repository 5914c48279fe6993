package io.m365sync.jdbc;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.sql.DataSource;

/** The state-store contract and the JDBC extras on a real PostgreSQL server started by the test. */
class JdbcSyncStateStorePostgresTest extends AbstractJdbcStoreTest {
  @Override
  protected DataSource freshDataSource() {
    return TestDatabases.postgresSchema();
  }

  @Override
  protected JdbcDialect expectedDialect() {
    return JdbcDialect.POSTGRESQL;
  }

  @Override
  protected Instant stored(Instant instant) {
    return instant.plusNanos(500).truncatedTo(ChronoUnit.MICROS);
  }

  @Override
  protected String infiniteTimestamp() {
    return "'infinity'";
  }

  @Override
  protected String lockWaitersQuery() {
    return "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'";
  }
}

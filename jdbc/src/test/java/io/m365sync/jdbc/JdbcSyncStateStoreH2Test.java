package io.m365sync.jdbc;

import java.time.Instant;
import javax.sql.DataSource;

/** The state-store contract and the JDBC extras on H2 in memory. */
class JdbcSyncStateStoreH2Test extends AbstractJdbcStoreTest {
  @Override
  protected DataSource freshDataSource() {
    return TestDatabases.h2Memory();
  }

  @Override
  protected JdbcDialect expectedDialect() {
    return JdbcDialect.H2;
  }

  @Override
  protected Instant stored(Instant instant) {
    return instant;
  }

  @Override
  protected String infiniteTimestamp() {
    return "TIMESTAMP WITH TIME ZONE '999999999-12-31 23:59:59.999999999-18:00'";
  }

  @Override
  protected String lockWaitersQuery() {
    return "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL";
  }
}

package io.m365sync.jdbc;

import io.m365sync.Checks;
import java.util.Locale;

/**
 * The databases {@link JdbcSyncStateStore} and {@link DbSchedulerSyncScheduler} support. Each has
 * its own migration scripts under {@code io/m365sync/jdbc/migration/<dialect>/}.
 */
public enum JdbcDialect {
  /** H2 2.x: the embedded default. */
  H2("h2"),
  /** PostgreSQL 12 or newer. */
  POSTGRESQL("postgresql"),
  /** Oracle Database 12c or newer (identity columns). Empty strings read back as null there. */
  ORACLE("oracle");

  private final String folder;

  JdbcDialect(String folder) {
    this.folder = folder;
  }

  /** The resource folder holding this dialect's migrations. */
  String migrationFolder() {
    return "io/m365sync/jdbc/migration/" + folder + "/";
  }

  /**
   * The dialect for a JDBC {@code DatabaseMetaData.getDatabaseProductName()}.
   *
   * @throws IllegalArgumentException naming the product when it is not supported
   */
  public static JdbcDialect fromProductName(String productName) {
    Checks.requireText(productName, "productName");
    String p = productName.toLowerCase(Locale.ROOT);
    if (p.startsWith("h2")) {
      return H2;
    }
    if (p.startsWith("postgresql")) {
      return POSTGRESQL;
    }
    if (p.startsWith("oracle")) {
      return ORACLE;
    }
    throw new IllegalArgumentException("Database '" + productName
        + "' is not supported by m365sync-jdbc; supported: H2, PostgreSQL, Oracle");
  }
}

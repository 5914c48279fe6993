package io.m365sync.jdbc;

/**
 * The database holds an m365sync schema this library cannot use: newer than it knows (written by a
 * later release), or a migration failed. Nothing is written when this is thrown.
 */
public final class SchemaVersionException extends JdbcStateException {
  private static final long serialVersionUID = 1L;

  private final int databaseVersion;
  private final int libraryVersion;

  public SchemaVersionException(String message, int databaseVersion, int libraryVersion, Throwable cause) {
    super(message, null, false, cause);
    this.databaseVersion = databaseVersion;
    this.libraryVersion = libraryVersion;
  }

  /** The schema version found in the database; 0 when it has none. */
  public int databaseVersion() {
    return databaseVersion;
  }

  /** The newest schema version this library knows. */
  public int libraryVersion() {
    return libraryVersion;
  }
}

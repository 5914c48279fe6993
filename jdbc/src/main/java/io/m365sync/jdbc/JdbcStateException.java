package io.m365sync.jdbc;

import io.m365sync.M365SyncException;
import io.m365sync.MailboxId;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * The database failed a state-store or scheduler operation. {@link #retryable()} is true for
 * connection losses, deadlocks and serialization failures: nothing was committed, the same call may
 * succeed later. Messages name the operation, never values such as tokens or token caches.
 */
public class JdbcStateException extends M365SyncException {
  private static final long serialVersionUID = 1L;

  public JdbcStateException(String message, MailboxId mailbox, boolean retryable, Throwable cause) {
    super(message, null, mailbox, null, retryable, cause);
  }

  static JdbcStateException wrap(String operation, MailboxId mailbox, SQLException e) {
    return new JdbcStateException(subject(operation, mailbox) + " failed: " + describe(e), mailbox, isTransient(e), e);
  }

  /** How a message names what failed: the operation, and its mailbox if it has one. */
  static String subject(String operation, MailboxId mailbox) {
    return "m365sync-jdbc: " + operation + (mailbox == null ? "" : " for mailbox " + mailbox);
  }

  static boolean isTransient(SQLException e) {
    if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
      return true;
    }
    String state = e.getSQLState();
    // 08: connection exception; 40: transaction rollback (serialization failure, deadlock)
    return state != null && (state.startsWith("08") || state.startsWith("40"));
  }

  private static String describe(SQLException e) {
    return "SQLState " + e.getSQLState() + ", error " + e.getErrorCode() + ": " + e.getMessage();
  }
}

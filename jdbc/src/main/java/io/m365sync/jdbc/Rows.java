package io.m365sync.jdbc;

import io.m365sync.MailboxId;
import io.m365sync.state.UnreadableRow;
import io.m365sync.state.UnreadableStateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns rows into values one at a time, so that a row this version cannot read (an unknown enum
 * name, an infinite timestamp, a blank required value) is reported instead of failing every read
 * that meets it. A lost connection is no unreadable row: it is thrown as before.
 */
final class Rows {
  private Rows() {}

  /** Reads the current row of a result set. */
  @FunctionalInterface
  interface Reader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** What a list read found: the values and the rows that could not be read. */
  record Read<T>(List<T> values, List<UnreadableRow> unreadable) {
    /** Hands the unreadable rows to {@code onUnreadable} (outside the transaction) and returns the values. */
    List<T> reportTo(Consumer<UnreadableRow> onUnreadable) {
      unreadable.forEach(onUnreadable);
      return values;
    }
  }

  /**
   * The current row as a value.
   *
   * @throws UnreadableStateException if the row cannot be read
   */
  static <T> T one(ResultSet rs, String table, String key, MailboxId mailbox, Reader<T> reader) throws SQLException {
    try {
      return reader.read(rs);
    } catch (RuntimeException | SQLException e) {
      throw unreadable(e, table, key, mailbox);
    }
  }

  /** Every remaining row of {@code rs}; each row's key is read from {@code keyColumn}. */
  static <T> Read<T> all(ResultSet rs, String table, String keyColumn, Reader<T> reader) throws SQLException {
    List<T> values = new ArrayList<>();
    List<UnreadableRow> unreadable = new ArrayList<>();
    while (rs.next()) {
      try {
        values.add(one(rs, table, rs.getString(keyColumn), null, reader));
      } catch (UnreadableStateException e) {
        unreadable.add(e.row());
      }
    }
    return new Read<>(List.copyOf(values), List.copyOf(unreadable));
  }

  /** The row's problem, or {@code e} itself when it is the database failing rather than the row. */
  private static UnreadableStateException unreadable(Exception e, String table, String key, MailboxId mailbox)
      throws SQLException {
    if (e instanceof SQLException sql && !isDataException(sql)) {
      throw sql;
    }
    String problem = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    return new UnreadableStateException(new UnreadableRow(table, String.valueOf(key), problem), mailbox, e);
  }

  /** SQLState class 22, "data exception": the driver could not convert a stored value. */
  private static boolean isDataException(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("22");
  }
}

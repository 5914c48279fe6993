package io.m365sync.jdbc;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * How the link table's ids and keys ({@code crm_id}, {@code remote_id}, {@code change_key},
 * {@code container_id}) are bound and read. On H2 they are {@code VARBINARY} holding the strings'
 * UTF-8 bytes (migration V11): H2 writes a {@code VARCHAR} to its file one character at a time and a
 * {@code VARBINARY} as one copy, and an initial sync writes each id three times (the row and its two
 * unique indexes), again at every commit that changes their pages. Equality is the strings' equality.
 * PostgreSQL and Oracle keep them as strings (PostgreSQL compares them byte for byte already, V10).
 */
enum LinkColumns {
  STRINGS {
    @Override
    void bind(PreparedStatement ps, int index, String value) throws SQLException {
      ps.setString(index, value);
    }

    @Override
    String read(ResultSet rs, String column) throws SQLException {
      return rs.getString(column);
    }
  },
  UTF8_BYTES {
    @Override
    void bind(PreparedStatement ps, int index, String value) throws SQLException {
      if (value == null) {
        ps.setNull(index, Types.VARBINARY);
      } else {
        ps.setBytes(index, value.getBytes(StandardCharsets.UTF_8));
      }
    }

    @Override
    String read(ResultSet rs, String column) throws SQLException {
      byte[] bytes = rs.getBytes(column);
      return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
  };

  static LinkColumns of(JdbcDialect dialect) {
    return dialect == JdbcDialect.H2 ? UTF8_BYTES : STRINGS;
  }

  /** Binds {@code value} (may be null) as parameter {@code index}. */
  abstract void bind(PreparedStatement ps, int index, String value) throws SQLException;

  /** The value of {@code column} in the current row, or null. */
  abstract String read(ResultSet rs, String column) throws SQLException;
}

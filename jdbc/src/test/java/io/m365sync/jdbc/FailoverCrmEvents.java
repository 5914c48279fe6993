package io.m365sync.jdbc;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmChanges;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.CalendarEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The failover test's CRM: calendar events in a table of the shared PostgreSQL, so that every node's
 * writes land in one place the test can read. Each write first waits {@code writeDelay} (a slow
 * CRM), announcing the wait in {@code failover_phase} so that the test can kill a node while it is
 * mid-round and not between two of the engine's writes.
 */
final class FailoverCrmEvents implements CrmStore<CalendarEvent> {
  static final String DDL = """
      CREATE TABLE crm_event (
        crm_id BIGSERIAL PRIMARY KEY,
        mailbox_key TEXT NOT NULL,
        subject TEXT NOT NULL,
        start_at TIMESTAMPTZ NOT NULL,
        end_at TIMESTAMPTZ NOT NULL,
        ical_uid TEXT,
        version BIGINT NOT NULL,
        written_by TEXT NOT NULL
      );
      CREATE TABLE failover_run (
        id BIGSERIAL PRIMARY KEY,
        node TEXT NOT NULL,
        mailbox_key TEXT NOT NULL,
        started_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        ended_at TIMESTAMPTZ,
        outcome TEXT
      );
      CREATE TABLE failover_phase (
        node TEXT PRIMARY KEY,
        mailbox_key TEXT NOT NULL,
        until_at TIMESTAMPTZ NOT NULL
      );
      CREATE TABLE failover_node (
        node TEXT PRIMARY KEY,
        pid BIGINT NOT NULL,
        up_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
      );
      CREATE SEQUENCE crm_version;
      """;

  private final DataSource ds;
  private final String node;
  private final Duration writeDelay;

  FailoverCrmEvents(DataSource ds, String node, Duration writeDelay) {
    this.ds = ds;
    this.node = node;
    this.writeDelay = writeDelay;
  }

  static void createTables(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      for (String ddl : DDL.split(";")) {
        if (!ddl.isBlank()) {
          s.execute(ddl);
        }
      }
    }
  }

  private void slowly(MailboxId mailbox) {
    if (writeDelay.isZero()) {
      return;
    }
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO failover_phase (node, mailbox_key, until_at) VALUES (?, ?, clock_timestamp() + ?::interval)"
            + " ON CONFLICT (node) DO UPDATE SET mailbox_key = EXCLUDED.mailbox_key, until_at = EXCLUDED.until_at")) {
      ps.setString(1, node);
      ps.setString(2, mailbox.key());
      ps.setString(3, writeDelay.toMillis() + " milliseconds");
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    try {
      Thread.sleep(writeDelay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public CrmRecord<CalendarEvent> save(MailboxId mailbox, String crmId, CalendarEvent item) {
    slowly(mailbox);
    try (Connection c = ds.getConnection()) {
      if (crmId == null) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO crm_event (mailbox_key, subject, start_at, end_at,"
            + " ical_uid, version, written_by) VALUES (?, ?, ?, ?, ?, nextval('crm_version'), ?) RETURNING crm_id, version")) {
          bind(ps, mailbox, item);
          ps.setString(6, node);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new CrmRecord<>(Long.toString(rs.getLong(1)), rs.getLong(2), item);
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE crm_event SET mailbox_key = ?, subject = ?, start_at = ?,"
          + " end_at = ?, ical_uid = ?, version = nextval('crm_version'), written_by = ? WHERE crm_id = ? RETURNING version")) {
        bind(ps, mailbox, item);
        ps.setString(6, node);
        ps.setLong(7, Long.parseLong(crmId));
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new IllegalArgumentException("no CRM record '" + crmId + "'");
          }
          return new CrmRecord<>(crmId, rs.getLong(1), item);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void bind(PreparedStatement ps, MailboxId mailbox, CalendarEvent item) throws SQLException {
    ps.setString(1, mailbox.key());
    ps.setString(2, item.subject());
    ps.setObject(3, OffsetDateTime.ofInstant(item.start(), ZoneOffset.UTC));
    ps.setObject(4, OffsetDateTime.ofInstant(item.end(), ZoneOffset.UTC));
    ps.setString(5, item.iCalUid());
  }

  @Override
  public void delete(MailboxId mailbox, String crmId) {
    slowly(mailbox);
    try (Connection c = ds.getConnection();
         PreparedStatement ps = c.prepareStatement("DELETE FROM crm_event WHERE crm_id = ? AND mailbox_key = ?")) {
      ps.setLong(1, Long.parseLong(crmId));
      ps.setString(2, mailbox.key());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Optional<CrmRecord<CalendarEvent>> find(MailboxId mailbox, String crmId) {
    return list(mailbox, crmId).stream().findFirst();
  }

  @Override
  public List<CrmRecord<CalendarEvent>> list(MailboxId mailbox) {
    return list(mailbox, null);
  }

  static List<CrmRecord<CalendarEvent>> list(DataSource ds, MailboxId mailbox) {
    return new FailoverCrmEvents(ds, "reader", Duration.ZERO).list(mailbox);
  }

  private List<CrmRecord<CalendarEvent>> list(MailboxId mailbox, String crmId) {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT crm_id, version, subject, start_at, end_at, ical_uid FROM crm_event WHERE mailbox_key = ?"
            + (crmId == null ? "" : " AND crm_id = ?") + " ORDER BY crm_id")) {
      ps.setString(1, mailbox.key());
      if (crmId != null) {
        ps.setLong(2, Long.parseLong(crmId));
      }
      List<CrmRecord<CalendarEvent>> result = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          CalendarEvent e = new CalendarEvent(rs.getString("subject"), null,
              rs.getObject("start_at", OffsetDateTime.class).toInstant(),
              rs.getObject("end_at", OffsetDateTime.class).toInstant(), "UTC", false, null, null, List.of(),
              CalendarEvent.EventType.SINGLE_INSTANCE, null, null, rs.getString("ical_uid"), Map.of());
          result.add(new CrmRecord<>(Long.toString(rs.getLong("crm_id")), rs.getLong("version"), e));
        }
      }
      return result;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public CrmChanges<CalendarEvent> changesSince(MailboxId mailbox, String watermark) {
    // one-way sync (Microsoft 365 → CRM) never asks; the CRM makes no changes of its own here
    return new CrmChanges<>(List.of(), watermark == null ? "0" : watermark);
  }
}

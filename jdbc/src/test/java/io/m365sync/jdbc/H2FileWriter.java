package io.m365sync.jdbc;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.state.CursorKey;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Set;

/**
 * A process for {@link H2FileKillTest}, committing to an {@code h2File} store until it is killed, and
 * printing each commit after it returned. {@code store}: {@value #WRITERS} threads each commit cursor
 * values 1, 2, 3, … of a mailbox of their own ({@code "<thread> <value>"}). {@code host}: one thread
 * inserts 1, 2, 3, … into a table of its own through the store's {@code dataSource()}, odd ones in
 * auto-commit mode, even ones in a transaction ({@code "host <value>"}).
 */
public final class H2FileWriter {
  static final int WRITERS = 4;
  static final String HOST_TABLE = "host_log";

  private H2FileWriter() {}

  static CursorKey key(int writer) {
    return new CursorKey(new MailboxId(TenantId.of("2b7f3c1e-2a4d-4e8f-a1b2-c3d4e5f60718"), "writer-" + writer),
        Resource.EVENTS, "");
  }

  public static void main(String[] args) throws SQLException {
    JdbcSyncStateStore store = JdbcSyncStateStore.h2File(Path.of(args[0]));
    if (args[1].equals("host")) {
      host(store);
    }
    for (int w = 0; w < WRITERS; w++) {
      CursorKey key = key(w);
      store.putEnrollment(new Mailbox(key.mailbox(), "writer@contoso.com", "crm-writer", Instant.now(), Set.of(key.resource())));
      long fence = store.claimFence(key.mailbox());
      int writer = w;
      new Thread(() -> {
        for (long i = 1; ; i++) {
          store.putCursor(key, Long.toString(i), fence);
          System.out.println(writer + " " + i);
        }
      }).start();
    }
  }

  private static void host(JdbcSyncStateStore store) throws SQLException {
    try (Connection c = store.dataSource().getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + HOST_TABLE + " (n BIGINT PRIMARY KEY)");
    }
    try (Connection c = store.dataSource().getConnection();
         PreparedStatement insert = c.prepareStatement("INSERT INTO " + HOST_TABLE + " VALUES (?)")) {
      for (long i = 1; ; i++) {
        boolean transaction = i % 2 == 0;
        c.setAutoCommit(!transaction);
        insert.setLong(1, i);
        insert.executeUpdate();
        if (transaction) {
          c.commit();
        }
        System.out.println("host " + i);
      }
    }
  }
}

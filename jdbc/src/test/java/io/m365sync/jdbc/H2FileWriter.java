package io.m365sync.jdbc;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.state.CursorKey;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;

/**
 * A process for {@link H2FileKillTest}: commits cursor values 1, 2, 3, … to an {@code h2File} store
 * and prints each one after its commit returned, until it is killed.
 */
public final class H2FileWriter {
  static final CursorKey KEY = new CursorKey(
      new MailboxId(TenantId.of("2b7f3c1e-2a4d-4e8f-a1b2-c3d4e5f60718"), "writer"), Resource.EVENTS, "");

  private H2FileWriter() {}

  public static void main(String[] args) {
    JdbcSyncStateStore store = JdbcSyncStateStore.h2File(Path.of(args[0]));
    store.putEnrollment(new Mailbox(KEY.mailbox(), "writer@contoso.com", "crm-writer", Instant.now(), Set.of(KEY.resource())));
    long fence = store.claimFence(KEY.mailbox());
    for (long i = 1; ; i++) {
      store.putCursor(KEY, Long.toString(i), fence);
      System.out.println(i);
      System.out.flush();
    }
  }
}

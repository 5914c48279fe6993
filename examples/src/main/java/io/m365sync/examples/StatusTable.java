package io.m365sync.examples;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.SyncEngine;
import io.m365sync.state.MailboxState;
import java.io.PrintStream;
import java.util.List;
import java.util.function.ToIntFunction;

/** Prints one line per mailbox: mailbox, mode, status, items synced, reason. */
final class StatusTable {
  private static final String FORMAT = "  %-20s %-12s %-20s %-6s %s%n";

  private final PrintStream out;
  private final SyncEngine engine;
  private final ToIntFunction<MailboxId> itemsSynced;

  StatusTable(PrintStream out, SyncEngine engine, ToIntFunction<MailboxId> itemsSynced) {
    this.out = out;
    this.engine = engine;
    this.itemsSynced = itemsSynced;
  }

  void print(List<Mailbox> mailboxes, List<String> neverSignedIn) {
    out.printf(FORMAT, "MAILBOX", "MODE", "STATUS", "ITEMS", "REASON");
    for (Mailbox m : mailboxes) {
      MailboxState s = engine.monitor().mailbox(m.id()).orElse(null);
      out.printf(FORMAT, m.userPrincipalName(), s == null || s.mode() == null ? "-" : s.mode(),
          s == null ? "-" : s.status(), itemsSynced.applyAsInt(m.id()),
          s == null || s.reason() == null ? "" : shorten(s.reason()));
    }
    for (String upn : neverSignedIn) {
      out.printf(FORMAT, upn, "-", "NOT_ENROLLED", 0, "never signed in to the add-in: never touched");
    }
  }

  private static String shorten(String reason) {
    return reason.length() > 100 ? reason.substring(0, 97) + "..." : reason;
  }
}

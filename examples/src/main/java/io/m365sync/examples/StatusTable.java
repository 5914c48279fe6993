package io.m365sync.examples;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.SyncEngine;
import io.m365sync.state.MailboxState;
import java.io.PrintStream;
import java.util.List;
import java.util.function.ToIntFunction;

/** Prints one line per mailbox: mailbox, mode, status, reason, items synced. */
final class StatusTable {
  private static final String FORMAT = "  %-22s %-12s %-20s %-7s %s%n";

  private StatusTable() {}

  static void print(PrintStream out, SyncEngine engine, List<Mailbox> mailboxes, List<String> neverSignedIn,
                    ToIntFunction<MailboxId> itemsSynced) {
    out.printf(FORMAT, "MAILBOX", "MODE", "STATUS", "ITEMS", "REASON");
    for (Mailbox m : mailboxes) {
      MailboxState s = engine.monitor().mailbox(m.id()).orElse(null);
      out.printf(FORMAT, m.userPrincipalName(), s == null || s.mode() == null ? "-" : s.mode(),
          s == null ? "-" : s.status(), itemsSynced.applyAsInt(m.id()), s == null || s.reason() == null ? "" : shorten(s.reason()));
    }
    for (String upn : neverSignedIn) {
      out.printf(FORMAT, upn, "-", "NOT_ENROLLED", 0, "never signed in to the add-in: never touched");
    }
  }

  private static String shorten(String reason) {
    return reason.length() > 110 ? reason.substring(0, 107) + "..." : reason;
  }
}

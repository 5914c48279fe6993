package io.m365sync.state;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import java.util.List;

/**
 * One page of {@link SyncStateStore#statusPage}.
 *
 * @param items the matching statuses in mailbox-key order; fewer than the limit when unreadable
 *     rows were skipped or the end was reached
 * @param next where the next page starts ({@link StatusQuery#after(MailboxId)}); null: this is the
 *     last page
 */
public record StatusPage(List<MailboxState> items, MailboxId next) {
  public StatusPage {
    items = List.copyOf(Checks.requireNonNull(items, "items"));
  }

  public boolean hasNext() {
    return next != null;
  }
}

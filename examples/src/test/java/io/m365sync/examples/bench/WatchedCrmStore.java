package io.m365sync.examples.bench;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.SyncItem;
import io.m365sync.testkit.ForwardingCrmStore;
import java.util.function.Consumer;

/** A CRM table that tells {@code saved} about each item right after the delegate stored it: when a change arrived. */
final class WatchedCrmStore<T extends SyncItem> extends ForwardingCrmStore<T> {
  private final Consumer<T> saved;

  WatchedCrmStore(CrmStore<T> delegate, Consumer<T> saved) {
    super(delegate);
    this.saved = saved;
  }

  @Override
  public CrmRecord<T> save(MailboxId mailbox, String crmId, T item) {
    CrmRecord<T> record = delegate.save(mailbox, crmId, item);
    saved.accept(item);
    return record;
  }
}

package io.m365sync.examples.bench;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmChanges;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.SyncItem;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A CRM table that tells {@code saved} about each item right after the delegate stored it: when a change arrived. */
final class WatchedCrmStore<T extends SyncItem> implements CrmStore<T> {
  private final CrmStore<T> delegate;
  private final Consumer<T> saved;

  WatchedCrmStore(CrmStore<T> delegate, Consumer<T> saved) {
    this.delegate = delegate;
    this.saved = saved;
  }

  @Override
  public CrmRecord<T> save(MailboxId mailbox, String crmId, T item) {
    CrmRecord<T> record = delegate.save(mailbox, crmId, item);
    saved.accept(item);
    return record;
  }

  @Override
  public void delete(MailboxId mailbox, String crmId) {
    delegate.delete(mailbox, crmId);
  }

  @Override
  public Optional<CrmRecord<T>> find(MailboxId mailbox, String crmId) {
    return delegate.find(mailbox, crmId);
  }

  @Override
  public List<CrmRecord<T>> list(MailboxId mailbox) {
    return delegate.list(mailbox);
  }

  @Override
  public CrmChanges<T> changesSince(MailboxId mailbox, String watermark) {
    return delegate.changesSince(mailbox, watermark);
  }
}

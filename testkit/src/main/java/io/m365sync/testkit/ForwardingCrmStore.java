package io.m365sync.testkit;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.crm.CrmChanges;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.SyncItem;
import java.util.List;
import java.util.Optional;

/**
 * A {@link CrmStore} that hands every call to another one: extend it to watch, hold or fail the
 * calls a test cares about and override only those. Thread-safe as its delegate is.
 *
 * @param <T> the item record
 */
public abstract class ForwardingCrmStore<T extends SyncItem> implements CrmStore<T> {
  protected final CrmStore<T> delegate;

  protected ForwardingCrmStore(CrmStore<T> delegate) {
    this.delegate = Checks.requireNonNull(delegate, "delegate");
  }

  @Override
  public CrmRecord<T> save(MailboxId mailbox, String crmId, T item) {
    return delegate.save(mailbox, crmId, item);
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

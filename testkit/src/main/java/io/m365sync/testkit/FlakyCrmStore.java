package io.m365sync.testkit;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmChanges;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.SyncItem;
import java.util.List;
import java.util.Optional;

/**
 * An {@link InMemoryCrmStore} that goes down once, on its k-th save, as a database would in the
 * middle of a page: before writing, or after writing with the answer lost (the engine never learns
 * the record exists). Thread-safe.
 */
public final class FlakyCrmStore<T extends SyncItem> implements CrmStore<T> {
  private final InMemoryCrmStore<T> delegate;
  private int failAt;
  private boolean afterWrite;

  public FlakyCrmStore(String prefix) {
    this.delegate = new InMemoryCrmStore<>(prefix);
  }

  /** Fails the {@code k}-th save from now (0: none), after writing when {@code afterWriting}. */
  public synchronized void failOnSave(int k, boolean afterWriting) {
    failAt = k;
    afterWrite = afterWriting;
  }

  /** The items of the mailbox's live records. */
  public List<T> items(MailboxId mailbox) {
    return delegate.items(mailbox);
  }

  @Override
  public synchronized CrmRecord<T> save(MailboxId mailbox, String crmId, T item) {
    if (failAt > 0 && --failAt == 0) {
      if (afterWrite) {
        delegate.save(mailbox, crmId, item); // written, but the answer never reaches the engine
      }
      throw new IllegalStateException("CRM database unavailable");
    }
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

package io.m365sync.testkit;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.SyncItem;
import java.util.List;

/**
 * An {@link InMemoryCrmStore} that goes down once, on its k-th save, as a database would in the
 * middle of a page: before writing, or after writing with the answer lost (the engine never learns
 * the record exists). Thread-safe.
 */
public final class FlakyCrmStore<T extends SyncItem> extends ForwardingCrmStore<T> {
  private final InMemoryCrmStore<T> table;
  private int failAt;
  private boolean afterWrite;

  public FlakyCrmStore(String prefix) {
    this(new InMemoryCrmStore<>(prefix));
  }

  private FlakyCrmStore(InMemoryCrmStore<T> table) {
    super(table);
    this.table = table;
  }

  /** Fails the {@code k}-th save from now (0: none), after writing when {@code afterWriting}. */
  public synchronized void failOnSave(int k, boolean afterWriting) {
    failAt = k;
    afterWrite = afterWriting;
  }

  /** The items of the mailbox's live records. */
  public List<T> items(MailboxId mailbox) {
    return table.items(mailbox);
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
}

package io.m365sync.pipeline;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmChanges;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.SyncItem;
import io.m365sync.testkit.ForwardingCrmStore;

/** A CRM store that dies when its {@link Crash} fires (writes only: a read that dies changes nothing). */
final class CrashingCrmStore<T extends SyncItem> extends ForwardingCrmStore<T> {
  private final Crash crash;

  CrashingCrmStore(CrmStore<T> delegate, Crash crash) {
    super(delegate);
    this.crash = crash;
  }

  @Override
  public CrmRecord<T> save(MailboxId mailbox, String crmId, T item) {
    return crash.around("crm.save", () -> delegate.save(mailbox, crmId, item));
  }

  @Override
  public void delete(MailboxId mailbox, String crmId) {
    crash.around("crm.delete", () -> delegate.delete(mailbox, crmId));
  }

  @Override
  public CrmChanges<T> changesSince(MailboxId mailbox, String watermark) {
    return crash.around("crm.changesSince", () -> delegate.changesSince(mailbox, watermark));
  }
}

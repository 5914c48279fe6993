package io.m365sync.schedule;

import io.m365sync.CycleReport;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;

/** What a scheduler drives: the engine, seen through the two calls a scheduler needs. */
public interface SyncTarget {

  CycleReport runCycle();

  MailboxSyncReport syncMailbox(MailboxId mailbox);
}

package io.m365sync.crm;

import io.m365sync.MailboxId;
import io.m365sync.model.SyncItem;
import java.util.List;
import java.util.Optional;

/**
 * The CRM side of one resource, implemented by the host. Calls for one mailbox never overlap;
 * calls for different mailboxes may run concurrently, and so may the stores of one mailbox's
 * resources (a round reads its resources at once).
 *
 * <p>Saving must be idempotent for the same content: the engine replays changes after crashes and
 * Graph replays changes in delta rounds. The id map in the state store keeps replays from creating
 * records twice.
 *
 * <p>A store may keep only the fields it has columns for and hand records back without the others
 * (null, or empty collections and extensions). The engine notes, per record, the copy {@code save}
 * returned when it last synced the record, and sends a later CRM edit to Microsoft 365 as a patch of
 * the fields (and extension keys) that differ from that copy: fields the CRM does not store keep
 * their values in Outlook. So {@code save} must return the record as it stored it, as {@code find}
 * will return it.
 *
 * @param <T> the item record
 */
public interface CrmStore<T extends SyncItem> {

  /**
   * Creates a record ({@code crmId} null) or replaces one; returns it as stored (only the fields the
   * store keeps), with its new version.
   */
  CrmRecord<T> save(MailboxId mailbox, String crmId, T item);

  /** Deletes a record; deleting a missing record is not an error. */
  void delete(MailboxId mailbox, String crmId);

  /** The record, if it exists. */
  Optional<CrmRecord<T>> find(MailboxId mailbox, String crmId);

  /** Every live record of the mailbox (for re-linking after a full resync and for guards). */
  List<CrmRecord<T>> list(MailboxId mailbox);

  /** Records changed or deleted since {@code watermark} (null: since the beginning). */
  CrmChanges<T> changesSince(MailboxId mailbox, String watermark);
}

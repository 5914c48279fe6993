package io.m365sync.internal.sync;

import io.m365sync.crm.CrmRecord;
import io.m365sync.model.SyncItem;
import io.m365sync.state.IdLink;

/**
 * One planned write. CRM-side actions run in the apply step, Microsoft 365-side ones in the push
 * step; {@link #destructiveOn()} feeds the mass-change guard. Items are in Microsoft 365 form
 * ({@link ItemRules#toRemote}) unless named otherwise.
 */
sealed interface Action<T extends SyncItem> {

  enum Side { CRM, MICROSOFT, NONE }

  /** Where the action deletes or overwrites an existing synced item, for the guard. */
  default Side destructiveOn() {
    return Side.NONE;
  }

  /** Creates a CRM record from a Microsoft 365 item (crmId null) or overwrites one. */
  record SaveCrm<T extends SyncItem>(String crmId, String remoteId, String changeKey, T item) implements Action<T> {
    @Override
    public Side destructiveOn() {
      return crmId == null ? Side.NONE : Side.CRM;
    }
  }

  /** Deletes a CRM record and its link. */
  record DeleteCrm<T extends SyncItem>(IdLink link) implements Action<T> {
    @Override
    public Side destructiveOn() {
      return Side.CRM;
    }
  }

  /** Only the id map changes (a re-link, an acknowledged echo, a frozen item). */
  record Link<T extends SyncItem>(IdLink link) implements Action<T> {}

  /** Both sides already deleted the item: drop the link. */
  record Unlink<T extends SyncItem>(IdLink link) implements Action<T> {}

  /** Creates a Microsoft 365 item from a CRM record (replacing a dead link if any). */
  record CreateRemote<T extends SyncItem>(CrmRecord<T> record) implements Action<T> {}

  /**
   * Overwrites a Microsoft 365 item with a CRM record. {@code link} is the link to write on success;
   * {@code ifMatch} guards the write; {@code force} repeats it without If-Match after a 412 (the
   * CRM won a conflict).
   */
  record UpdateRemote<T extends SyncItem>(IdLink link, CrmRecord<T> record, String ifMatch, boolean force)
      implements Action<T> {
    @Override
    public Side destructiveOn() {
      return Side.MICROSOFT;
    }
  }

  /** Deletes a Microsoft 365 item and its link. */
  record DeleteRemote<T extends SyncItem>(IdLink link, String ifMatch, boolean force) implements Action<T> {
    @Override
    public Side destructiveOn() {
      return Side.MICROSOFT;
    }
  }

  /**
   * Writes {@code item} (a merge or a survivor of a deletion conflict) to both sides: the CRM record
   * {@code crmId} (null: create) and the Microsoft 365 item {@code remoteId} (null: create).
   */
  record WriteBoth<T extends SyncItem>(String crmId, String remoteId, String ifMatch, T item) implements Action<T> {
    @Override
    public Side destructiveOn() {
      return crmId != null ? Side.CRM : remoteId != null ? Side.MICROSOFT : Side.NONE;
    }
  }
}

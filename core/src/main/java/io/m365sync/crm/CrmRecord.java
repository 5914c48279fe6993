package io.m365sync.crm;

import io.m365sync.Checks;
import io.m365sync.model.SyncItem;

/**
 * A CRM record as the host stores it.
 *
 * @param crmId the CRM's stable id
 * @param version rises on every change the CRM makes
 * @param item the content; null for a deleted record (in change lists)
 */
public record CrmRecord<T extends SyncItem>(String crmId, long version, T item) {
  public CrmRecord {
    Checks.requireText(crmId, "crmId");
  }

  public boolean deleted() {
    return item == null;
  }
}

package io.m365sync.crm;

import io.m365sync.Checks;
import io.m365sync.model.SyncItem;

/**
 * A CRM record as the host stores it.
 *
 * @param crmId the CRM's stable id: not blank, and no unpaired UTF-16 surrogate (UTF-8 cannot hold one)
 * @param version rises on every change the CRM makes
 * @param item the content; null for a deleted record (in change lists)
 */
public record CrmRecord<T extends SyncItem>(String crmId, long version, T item) {
  public CrmRecord {
    // well-formed: a push notes its CRM id before the create in Microsoft 365, and a store that
    // cannot hold the id as given would link the created item to another one
    Checks.requireWellFormed(Checks.requireText(crmId, "crmId"), "crmId");
  }

  public boolean deleted() {
    return item == null;
  }
}

package io.m365sync.gateway;

import io.m365sync.Checks;

/**
 * An item of a delta page that the gateway could not read (no id, an event without start or end, a
 * malformed date): it was left out of the page, the rest of the page and the cursor go on. The item is
 * neither an upsert nor a deletion: the engine keeps whatever the CRM holds for it.
 *
 * @param remoteId the item's id when it could be read; null when the item had none
 * @param reason why it was skipped, in the gateway's own words; never any of the item's content
 */
public record SkippedItem(String remoteId, String reason) {
  public SkippedItem {
    Checks.requireText(reason, "reason");
  }
}

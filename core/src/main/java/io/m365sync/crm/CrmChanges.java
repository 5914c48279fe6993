package io.m365sync.crm;

import io.m365sync.Checks;
import io.m365sync.model.SyncItem;
import java.util.List;

/**
 * CRM-side changes since a watermark.
 *
 * @param changes changed or deleted records (a deleted one has a null item)
 * @param watermark pass it to the next {@link CrmStore#changesSince} call
 */
public record CrmChanges<T extends SyncItem>(List<CrmRecord<T>> changes, String watermark) {
  public CrmChanges {
    changes = List.copyOf(Checks.requireNonNull(changes, "changes"));
  }
}

package io.m365sync.state;

import io.m365sync.Checks;
import io.m365sync.TenantId;

/**
 * How many mailboxes of a tenant have a status, as {@link SyncStateStore#statusCounts} answers.
 *
 * @param tenant the tenant
 * @param status the status
 * @param count how many of the tenant's mailboxes have it; at least 1 (empty groups are left out)
 */
public record StatusCount(TenantId tenant, MailboxStatus status, long count) {
  public StatusCount {
    Checks.requireNonNull(tenant, "tenant");
    Checks.requireNonNull(status, "status");
    if (count < 1) {
      throw new IllegalArgumentException("'count' must be at least 1 but was " + count);
    }
  }
}

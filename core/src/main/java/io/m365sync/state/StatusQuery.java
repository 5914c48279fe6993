package io.m365sync.state;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.TenantId;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which mailbox statuses one {@link SyncStateStore#statusPage} call returns: a filter, a page size
 * and a keyset position. Pages come in mailbox-key order (the store's own collation), so the next
 * page starts {@code after} the last mailbox of the previous one: a mailbox enrolled or purged in
 * between never shifts the others, and the store seeks in an index instead of skipping rows.
 *
 * @param tenant only this tenant's mailboxes; null: every tenant
 * @param statuses only mailboxes with one of these statuses; empty: any status
 * @param neverSyncedOnly only mailboxes where no round ever finished with something synced
 * @param after start after this mailbox (normally {@link StatusPage#next()}); null: from the start
 * @param limit at most this many statuses, 1 to {@value #MAX_LIMIT}
 */
public record StatusQuery(TenantId tenant, Set<MailboxStatus> statuses, boolean neverSyncedOnly, MailboxId after,
                          int limit) {
  /** The largest page a store returns in one call. */
  public static final int MAX_LIMIT = 1000;

  public StatusQuery {
    Checks.requireNonNull(statuses, "statuses");
    statuses = statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("'limit' must be between 1 and " + MAX_LIMIT + " but was " + limit);
    }
  }

  /** Every mailbox, {@code limit} at a time. */
  public static StatusQuery all(int limit) {
    return new StatusQuery(null, Set.of(), false, null, limit);
  }

  /** Mailboxes with one of {@code statuses}, {@code limit} at a time. */
  public static StatusQuery withStatus(Set<MailboxStatus> statuses, int limit) {
    Checks.requireNonNull(statuses, "statuses");
    if (statuses.isEmpty()) {
      throw new IllegalArgumentException("'statuses' must name at least one status");
    }
    return new StatusQuery(null, statuses, false, null, limit);
  }

  public StatusQuery inTenant(TenantId newTenant) {
    return new StatusQuery(newTenant, statuses, neverSyncedOnly, after, limit);
  }

  public StatusQuery neverSynced() {
    return new StatusQuery(tenant, statuses, true, after, limit);
  }

  public StatusQuery after(MailboxId newAfter) {
    return new StatusQuery(tenant, statuses, neverSyncedOnly, newAfter, limit);
  }

  /** Whether {@code state} passes the filter (the position and limit aside). */
  public boolean matches(MailboxState state) {
    return (tenant == null || tenant.equals(state.mailbox().tenant()))
        && (statuses.isEmpty() || statuses.contains(state.status()))
        && (!neverSyncedOnly || !state.everSynced());
  }
}

package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.sync.Conflict;
import io.m365sync.sync.ConflictResolver;
import io.m365sync.sync.TwoWayOptions;
import java.time.Instant;

/** Resolve step: decides a conflict by the configured policy and drafts its journal entry. */
final class ConflictArbiter<T extends SyncItem> {
  private final ResourceType<T> type;
  private final TwoWayOptions<T> options;

  ConflictArbiter(ResourceType<T> type, TwoWayOptions<T> options) {
    this.type = type;
    this.options = options;
  }

  /** The decision; {@code crmItem} or {@code microsoftItem} is null for a deletion. */
  ConflictResolver.Resolution<T> decide(Plan<T> plan, MailboxId mailbox, Instant now, Conflict.Kind kind,
                                        String crmId, String remoteId, T crmItem, T microsoftItem) {
    T crm = Reserved.strip(crmItem);
    T ms = Reserved.strip(microsoftItem);
    ConflictResolver.Resolution<T> r = switch (options.policy()) {
      case MICROSOFT_WINS -> ConflictResolver.Resolution.microsoft();
      case CRM_WINS -> ConflictResolver.Resolution.crm();
      case NEWEST_WINS -> newest(crm, ms);
      case CUSTOM -> options.resolver().resolve(
          new ConflictResolver.Pending<>(mailbox, type.resource(), crmId, remoteId, kind, crm, ms));
    };
    if (r.merged() != null) {
      type.cast(r.merged());
    }
    plan.conflicts.add(new Conflict(mailbox, type.resource(), crmId, remoteId, kind, crm, ms, r.winner(), now));
    return r;
  }

  private ConflictResolver.Resolution<T> newest(T crm, T ms) {
    if (crm == null) {
      return ConflictResolver.Resolution.microsoft(); // an edit beats a deletion of unknown time
    }
    if (ms == null) {
      return ConflictResolver.Resolution.crm();
    }
    Instant c = options.lastModified().apply(crm);
    Instant m = options.lastModified().apply(ms);
    return c != null && m != null && c.isAfter(m) ? ConflictResolver.Resolution.crm() : ConflictResolver.Resolution.microsoft();
  }
}

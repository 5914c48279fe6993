package io.m365sync.gateway;

import io.m365sync.Checks;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;

/**
 * One delta page to read in {@link MailboxGateway#deltaBatch}: the session (mailbox and token), the
 * resource and the request, usually with a stored delta link.
 */
public record DeltaProbe<T extends SyncItem>(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
  public DeltaProbe {
    Checks.requireNonNull(session, "session");
    Checks.requireNonNull(type, "type");
    Checks.requireNonNull(request, "request");
  }
}

package io.m365sync.internal;

import io.m365sync.SyncListener;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.SyncStateExpiredException;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.model.ResourceType;
import java.util.function.Supplier;

/**
 * The gateway as one round sees it, telling the listener of every throttled answer and expired delta
 * link as it comes back, including those a pipeline step handles itself (a 410 restarts the read).
 */
final class ObservedGateway extends AroundGateway {
  private final SyncListener listener;

  ObservedGateway(MailboxGateway gateway, SyncListener listener) {
    super(gateway);
    this.listener = listener;
  }

  @Override
  <R> R around(MailboxSession session, ResourceType<?> type, Supplier<R> call) {
    if (type == null) {
      return call.get(); // a subscription's renewal or deletion: nothing of a resource's sync to tell
    }
    try {
      return call.get();
    } catch (ThrottledException e) {
      listener.throttled(session.mailbox(), type.resource(), e.retryAfter());
      throw e;
    } catch (SyncStateExpiredException e) {
      listener.deltaExpired(session.mailbox(), type.resource());
      throw e;
    }
  }
}

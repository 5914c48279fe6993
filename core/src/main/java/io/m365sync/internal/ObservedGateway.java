package io.m365sync.internal;

import io.m365sync.SyncListener;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.RemoteSubscription;
import io.m365sync.gateway.SyncStateExpiredException;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The gateway as one round sees it, telling the listener of every throttled answer and expired delta
 * link as it comes back, including those a pipeline step handles itself (a 410 restarts the read).
 */
final class ObservedGateway implements MailboxGateway {
  private final MailboxGateway gateway;
  private final SyncListener listener;

  ObservedGateway(MailboxGateway gateway, SyncListener listener) {
    this.gateway = gateway;
    this.listener = listener;
  }

  private <R> R observe(MailboxSession session, ResourceType<?> type, Supplier<R> call) {
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

  @Override
  public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
    return observe(session, type, () -> gateway.delta(session, type, request));
  }

  @Override
  public <T extends SyncItem> Optional<T> get(MailboxSession session, ResourceType<T> type, String container,
                                              String remoteId) {
    return observe(session, type, () -> gateway.get(session, type, container, remoteId));
  }

  @Override
  public <T extends SyncItem> WriteResult create(MailboxSession session, ResourceType<T> type, String container, T item) {
    return observe(session, type, () -> gateway.create(session, type, container, item));
  }

  @Override
  public <T extends SyncItem> WriteResult update(MailboxSession session, ResourceType<T> type, String container,
                                                 String remoteId, String ifMatch, ItemPatch<T> patch) {
    return observe(session, type, () -> gateway.update(session, type, container, remoteId, ifMatch, patch));
  }

  @Override
  public void delete(MailboxSession session, ResourceType<?> type, String container, String remoteId, String ifMatch) {
    observe(session, type, () -> {
      gateway.delete(session, type, container, remoteId, ifMatch);
      return null;
    });
  }

  @Override
  public RemoteSubscription createSubscription(MailboxSession session, ResourceType<?> type, String container,
                                               URI notificationUrl, URI lifecycleUrl, String clientState, Instant expiresAt) {
    return observe(session, type, () ->
        gateway.createSubscription(session, type, container, notificationUrl, lifecycleUrl, clientState, expiresAt));
  }

  @Override
  public RemoteSubscription renewSubscription(MailboxSession session, String id, Instant expiresAt) {
    return gateway.renewSubscription(session, id, expiresAt);
  }

  @Override
  public void deleteSubscription(MailboxSession session, String id) {
    gateway.deleteSubscription(session, id);
  }
}

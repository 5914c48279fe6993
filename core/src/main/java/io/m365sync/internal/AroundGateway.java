package io.m365sync.internal;

import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.RemoteSubscription;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A gateway that runs every call of the one it wraps through {@link #around}: the round's views of the
 * gateway (its request limits, the listener's observation) differ only in what they do around a call.
 */
abstract class AroundGateway implements MailboxGateway {
  private final MailboxGateway gateway;

  AroundGateway(MailboxGateway gateway) {
    this.gateway = gateway;
  }

  /** Runs {@code call} of {@code session}'s mailbox; {@code type} is null for a subscription's renewal or deletion. */
  abstract <R> R around(MailboxSession session, ResourceType<?> type, Supplier<R> call);

  /** Runs {@code call}, a read (a delta page, an item's GET), which Graph answers alike however often it is sent. */
  <R> R aroundRead(MailboxSession session, ResourceType<?> type, Supplier<R> call) {
    return around(session, type, call);
  }

  @Override
  public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
    return aroundRead(session, type, () -> gateway.delta(session, type, request));
  }

  @Override
  public <T extends SyncItem> Optional<T> get(MailboxSession session, ResourceType<T> type, String container,
                                              String remoteId) {
    return aroundRead(session, type, () -> gateway.get(session, type, container, remoteId));
  }

  @Override
  public <T extends SyncItem> WriteResult create(MailboxSession session, ResourceType<T> type, String container, T item) {
    return around(session, type, () -> gateway.create(session, type, container, item));
  }

  @Override
  public <T extends SyncItem> WriteResult update(MailboxSession session, ResourceType<T> type, String container,
                                                 String remoteId, String ifMatch, ItemPatch<T> patch) {
    return around(session, type, () -> gateway.update(session, type, container, remoteId, ifMatch, patch));
  }

  @Override
  public void delete(MailboxSession session, ResourceType<?> type, String container, String remoteId, String ifMatch) {
    around(session, type, () -> {
      gateway.delete(session, type, container, remoteId, ifMatch);
      return null;
    });
  }

  @Override
  public RemoteSubscription createSubscription(MailboxSession session, ResourceType<?> type, String container,
                                               URI notificationUrl, URI lifecycleUrl, String clientState, Instant expiresAt) {
    return around(session, type, () ->
        gateway.createSubscription(session, type, container, notificationUrl, lifecycleUrl, clientState, expiresAt));
  }

  @Override
  public RemoteSubscription renewSubscription(MailboxSession session, String id, Instant expiresAt) {
    return around(session, null, () -> gateway.renewSubscription(session, id, expiresAt));
  }

  @Override
  public void deleteSubscription(MailboxSession session, String id) {
    around(session, null, () -> {
      gateway.deleteSubscription(session, id);
      return null;
    });
  }
}

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
import io.m365sync.state.FencedOutException;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The gateway as one round sees it: once the mailbox is unenrolled, every further request is refused
 * before it leaves, so a round in flight sends nothing more for a mailbox that is no longer enrolled.
 * It counts the requests it lets through, for the access audit's request count per app-only round.
 */
final class StoppableGateway implements MailboxGateway {
  private final MailboxGateway gateway;
  private final BooleanSupplier stopped;
  private final AtomicInteger sent = new AtomicInteger();

  StoppableGateway(MailboxGateway gateway, BooleanSupplier stopped) {
    this.gateway = gateway;
    this.stopped = stopped;
  }

  private void check(MailboxSession session) {
    if (stopped.getAsBoolean()) {
      throw FencedOutException.unenrolled(session.mailbox().id());
    }
    sent.incrementAndGet(); // counted when let through: a request that then fails still reached Graph
  }

  /** The requests let through so far. */
  int sent() {
    return sent.get();
  }

  @Override
  public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
    check(session);
    return gateway.delta(session, type, request);
  }

  @Override
  public <T extends SyncItem> Optional<T> get(MailboxSession session, ResourceType<T> type, String container,
                                              String remoteId) {
    check(session);
    return gateway.get(session, type, container, remoteId);
  }

  @Override
  public <T extends SyncItem> WriteResult create(MailboxSession session, ResourceType<T> type, String container, T item) {
    check(session);
    return gateway.create(session, type, container, item);
  }

  @Override
  public <T extends SyncItem> WriteResult update(MailboxSession session, ResourceType<T> type, String container,
                                                 String remoteId, String ifMatch, ItemPatch<T> patch) {
    check(session);
    return gateway.update(session, type, container, remoteId, ifMatch, patch);
  }

  @Override
  public void delete(MailboxSession session, ResourceType<?> type, String container, String remoteId, String ifMatch) {
    check(session);
    gateway.delete(session, type, container, remoteId, ifMatch);
  }

  @Override
  public RemoteSubscription createSubscription(MailboxSession session, ResourceType<?> type, String container,
                                               URI notificationUrl, URI lifecycleUrl, String clientState, Instant expiresAt) {
    check(session);
    return gateway.createSubscription(session, type, container, notificationUrl, lifecycleUrl, clientState, expiresAt);
  }

  @Override
  public RemoteSubscription renewSubscription(MailboxSession session, String id, Instant expiresAt) {
    check(session);
    return gateway.renewSubscription(session, id, expiresAt);
  }

  @Override
  public void deleteSubscription(MailboxSession session, String id) {
    check(session);
    gateway.deleteSubscription(session, id);
  }
}

package io.m365sync.testkit;

import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import java.util.Optional;

/**
 * A base for a test's gateway wrapper, such as one that logs, counts or holds back some calls to the
 * fake gateway ({@link FakeMicrosoft365#gateway()}): forwards the gateway's own calls to
 * {@code delegate}, so a subclass overrides only those it watches. The interface's default methods
 * ({@code deltaBatch}, subscriptions) stay the defaults, so they go through this wrapper's
 * {@code delta}, unless a subclass forwards them too.
 */
public abstract class ForwardingGateway implements MailboxGateway {
  protected final MailboxGateway delegate;

  protected ForwardingGateway(MailboxGateway delegate) {
    this.delegate = delegate;
  }

  @Override
  public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
    return delegate.delta(session, type, request);
  }

  @Override
  public <T extends SyncItem> Optional<T> get(MailboxSession session, ResourceType<T> type, String container,
                                              String remoteId) {
    return delegate.get(session, type, container, remoteId);
  }

  @Override
  public <T extends SyncItem> WriteResult create(MailboxSession session, ResourceType<T> type, String container, T item) {
    return delegate.create(session, type, container, item);
  }

  @Override
  public <T extends SyncItem> WriteResult update(MailboxSession session, ResourceType<T> type, String container,
                                                 String remoteId, String ifMatch, ItemPatch<T> patch) {
    return delegate.update(session, type, container, remoteId, ifMatch, patch);
  }

  @Override
  public void delete(MailboxSession session, ResourceType<?> type, String container, String remoteId, String ifMatch) {
    delegate.delete(session, type, container, remoteId, ifMatch);
  }
}

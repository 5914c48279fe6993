package io.m365sync.pipeline;

import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import java.util.Optional;

/** A gateway that dies when its {@link Crash} fires: after a write, Microsoft 365 holds it but we never hear back. */
final class CrashingGateway implements MailboxGateway {
  private final MailboxGateway delegate;
  private final Crash crash;

  CrashingGateway(MailboxGateway delegate, Crash crash) {
    this.delegate = delegate;
    this.crash = crash;
  }

  @Override
  public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
    return crash.around("gateway.delta", () -> delegate.delta(session, type, request));
  }

  @Override
  public <T extends SyncItem> Optional<T> get(MailboxSession session, ResourceType<T> type, String container, String remoteId) {
    return crash.around("gateway.get", () -> delegate.get(session, type, container, remoteId));
  }

  @Override
  public <T extends SyncItem> WriteResult create(MailboxSession session, ResourceType<T> type, String container, T item) {
    return crash.around("gateway.create", () -> delegate.create(session, type, container, item));
  }

  @Override
  public <T extends SyncItem> WriteResult update(MailboxSession session, ResourceType<T> type, String container, String remoteId,
                                                 String ifMatch, ItemPatch<T> patch) {
    return crash.around("gateway.update", () -> delegate.update(session, type, container, remoteId, ifMatch, patch));
  }

  @Override
  public void delete(MailboxSession session, ResourceType<?> type, String container, String remoteId, String ifMatch) {
    crash.around("gateway.delete", () -> delegate.delete(session, type, container, remoteId, ifMatch));
  }
}

package io.m365sync.engine;

import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.testkit.ForwardingGateway;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/** A gateway counting creates and single-item reads, running a hook before each with its number (from 1). */
final class HookedGateway extends ForwardingGateway {
  final AtomicInteger creates = new AtomicInteger();
  final AtomicInteger gets = new AtomicInteger();
  volatile IntConsumer beforeCreate = n -> { };
  volatile IntConsumer beforeGet = n -> { };

  HookedGateway(MailboxGateway delegate) {
    super(delegate);
  }

  @Override
  public <T extends SyncItem> WriteResult create(MailboxSession session, ResourceType<T> type, String container,
                                                 T item) {
    beforeCreate.accept(creates.incrementAndGet());
    return super.create(session, type, container, item);
  }

  @Override
  public <T extends SyncItem> Optional<T> get(MailboxSession session, ResourceType<T> type, String container,
                                              String remoteId) {
    beforeGet.accept(gets.incrementAndGet());
    return super.get(session, type, container, remoteId);
  }
}

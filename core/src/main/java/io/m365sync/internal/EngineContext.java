package io.m365sync.internal;

import io.m365sync.Resource;
import io.m365sync.SyncOptions;
import io.m365sync.access.AccessPolicyCheck;
import io.m365sync.access.PermissionVerifier;
import io.m365sync.auth.TokenStrategy;
import io.m365sync.auth.TokenStrategySelector;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.notify.ChangeNotifications;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncer;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executor;

/** The engine's immutable wiring, shared by its pipeline steps; {@code notifications} is null when off. */
public record EngineContext(Clock clock, Executor executor, SyncStateStore store, MailboxGateway gateway,
                            TokenStrategy delegated, TokenStrategy application, TokenStrategySelector selector,
                            PermissionVerifier verifier, AccessPolicyCheck accessCheck,
                            Map<Resource, ResourceSyncer<?>> syncers, SyncOptions options, SafeListener listener,
                            ChangeNotifications notifications) {
  public EngineContext {
    syncers = Map.copyOf(syncers);
  }
}

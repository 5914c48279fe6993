package io.m365sync.examples.bench;

import io.m365sync.SyncEngine;
import io.m365sync.graph.AppCredential;
import io.m365sync.graph.GraphMailboxGateway;
import io.m365sync.graph.MsalApplicationTokenStrategy;
import io.m365sync.state.SyncStateStore;
import io.m365sync.testkit.emulator.M365Emulator;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.Executor;

/** The production stack's engine against the emulator: MSAL application tokens and {@code GraphMailboxGateway}. */
final class EmulatorEngines {
  private EmulatorEngines() {}

  /** A builder with the stack, {@code clock}, {@code executor} and {@code store} set; resources and options to add. */
  static SyncEngine.Builder builder(M365Emulator emulator, Clock clock, Executor executor, SyncStateStore store) {
    return SyncEngine.builder()
        .clock(clock).executor(executor).stateStore(store)
        .gateway(GraphMailboxGateway.builder().baseUrl(emulator.graphBaseUrl()).build())
        .applicationTokens(MsalApplicationTokenStrategy.builder().clientId(SyncBenchmark.CLIENT_ID)
            .credential(AppCredential.secret(SyncBenchmark.SECRET)).clock(clock)
            .routeTokenRequestsTo(URI.create(emulator.loginBaseUrl())).build());
  }
}

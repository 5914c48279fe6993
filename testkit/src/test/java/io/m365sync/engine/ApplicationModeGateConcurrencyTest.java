package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.TenantId;
import io.m365sync.TenantStatus;
import io.m365sync.model.ResourceType;
import io.m365sync.state.SyncStateStore;
import io.m365sync.state.TenantSettings;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.ForwardingSyncStateStore;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Every round of a tenant passes its application-mode gate; a store read there that waits (an
 * embedded store queues reads behind page writes) must not hold up the tenant's other rounds.
 */
class ApplicationModeGateConcurrencyTest {
  /** Holds the next read of a tenant's setting, once it has read the store, until released. */
  private static final class HeldSettingRead extends ForwardingSyncStateStore {
    final AtomicBoolean armed = new AtomicBoolean();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    HeldSettingRead(SyncStateStore delegate) {
      super(delegate);
    }

    @Override
    public Optional<TenantSettings> tenantSettings(TenantId tenant) {
      Optional<TenantSettings> read = super.tenantSettings(tenant);
      if (armed.compareAndSet(true, false)) {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return read;
    }
  }

  /** An engine on {@code store} syncing the users' events in application mode. */
  private static EngineFixture appModeOn(SyncStateStore store, String... users) {
    EngineFixture f = EngineFixture.standard();
    f.engine = SyncEngine.builder().clock(f.m365.clock()).gateway(f.m365.gateway())
        .delegatedTokens(f.m365.delegatedTokens()).applicationTokens(f.m365.applicationTokens())
        .stateStore(store).resource(ResourceSyncers.oneWay(ResourceType.EVENTS, f.crmEvents))
        .options(SyncOptions.defaults()).build();
    for (String alias : users) {
      f.user(alias);
      f.signIn(alias, Set.of(Resource.EVENTS));
    }
    f.m365.grantApplicationPermissions(Resource.EVENTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);
    return f;
  }

  @Test
  void aRoundWaitingForTheStoreAtTheGateDoesNotHoldUpTheTenantsOtherRounds() throws Exception {
    HeldSettingRead store = new HeldSettingRead(SyncStateStore.inMemory());
    EngineFixture f = appModeOn(store, "alice", "bob");
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      store.armed.set(true);
      CompletableFuture<MailboxSyncReport> alice = CompletableFuture.supplyAsync(() -> f.engine.syncMailbox(f.id("alice")), threads);
      assertThat(store.entered.await(10, TimeUnit.SECONDS)).as("alice's round reads the tenant's setting").isTrue();

      MailboxSyncReport bob = CompletableFuture.supplyAsync(() -> f.engine.syncMailbox(f.id("bob")), threads)
          .get(10, TimeUnit.SECONDS);

      assertThat(alice).as("alice's round still waits for the store").isNotDone();
      ResourceResult events = bob.resource(Resource.EVENTS).orElseThrow();
      assertThat(events.outcome()).isEqualTo(ResourceResult.Outcome.SYNCED);
      assertThat(events.mode()).isEqualTo(AuthMode.APPLICATION);
      assertThat(f.crmEvents.items(f.id("bob"))).hasSize(3);
      store.release.countDown();
      assertThat(alice.get(10, TimeUnit.SECONDS).resource(Resource.EVENTS).orElseThrow().mode()).isEqualTo(AuthMode.APPLICATION);
      assertThat(f.crmEvents.items(f.id("alice"))).hasSize(3);
    } finally {
      store.release.countDown();
      threads.shutdownNow();
    }
  }

  @Test
  void aSettingSwitchedOffWhileARoundReadItIsWhatTheRoundGoesBy() throws Exception {
    HeldSettingRead store = new HeldSettingRead(SyncStateStore.inMemory());
    EngineFixture f = appModeOn(store, "alice");
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      store.armed.set(true);
      CompletableFuture<MailboxSyncReport> alice = CompletableFuture.supplyAsync(() -> f.engine.syncMailbox(f.id("alice")), threads);
      assertThat(store.entered.await(10, TimeUnit.SECONDS)).isTrue();
      // the read in flight has the setting on; the admin switches it off before the round goes on
      CompletableFuture.runAsync(() -> f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), false), threads)
          .get(10, TimeUnit.SECONDS);
      store.release.countDown();

      MailboxSyncReport report = alice.get(10, TimeUnit.SECONDS);

      assertThat(report.resource(Resource.EVENTS).orElseThrow().mode()).isEqualTo(AuthMode.DELEGATED);
      assertThat(f.engine.tenantStatus(f.m365.tenantId()).appMode()).isEqualTo(TenantStatus.AppMode.NOT_ENABLED);
    } finally {
      store.release.countDown();
      threads.shutdownNow();
    }
  }
}

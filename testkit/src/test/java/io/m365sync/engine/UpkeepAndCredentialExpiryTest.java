package io.m365sync.engine;

import static io.m365sync.engine.EngineFixture.EVENTS_AND_CONTACTS;
import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.TenantId;
import io.m365sync.auth.AppRegistrations;
import io.m365sync.auth.CredentialExpiry;
import io.m365sync.auth.KeepAliveReport;
import io.m365sync.auth.RegisteredApp;
import io.m365sync.model.ResourceType;
import io.m365sync.schedule.SyncScheduler;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.RecordingSyncListener;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The engine's upkeep: delegated keep-alive at its interval, and app credential expiry warnings per tenant. */
class UpkeepAndCredentialExpiryTest {

  private static EngineFixture team(SyncOptions options) {
    EngineFixture f = EngineFixture.standard();
    f.build(options, false);
    for (String a : List.of("alice", "bob", "carol")) {
      f.user(a);
      f.signIn(a, EVENTS_AND_CONTACTS);
    }
    return f;
  }

  @Test
  void keepAliveRunsAtItsIntervalOnTheEngineClockAndKeepsIdleGrantsPastNinetyDays() {
    EngineFixture f = team(SyncOptions.defaults());
    f.engine.runCycle();
    // carol's sessions are revoked: her next round flips her to NEEDS_SIGN_IN
    f.m365.tenant().revokeSignInSessions(f.users.get("carol"));
    f.cycleAfter(Duration.ofHours(2));
    assertThat(f.status("carol")).isEqualTo(MailboxStatus.NEEDS_SIGN_IN);
    f.engine.unenroll(f.id("bob"));
    long carol = f.refreshRequests("carol");
    long bob = f.refreshRequests("bob");

    // no cycles for 120 days: only the upkeep runs, every 12 hours
    long aliceBefore = f.refreshRequests("alice");
    int passes = 0;
    for (int i = 0; i < 240; i++) {
      f.m365.clock().advance(Duration.ofHours(12));
      KeepAliveReport r = f.engine.keepAlive();
      passes += r.refreshed().isEmpty() ? 0 : 1;
    }

    assertThat(passes).as("one pass per keepAliveInterval (1 day), not per upkeep call").isEqualTo(120);
    assertThat(f.refreshRequests("alice") - aliceBefore).isEqualTo(120);
    assertThat(f.refreshRequests("carol")).as("never for NEEDS_SIGN_IN").isEqualTo(carol);
    assertThat(f.refreshRequests("bob")).as("never for unenrolled").isEqualTo(bob);
    f.engine.runCycle();
    assertThat(f.status("alice")).as("the grant outlived Entra's 90-day inactivity limit").isEqualTo(MailboxStatus.ACTIVE);
  }

  @Test
  void theKeepAliveIntervalIsASyncOption() {
    EngineFixture f = team(SyncOptions.defaults().withKeepAliveInterval(Duration.ofDays(7)));
    assertThat(f.engine.keepAlive().refreshed()).hasSize(3);
    f.m365.clock().advance(Duration.ofDays(6));
    assertThat(f.engine.keepAlive().refreshed()).isEmpty();
    f.m365.clock().advance(Duration.ofDays(1));
    assertThat(f.engine.keepAlive().refreshed()).hasSize(3);
    assertThat(SyncOptions.fromProperties(k -> Map.of("m365sync.keepAliveInterval", "P2D",
        "m365sync.credentialExpiryWarning", "P10D").get(k)))
        .extracting(SyncOptions::keepAliveInterval, SyncOptions::credentialExpiryWarning)
        .containsExactly(Duration.ofDays(2), Duration.ofDays(10));
  }

  @Test
  void theInProcessSchedulerRunsTheUpkeepAfterItsCycle() throws Exception {
    EngineFixture f = EngineFixture.standard();
    ScheduledExecutorService ses = Executors.newSingleThreadScheduledExecutor();
    try (SyncEngine engine = SyncEngine.builder().clock(f.m365.clock()).gateway(f.m365.gateway())
        .delegatedTokens(f.m365.delegatedTokens()).resource(ResourceSyncers.oneWay(ResourceType.EVENTS, f.crmEvents))
        .scheduler(SyncScheduler.inProcess(ses, Duration.ofHours(1))) // one tick only: the first, at once
        .build()) {
      f.engine = engine;
      f.user("alice");
      f.signIn("alice", EVENTS_AND_CONTACTS);
      long before = f.refreshRequests("alice");
      f.m365.clock().advance(Duration.ofHours(2)); // the cycle refreshes the expired access token once
      engine.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (f.refreshRequests("alice") < before + 2 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000); // waiting for the executor's thread, not for time to pass
      }
      assertThat(f.refreshRequests("alice") - before).as("the cycle's refresh, then the keep-alive's").isEqualTo(2);
    } finally {
      ses.shutdownNow();
      assertThat(ses.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aKnownCredentialExpiryWarnsThirtyDaysAheadOncePerTenantPerDayAndTheMonitorShowsIt() {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    Instant expires = m365.clock().instant().plus(Duration.ofDays(40));
    Map<TenantId, RegisteredApp<String>> vault = new ConcurrentHashMap<>();
    vault.put(m365.tenantId(), RegisteredApp.of(FakeMicrosoft365.CLIENT_ID, FakeMicrosoft365.CLIENT_SECRET).expiringAt(expires));
    AppRegistrations<String> registrations = vault::get;
    EngineFixture f = new EngineFixture(m365);
    RecordingSyncListener listener = new RecordingSyncListener();
    f.engine = SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway()).delegatedTokens(m365.delegatedTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, f.crmEvents)).listener(listener)
        .appRegistrations(registrations).build();
    f.user("alice");
    f.signIn("alice", EVENTS_AND_CONTACTS);

    assertThat(f.engine.monitor().credentialExpiries())
        .containsExactly(new CredentialExpiry(m365.tenantId(), FakeMicrosoft365.CLIENT_ID, expires));
    f.engine.runCycle();
    f.cycleAfter(Duration.ofDays(9)); // 31 days left
    assertThat(listener.credentialWarnings()).isEmpty();

    f.cycleAfter(Duration.ofDays(1)); // 30 days left: warned
    f.cycleAfter(Duration.ofHours(6));
    f.cycleAfter(Duration.ofHours(6));
    assertThat(listener.credentialWarnings()).hasSize(1);
    f.cycleAfter(Duration.ofHours(13)); // a day later: again
    assertThat(listener.credentialWarnings()).hasSize(2)
        .allSatisfy(w -> assertThat(w.expiresAt()).isEqualTo(expires));

    // the host rotates the secret in its vault: no more warnings, the monitor shows the new date
    Instant renewed = expires.plus(Duration.ofDays(365));
    vault.put(m365.tenantId(), RegisteredApp.of(FakeMicrosoft365.CLIENT_ID, "rotated").expiringAt(renewed));
    f.cycleAfter(Duration.ofDays(1));
    f.cycleAfter(Duration.ofDays(1));
    assertThat(listener.credentialWarnings()).hasSize(2);
    assertThat(f.engine.monitor().credentialExpiry(m365.tenantId()).orElseThrow().expiresAt()).isEqualTo(renewed);
  }
}

package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxSyncReport;
import io.m365sync.SyncListener;
import io.m365sync.SyncOptions;
import io.m365sync.TenantStatus;
import io.m365sync.model.CalendarEvent;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.ResourceResult;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Failures that must not spread: listeners, throttling, unavailable mailboxes, expired delta links. */
class EngineRobustnessTest {
  private static final List<String> TEAM = List.of("alice", "bob", "carol");

  private static EngineFixture team(SyncListener extra) {
    EngineFixture f = EngineFixture.standard();
    io.m365sync.SyncEngine.Builder b = io.m365sync.SyncEngine.builder()
        .clock(f.m365.clock()).gateway(f.m365.gateway())
        .delegatedTokens(f.m365.delegatedTokens()).applicationTokens(f.m365.applicationTokens())
        .resource(io.m365sync.sync.ResourceSyncers.oneWay(io.m365sync.model.ResourceType.EVENTS, f.crmEvents))
        .resource(io.m365sync.sync.ResourceSyncers.oneWay(io.m365sync.model.ResourceType.CONTACTS, f.crmContacts))
        .listener(f.listener);
    if (extra != null) {
      b.listener(extra);
    }
    f.engine = b.build();
    TEAM.forEach(f::user);
    TEAM.forEach(a -> f.signIn(a, EngineFixture.EVENTS_AND_CONTACTS));
    return f;
  }

  @Test
  void aListenerThatThrowsNeverBreaksARound() {
    SyncListener hostile = new SyncListener() {
      @Override
      public void mailboxStatusChanged(MailboxState previous, MailboxState current) {
        throw new IllegalStateException("boom");
      }

      @Override
      public void resourceSynced(Mailbox mailbox, ResourceResult result) {
        throw new IllegalStateException("boom");
      }

      @Override
      public void mailboxSynced(MailboxSyncReport report) {
        throw new IllegalStateException("boom");
      }

      @Override
      public void tenantStatusChanged(TenantStatus previous, TenantStatus current) {
        throw new IllegalStateException("boom");
      }

      @Override
      public void cycleFinished(CycleReport report) {
        throw new IllegalStateException("boom");
      }
    };
    EngineFixture f = team(hostile);

    CycleReport r = f.engine.runCycle();

    assertThat(r.countByStatus()).containsEntry(MailboxStatus.ACTIVE, 3);
    assertThat(f.listener.rounds()).hasSize(3); // the well-behaved listener still heard everything
    TEAM.forEach(a -> assertThat(f.crmEvents.items(f.id(a))).hasSize(3));
  }

  @Test
  void aThrottledMailboxWaitsForRetryAfterWhileOthersKeepSyncing() {
    EngineFixture f = team(null);
    f.engine.runCycle();
    f.m365.tenant().addFault(FaultRule.fail("GET .*/calendarView/delta", f.oid("bob"), 1,
        GraphError.throttled(Duration.ofSeconds(30))));
    TEAM.forEach(a -> f.m365.mailbox(f.users.get(a)).calendar().create(CalendarEvent.simple("new",
        f.m365.clock().instant().plus(Duration.ofDays(1)), f.m365.clock().instant().plus(Duration.ofDays(1)).plusSeconds(60))));

    f.cycleAfter(Duration.ofMinutes(1));
    MailboxState bob = f.engine.monitor().mailbox(f.id("bob")).orElseThrow();
    assertThat(bob.status()).isEqualTo(MailboxStatus.THROTTLED);
    assertThat(bob.nextAttempt()).isEqualTo(f.m365.clock().instant().plusSeconds(30));
    assertThat(f.crmEvents.items(f.id("alice"))).hasSize(4);
    assertThat(f.crmEvents.items(f.id("carol"))).hasSize(4);
    long bobRequests = f.graphRequests("bob");

    f.cycleAfter(Duration.ofSeconds(10)); // still inside Retry-After: bob is left alone
    assertThat(f.graphRequests("bob")).isEqualTo(bobRequests);

    f.cycleAfter(Duration.ofSeconds(25));
    assertThat(f.status("bob")).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(f.crmEvents.items(f.id("bob"))).hasSize(4);
    assertThat(f.crmEvents.duplicates(f.id("bob"))).isZero();
  }

  @Test
  void anUnlicensedMailboxIsMarkedUnavailableAndLeftAloneUntilTheRecheck() {
    EngineFixture f = team(null);
    f.users.get("carol").licensed(false);

    f.engine.runCycle();
    assertThat(f.status("carol")).isEqualTo(MailboxStatus.MAILBOX_UNAVAILABLE);
    assertThat(f.engine.monitor().mailbox(f.id("carol")).orElseThrow().reasonCode()).isEqualTo("MailboxNotEnabledForRESTAPI");
    long requests = f.graphRequests("carol");
    f.cycleAfter(Duration.ofHours(1));
    assertThat(f.graphRequests("carol")).isEqualTo(requests);
    assertThat(f.engine.monitor().failing()).extracting(MailboxState::mailbox).containsExactly(f.id("carol"));

    f.users.get("carol").licensed(true);
    f.cycleAfter(SyncOptions.defaults().unavailableRecheck());
    assertThat(f.status("carol")).isEqualTo(MailboxStatus.ACTIVE);
  }

  @Test
  void anExpiredDeltaLinkRestartsAFullRoundThatRelinksInsteadOfDuplicating() {
    EngineFixture f = team(null);
    f.engine.runCycle();
    long creates = f.crmEvents.creates();
    f.m365.mailbox(f.users.get("alice")).calendar().evictDeltaTokens();

    CycleReport r = f.cycleAfter(Duration.ofMinutes(5));

    assertThat(r.mailbox(f.id("alice")).resource(io.m365sync.Resource.EVENTS).orElseThrow().fullResync()).isTrue();
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(f.crmEvents.creates()).isEqualTo(creates);
    assertThat(f.crmEvents.items(f.id("alice"))).hasSize(3);
  }

  @Test
  void aRejectedTokenIsDroppedSoTheNextRoundFetchesAFreshOne() {
    EngineFixture f = team(null);
    f.m365.grantApplicationPermissions(io.m365sync.Resource.EVENTS, io.m365sync.Resource.CONTACTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);
    f.engine.runCycle();
    long tokens = f.appTokenRequests();
    f.m365.tenant().addFault(FaultRule.fail("calendarView/delta", f.oid("alice"), 1,
        GraphError.invalidToken("Lifetime validation failed, the token is expired.")));

    f.cycleAfter(Duration.ofMinutes(1));
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.FAILING);
    assertThat(f.engine.monitor().mailbox(f.id("alice")).orElseThrow().reasonCode()).isEqualTo("InvalidAuthenticationToken");

    f.m365.clock().set(f.engine.monitor().mailbox(f.id("alice")).orElseThrow().nextAttempt());
    f.engine.runCycle();
    assertThat(f.appTokenRequests()).as("a fresh app-only token after the 401").isEqualTo(tokens + 1);
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.ACTIVE);
  }

  @Test
  void aFailingRoundBacksOffAndRecovers() {
    EngineFixture f = team(null);
    f.m365.tenant().addFault(FaultRule.fail("contacts/delta", f.oid("alice"), 2,
        new GraphError(500, "UnknownError", "An internal server error occurred.")));

    f.engine.runCycle();
    MailboxState failing = f.engine.monitor().mailbox(f.id("alice")).orElseThrow();
    assertThat(failing.status()).isEqualTo(MailboxStatus.FAILING);
    assertThat(failing.reasonCode()).isEqualTo("UnknownError");
    assertThat(f.crmEvents.items(f.id("alice"))).as("events synced although contacts failed").hasSize(3);
    Instant now = f.m365.clock().instant();
    assertThat(failing.nextAttempt()).as("1 minute, spread by at most 20%%")
        .isBetween(now.plusSeconds(48), now.plusSeconds(72));

    f.cycleAfter(Duration.ofSeconds(30));
    assertThat(f.engine.monitor().mailbox(f.id("alice")).orElseThrow().consecutiveFailures())
        .as("not due yet: the cycle leaves it alone").isEqualTo(1);

    f.m365.clock().set(failing.nextAttempt());
    f.engine.runCycle();
    MailboxState again = f.engine.monitor().mailbox(f.id("alice")).orElseThrow();
    assertThat(again.consecutiveFailures()).isEqualTo(2);
    now = f.m365.clock().instant();
    assertThat(again.nextAttempt()).as("doubled").isBetween(now.plusSeconds(96), now.plusSeconds(144));

    f.m365.clock().set(again.nextAttempt());
    f.engine.runCycle();
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(f.crmContacts.items(f.id("alice"))).hasSize(2);
  }

  @Test
  void cyclesRunMailboxesConcurrentlyOnTheHostExecutor() throws Exception {
    EngineFixture f = EngineFixture.standard();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      f.engine = io.m365sync.SyncEngine.builder()
          .clock(f.m365.clock()).gateway(f.m365.gateway()).executor(pool)
          .delegatedTokens(f.m365.delegatedTokens())
          .resource(io.m365sync.sync.ResourceSyncers.oneWay(io.m365sync.model.ResourceType.EVENTS, f.crmEvents))
          .options(SyncOptions.defaults().withMaxConcurrentMailboxes(3))
          .build();
      for (int i = 0; i < 20; i++) {
        f.user("user" + i);
        f.signIn("user" + i, java.util.Set.of(io.m365sync.Resource.EVENTS));
      }
      CycleReport r = f.engine.runCycle();
      assertThat(r.countByStatus()).containsEntry(MailboxStatus.ACTIVE, 20);
      assertThat(r.applied()).isEqualTo(60);
    } finally {
      pool.shutdownNow();
    }
  }
}

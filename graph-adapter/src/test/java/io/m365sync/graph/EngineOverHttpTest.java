package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** The core token-expiry story, end to end over HTTP with the real MSAL4J and Graph SDK. */
@Order(3)
class EngineOverHttpTest {
  private final EmulatorFixture fx = new EmulatorFixture();
  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private final InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("evt");

  @AfterEach
  void close() {
    pool.shutdownNow();
    fx.close();
  }

  private SyncEngine engine() {
    return SyncEngine.builder().clock(fx.clock).executor(pool).stateStore(fx.store).gateway(fx.gateway)
        .delegatedTokens(fx.delegated).applicationTokens(fx.application)
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm)).build();
  }

  private void seed(ModelUser u, String subject) {
    Instant start = fx.clock.instant().plus(Duration.ofDays(2));
    fx.tenant.mailbox(u).calendar().create(CalendarEvent.simple(subject, start, start.plus(Duration.ofHours(1))));
  }

  /**
   * The tenant's client secret expires while six mailboxes sync: MSAL's confidential client sends the
   * same secret for the app-only token and for every user's refresh. One tenant error (application
   * mode off, delegated requests held), at most one refresh probe for the whole tenant, no mailbox
   * FAILING — counted in the emulator's log, which records failed token requests too.
   */
  @Test
  void anExpiredSecretIsOneTenantErrorNotOnePerMailbox() {
    SyncEngine engine = engine();
    List<Mailbox> mailboxes = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ModelUser u = fx.tenant.addUser("user" + i);
      seed(u, "m" + i);
      mailboxes.add(fx.signIn(u, Resource.EVENTS));
      engine.enroll(mailboxes.get(i));
    }
    fx.grantApplication(Resource.EVENTS);
    engine.setApplicationPermissionEnabled(fx.tenantId(), true);
    engine.runCycle();
    long refreshesBefore = fx.cloud.log().tokens().grantType("refresh_token").count();
    long appBefore = fx.cloud.log().tokens().grantType("client_credentials").count();

    fx.clock.advance(Duration.ofDays(366)); // the one-year secret expired
    for (int c = 0; c < 4; c++) {
      engine.runCycle();
      fx.clock.advance(Duration.ofMinutes(10));
    }

    assertThat(fx.cloud.log().tokens().grantType("client_credentials").count() - appBefore)
        .as("app-only token requests after the expiry").isEqualTo(1);
    assertThat(fx.cloud.log().tokens().grantType("refresh_token").count() - refreshesBefore)
        .as("refresh requests for the whole tenant after the expiry").isLessThanOrEqualTo(1);
    assertThat(fx.cloud.log().tokens().error("AADSTS7000222").failed().count()).isBetween(1L, 2L);
    assertThat(engine.tenantStatus(fx.tenantId()).reasonCode()).isEqualTo("AADSTS7000222");
    for (Mailbox m : mailboxes) {
      assertThat(engine.monitor().mailbox(m.id()).orElseThrow().status()).as("%s", m.id())
          .isNotEqualTo(MailboxStatus.FAILING);
    }
  }

  @Test
  void delegatedStopsAtTheCliffApplicationModeContinuesNonEnrolledGetNothing() {
    ModelUser alice = fx.tenant.addUser("alice");
    ModelUser bob = fx.tenant.addUser("bob");
    ModelUser stranger = fx.tenant.addUser("stranger");
    seed(alice, "a1");
    seed(bob, "b1");
    seed(stranger, "s1");
    SyncEngine engine = engine();
    Mailbox a = fx.signIn(alice, Resource.EVENTS);
    Mailbox b = fx.signIn(bob, Resource.EVENTS);
    engine.enroll(a);
    engine.enroll(b);

    CycleReport first = engine.runCycle();
    assertThat(first.countByStatus()).containsEntry(MailboxStatus.ACTIVE, 2);
    assertThat(crm.list(a.id())).hasSize(1);

    fx.clock.advance(Duration.ofDays(91));
    CycleReport cliff = engine.runCycle();
    assertThat(cliff.mailbox(a.id()).state().status()).isEqualTo(MailboxStatus.NEEDS_SIGN_IN);
    assertThat(cliff.mailbox(a.id()).state().reasonCode()).isEqualTo("AADSTS700082");
    long refreshes = fx.cloud.log().refreshRequests(alice.objectId());
    engine.runCycle();
    assertThat(fx.cloud.log().refreshRequests(alice.objectId())).isEqualTo(refreshes); // no more token requests

    fx.grantApplication(Resource.EVENTS);
    engine.setApplicationPermissionEnabled(fx.tenantId(), true);
    seed(alice, "a2");
    fx.clock.advance(Duration.ofHours(2));
    CycleReport app = engine.runCycle();
    assertThat(app.mailbox(a.id()).state().status()).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(crm.list(a.id())).hasSize(2);
    assertThat(fx.cloud.log().requestsAbout(stranger.objectId())).isZero();
  }

  @Test
  void aMailboxUnderRetryAfter30DoesNotDelayTheOthers() {
    fx.grantApplication(Resource.EVENTS);
    SyncEngine engine = engine();
    engine.setApplicationPermissionEnabled(fx.tenantId(), true);
    ModelUser slow = fx.tenant.addUser("slow");
    seed(slow, "x");
    Mailbox s = fx.signIn(slow, Resource.EVENTS);
    engine.enroll(s);
    java.util.List<Mailbox> others = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ModelUser u = fx.tenant.addUser("fast" + i);
      seed(u, "f" + i);
      Mailbox m = fx.signIn(u, Resource.EVENTS);
      engine.enroll(m);
      others.add(m);
    }
    fx.tenant.addFault(FaultRule.fail("calendarView", slow.objectId(), 100, GraphError.throttled(Duration.ofSeconds(30))));
    long t0 = System.nanoTime();
    CycleReport r = engine.runCycle();
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(millis).isLessThan(10_000);
    assertThat(r.mailbox(s.id()).state().status()).isEqualTo(MailboxStatus.THROTTLED);
    assertThat(r.mailbox(s.id()).state().nextAttempt()).isEqualTo(fx.clock.instant().plus(Duration.ofSeconds(30)));
    for (Mailbox m : others) {
      assertThat(r.mailbox(m.id()).state().status()).isEqualTo(MailboxStatus.ACTIVE);
      assertThat(crm.list(m.id())).hasSize(1);
    }
    fx.tenant.clearFaults();
    fx.clock.advance(Duration.ofSeconds(31));
    engine.runCycle();
    assertThat(crm.list(s.id())).hasSize(1);
  }
}

package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.NotEnrolledException;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.TenantId;
import io.m365sync.TenantStatus;
import io.m365sync.access.AccessPolicyCheck;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.model.TodoTask;
import io.m365sync.notify.Subscription;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.RunRecord;
import io.m365sync.state.SyncStateStore;
import io.m365sync.state.TenantSettings;
import io.m365sync.state.UnreadableRow;
import io.m365sync.sync.MailboxSettingsOptions;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.ForwardingCrmStore;
import io.m365sync.testkit.ForwardingSyncStateStore;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The engine's promises, each on the path beside the one earlier tests walked: only enrolled
 * mailboxes, application permissions only where the policy allows, backoff honoured by every
 * scheduler, a dead delegated token remembered, outages kept local. One test per defect found in
 * review; each failed on the code before the fix.
 */
class EnginePromisesTest {

  // ------------------------------------------------------------------ access policy: the whole mailbox

  /** A RestrictAccess policy whose group does not hold bob; bob enrolled for To Do and mailbox settings. */
  private static final class PolicyWorld {
    final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    final InMemoryCrmStore<TodoTask> crmTasks = new InMemoryCrmStore<>("task");
    final InMemoryCrmStore<MailboxSettings> crmSettings = new InMemoryCrmStore<>("settings");
    final SyncStateStore store = SyncStateStore.inMemory();
    final ModelUser alice = m365.addUser("alice");
    final ModelUser bob = m365.addUser("bob");
    SyncEngine engine;

    PolicyWorld(SyncOptions options) {
      m365.mailbox(bob).tasks().create(TodoTask.of("call the buyer", m365.clock().instant().plus(Duration.ofDays(2))));
      m365.mailbox(alice).tasks().create(TodoTask.of("send the offer", m365.clock().instant().plus(Duration.ofDays(2))));
      ModelGroup sync = m365.tenant().addGroup("crm-sync", true).add(alice);
      m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, FakeMicrosoft365.CLIENT_ID, sync,
          "CRM sync may reach crm-sync only");
      m365.clock().advance(m365.tenant().policyPropagationDelay().plusMinutes(1));
      m365.grantApplicationPermissions(Resource.TASKS, Resource.MAILBOX_SETTINGS);
      engine = build(options);
      engine.setApplicationPermissionEnabled(m365.tenantId(), true);
      for (ModelUser u : new ModelUser[] {alice, bob}) {
        engine.enroll(m365.signIn(u, EnumSet.of(Resource.TASKS, Resource.MAILBOX_SETTINGS)));
      }
    }

    SyncEngine build(SyncOptions options) {
      return SyncEngine.builder().clock(m365.clock()).stateStore(store).gateway(m365.gateway())
          .delegatedTokens(m365.delegatedTokens()).applicationTokens(m365.applicationTokens())
          .resource(ResourceSyncers.oneWay(ResourceType.TASKS, crmTasks))
          .resource(ResourceSyncers.mailboxSettings(crmSettings, MailboxSettingsOptions.defaults()))
          .options(options).build();
    }

    long appOnly(ModelUser u, int status, String pathPart) {
      return m365.cloud().log().count(r -> r.isGraph() && u.objectId().equals(r.targetUserId())
          && r.mode() == AuthMode.APPLICATION && r.status() == status && r.operation().contains(pathPart));
    }
  }

  @Test
  void toDoNeverGoesAppOnlyForAMailboxTheAccessPolicyExcludes() {
    PolicyWorld w = new PolicyWorld(SyncOptions.defaults());

    for (int i = 0; i < 4; i++) {
      w.engine.runCycle();
      w.m365.clock().advance(Duration.ofMinutes(15));
    }

    assertThat(w.appOnly(w.bob, 200, "/todo/")).as("To Do read app-only for a user outside the policy").isZero();
    assertThat(w.appOnly(w.bob, 403, "")).as("one 403 probe, then the deny holds for the TTL").isEqualTo(1);
    assertThat(w.crmTasks.items(w.m365.mailboxId(w.bob))).as("To Do synced with bob's delegated token").hasSize(1);
    MailboxState bob = w.engine.monitor().mailbox(w.m365.mailboxId(w.bob)).orElseThrow();
    assertThat(bob.status()).isEqualTo(MailboxStatus.DENIED_BY_POLICY);
    assertThat(bob.reason()).doesNotContain("delegated token; syncing"); // the reason does not grow round by round
    assertThat(w.appOnly(w.alice, 200, "/todo/")).as("alice is in scope: To Do follows her mailbox settings app-only")
        .isPositive();
  }

  @Test
  void aDeadDelegatedTokenStaysDeadWhileTheMailboxIsDeniedByPolicy() {
    PolicyWorld w = new PolicyWorld(SyncOptions.defaults());
    w.engine.runCycle();
    w.m365.clock().advance(Duration.ofDays(91)); // bob's refresh token dies of inactivity
    w.engine.runCycle();
    MailboxState bob = w.engine.monitor().mailbox(w.m365.mailboxId(w.bob)).orElseThrow();
    assertThat(bob.status()).isEqualTo(MailboxStatus.DENIED_BY_POLICY);
    assertThat(bob.delegatedDeadSince()).isNotNull();
    long refreshes = w.m365.cloud().log().refreshRequests(w.bob.objectId());

    for (int i = 0; i < 6; i++) {
      w.m365.clock().advance(Duration.ofMinutes(30));
      w.engine.runCycle();
    }
    assertThat(w.m365.cloud().log().refreshRequests(w.bob.objectId())).as("refresh requests with a dead token")
        .isEqualTo(refreshes);
    assertThat(w.engine.monitor().mailbox(w.m365.mailboxId(w.bob)).orElseThrow().delegatedDeadSince())
        .isEqualTo(bob.delegatedDeadSince());
  }

  @Test
  void aStoredDenyHoldsForANewEngineUntilItsTtlPasses() {
    PolicyWorld w = new PolicyWorld(SyncOptions.defaults());
    w.engine.runCycle();
    assertThat(w.appOnly(w.bob, 403, "")).isEqualTo(1);

    SyncEngine restarted = w.build(SyncOptions.defaults()); // same state store, empty memory
    restarted.setApplicationPermissionEnabled(w.m365.tenantId(), true);
    w.m365.clock().advance(Duration.ofMinutes(15));
    restarted.runCycle();

    assertThat(w.appOnly(w.bob, 403, "")).as("no new probe before the TTL").isEqualTo(1);
    assertThat(w.appOnly(w.bob, 200, "")).isZero();

    w.m365.clock().advance(SyncOptions.defaults().accessDecisionTtl());
    restarted.runCycle();
    assertThat(w.appOnly(w.bob, 403, "")).as("one re-probe after the TTL").isEqualTo(2);
  }

  @Test
  void theHostCanKeepUnscopedResourcesDelegatedOnly() {
    PolicyWorld w = new PolicyWorld(SyncOptions.defaults().withUnscopedDelegatedOnly(true));
    w.engine.runCycle();
    assertThat(w.appOnly(w.alice, 200, "mailboxSettings")).isPositive();
    assertThat(w.appOnly(w.alice, 200, "/todo/")).isZero();
    assertThat(w.crmTasks.items(w.m365.mailboxId(w.alice))).hasSize(1);
  }

  // ------------------------------------------------------------------ the enrollment gate under the lock

  /** A CRM that holds its first save until released, so a test can act while a round is mid-way. */
  private static final class HeldCrm<T extends SyncItem> extends ForwardingCrmStore<T> {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean hold = new AtomicBoolean(true);
    final AtomicLong savesAfterUnenroll = new AtomicLong();
    volatile boolean unenrolled;

    HeldCrm(String prefix) {
      super(new InMemoryCrmStore<>(prefix));
    }

    @Override
    public CrmRecord<T> save(MailboxId mailbox, String crmId, T item) {
      if (hold.compareAndSet(true, false)) {
        entered.countDown();
        await(release);
      }
      if (unenrolled) {
        savesAfterUnenroll.incrementAndGet();
      }
      return super.save(mailbox, crmId, item);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).as("latch").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void unenrollStopsTheRoundInFlightBeforeItsNextRequestAndLeavesNoState() throws Exception {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser bob = m365.addUser("bob");
    Instant now = m365.clock().instant();
    m365.mailbox(bob).calendar().create(CalendarEvent.simple("demo", now.plus(Duration.ofDays(1)),
        now.plus(Duration.ofDays(1)).plusSeconds(3600)));
    m365.mailbox(bob).contacts().create(io.m365sync.model.Contact.of("Ada", "Lovelace", "ada@example.com"));
    HeldCrm<CalendarEvent> crmEvents = new HeldCrm<>("event");
    InMemoryCrmStore<io.m365sync.model.Contact> crmContacts = new InMemoryCrmStore<>("contact");
    SyncStateStore store = SyncStateStore.inMemory();
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).stateStore(store).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crmEvents))
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crmContacts)).build();
    Mailbox mailbox = m365.signIn(bob, EngineFixture.EVENTS_AND_CONTACTS);
    engine.enroll(mailbox);

    CompletableFuture<MailboxSyncReport> round = CompletableFuture.supplyAsync(() -> engine.syncMailbox(mailbox.id()));
    await(crmEvents.entered);
    long graphBefore = m365.cloud().log().graphRequests(bob.objectId());
    CompletableFuture<Void> unenroll = CompletableFuture.runAsync(() -> engine.unenroll(mailbox.id()));
    Thread.sleep(100); // test-only: give unenroll time to raise the stop flag before the round goes on
    crmEvents.release.countDown();
    unenroll.get(10, TimeUnit.SECONDS);
    crmEvents.unenrolled = true;
    round.get(10, TimeUnit.SECONDS);

    assertThat(m365.cloud().log().graphRequests(bob.objectId())).as("Graph requests after unenroll was called")
        .isEqualTo(graphBefore);
    assertThat(crmContacts.items(mailbox.id())).isEmpty();
    assertThat(store.links(mailbox.id(), Resource.EVENTS)).isEmpty();
    assertThat(store.status(mailbox.id())).isEmpty();
    assertThat(store.enrollment(mailbox.id())).isEmpty();
    assertThat(crmEvents.savesAfterUnenroll.get()).isZero();
    assertThatThrownBy(() -> engine.syncMailbox(mailbox.id())).isInstanceOf(NotEnrolledException.class);
  }

  /** A state store whose purge waits, so a host's syncMailbox can queue up behind a running unenroll. */
  private static final class SlowPurgeStore extends ForwardingSyncStateStore {
    final CountDownLatch purging = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    SlowPurgeStore() {
      super(SyncStateStore.inMemory());
    }

    @Override
    public void purge(MailboxId mailbox) {
      purging.countDown();
      await(release);
      delegate.purge(mailbox);
    }
  }

  @Test
  void aSyncQueuedBehindUnenrollSendsNothing() throws Exception {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser bob = m365.addUser("bob");
    m365.mailbox(bob).contacts().create(io.m365sync.model.Contact.of("Ada", "Lovelace", "ada@example.com"));
    InMemoryCrmStore<io.m365sync.model.Contact> crm = new InMemoryCrmStore<>("contact");
    SlowPurgeStore store = new SlowPurgeStore();
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).stateStore(store).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens()).resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm)).build();
    Mailbox mailbox = m365.signIn(bob, EnumSet.of(Resource.CONTACTS));
    engine.enroll(mailbox);

    CompletableFuture<Void> unenroll = CompletableFuture.runAsync(() -> engine.unenroll(mailbox.id()));
    await(store.purging);
    CompletableFuture<MailboxSyncReport> sync = CompletableFuture.supplyAsync(() -> engine.syncMailbox(mailbox.id()));
    Thread.sleep(100); // test-only: let the sync reach the mailbox's lock
    store.release.countDown();
    unenroll.get(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> sync.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(NotEnrolledException.class);
    assertThat(m365.cloud().log().graphRequests(bob.objectId())).as("Graph requests for bob").isZero();
    assertThat(crm.items(mailbox.id())).isEmpty();
    assertThat(store.links(mailbox.id(), Resource.CONTACTS)).isEmpty();
  }

  // ------------------------------------------------------------------ schedulers honour backoff

  @Test
  void theSchedulersEntryHonoursRetryAfterAndBackoffWhileTheHostsCallDoesNot() {
    EngineFixture f = EngineFixture.standard();
    f.build();
    f.user("alice");
    f.signIn("alice", EngineFixture.EVENTS_AND_CONTACTS);
    f.m365.tenant().addFault(FaultRule.fail("calendarView/delta", f.oid("alice"), 1,
        GraphError.throttled(Duration.ofMinutes(5))));
    f.engine.syncIfDue(f.id("alice"));
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.THROTTLED);
    long requests = f.graphRequests("alice");

    f.m365.clock().advance(Duration.ofMinutes(1));
    MailboxSyncReport early = f.engine.syncIfDue(f.id("alice"));
    assertThat(early.ran()).isFalse();
    assertThat(f.graphRequests("alice")).as("nothing sent inside Retry-After").isEqualTo(requests);

    f.m365.clock().advance(Duration.ofMinutes(4));
    assertThat(f.engine.syncIfDue(f.id("alice")).ran()).isTrue();
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.ACTIVE);
  }

  @Test
  void retryAfterIsCappedByTheOption() {
    EngineFixture f = EngineFixture.standard();
    f.build();
    f.user("alice");
    f.signIn("alice", EngineFixture.EVENTS_AND_CONTACTS);
    f.m365.tenant().addFault(FaultRule.fail("calendarView/delta", f.oid("alice"), 1,
        GraphError.throttled(Duration.ofDays(365))));

    f.engine.runCycle();

    MailboxState alice = f.engine.monitor().mailbox(f.id("alice")).orElseThrow();
    assertThat(alice.status()).isEqualTo(MailboxStatus.THROTTLED);
    assertThat(alice.nextAttempt()).isEqualTo(f.m365.clock().instant().plus(Duration.ofHours(1)));
  }

  // ------------------------------------------------------------------ a dead delegated token stays dead

  @Test
  void theEngineRemembersADeadDelegatedTokenAcrossModeSwitchesAndRestarts() {
    EngineFixture f = EngineFixture.standard();
    f.build();
    f.user("alice");
    f.signIn("alice", EngineFixture.EVENTS_AND_CONTACTS);
    f.engine.runCycle();
    f.cycleAfter(Duration.ofDays(91));
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.NEEDS_SIGN_IN);
    long refreshes = f.refreshRequests("alice");

    f.m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);
    f.cycleAfter(Duration.ofMinutes(15));
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.ACTIVE);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), false);
    f.cycleAfter(Duration.ofMinutes(15));
    f.cycleAfter(Duration.ofMinutes(15));

    MailboxState alice = f.engine.monitor().mailbox(f.id("alice")).orElseThrow();
    assertThat(alice.status()).isEqualTo(MailboxStatus.NEEDS_SIGN_IN);
    assertThat(alice.delegatedDeadSince()).isNotNull();
    assertThat(f.refreshRequests("alice")).as("refresh requests with a dead token").isEqualTo(refreshes);

    SyncEngine restarted = SyncEngine.builder().clock(f.m365.clock()).stateStore(f.engine.stateStore())
        .gateway(f.m365.gateway()).delegatedTokens(f.m365.delegatedTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, f.crmEvents)).build();
    f.m365.clock().advance(Duration.ofMinutes(15));
    restarted.runCycle();
    assertThat(f.refreshRequests("alice")).as("after a restart").isEqualTo(refreshes);

    f.signIn("alice", EngineFixture.EVENTS_AND_CONTACTS); // only a new sign-in ends it
    f.cycleAfter(Duration.ofMinutes(15));
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.ACTIVE);
  }

  @Test
  void aDeadTokensReasonTellsTheUserToSignInNotThatApplicationModeIsOff() {
    EngineFixture f = EngineFixture.standard();
    f.build();
    f.user("alice");
    f.signIn("alice", EngineFixture.EVENTS_AND_CONTACTS);
    f.engine.runCycle();
    f.cycleAfter(Duration.ofDays(91));

    MailboxState alice = f.engine.monitor().mailbox(f.id("alice")).orElseThrow();
    assertThat(alice.reasonCode()).isEqualTo("AADSTS700082");
    assertThat(alice.reason()).startsWith("the user's delegated token was refused (AADSTS700082)")
        .contains("sign in");
  }

  // ------------------------------------------------------------------ a quarantine is visible and releasable

  @Test
  void aQuarantinedResourceShowsInTheStatusTellsTheHostAndIsReleasedAtRuntime() {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser alice = m365.addUser("alice");
    for (int i = 0; i < 12; i++) {
      m365.mailbox(alice).contacts().create(io.m365sync.model.Contact.of("C", "" + i, "c" + i + "@example.com"));
    }
    InMemoryCrmStore<io.m365sync.model.Contact> crm = new InMemoryCrmStore<>("contact");
    io.m365sync.testkit.RecordingSyncListener listener = new io.m365sync.testkit.RecordingSyncListener();
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens()).listener(listener)
        .resource(ResourceSyncers.twoWay(ResourceType.CONTACTS, crm)).build();
    Mailbox mailbox = m365.signIn(alice, EnumSet.of(Resource.CONTACTS));
    engine.enroll(mailbox);
    engine.runCycle();
    crm.list(mailbox.id()).forEach(r -> crm.delete(mailbox.id(), r.crmId())); // someone wiped the CRM table

    engine.runCycle();
    MailboxState held = engine.monitor().mailbox(mailbox.id()).orElseThrow();
    assertThat(held.status()).isEqualTo(MailboxStatus.QUARANTINED);
    assertThat(held.reason()).contains("12 of 12").contains("releaseQuarantine");
    assertThat(listener.quarantines()).hasSize(1);
    assertThat(m365.mailbox(alice).contacts().all()).hasSize(12);

    engine.releaseQuarantine(mailbox.id(), Resource.CONTACTS);
    m365.clock().advance(Duration.ofMinutes(15));
    engine.runCycle();
    assertThat(engine.monitor().mailbox(mailbox.id()).orElseThrow().status()).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(m365.mailbox(alice).contacts().all()).as("the host confirmed the wipe").isEmpty();
    assertThat(listener.quarantines()).hasSize(1);
  }

  // ------------------------------------------------------------------ outages stay local

  @Test
  void anAccessCheckOutageTurnsApplicationModeOffForTheTenantAndDelegatedSyncGoesOn() {
    EngineFixture f = EngineFixture.standard();
    AtomicBoolean directoryDown = new AtomicBoolean(true);
    AtomicLong checks = new AtomicLong();
    AccessPolicyCheck check = mailbox -> {
      checks.incrementAndGet();
      if (directoryDown.get()) {
        throw new IllegalStateException("directory unreachable");
      }
      return io.m365sync.access.AccessDecision.allow("declared-policy");
    };
    f.engine = SyncEngine.builder().clock(f.m365.clock()).gateway(f.m365.gateway())
        .delegatedTokens(f.m365.delegatedTokens()).applicationTokens(f.m365.applicationTokens())
        .accessPolicy(check).listener(f.listener)
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, f.crmEvents)).build();
    f.user("alice");
    f.user("bob");
    f.signIn("alice", EnumSet.of(Resource.EVENTS));
    f.signIn("bob", EnumSet.of(Resource.EVENTS));
    f.m365.grantApplicationPermissions(Resource.EVENTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);

    f.engine.runCycle();

    TenantStatus tenant = f.engine.tenantStatus(f.m365.tenantId());
    assertThat(tenant.appMode()).isEqualTo(TenantStatus.AppMode.INACTIVE);
    assertThat(tenant.reasonCode()).isEqualTo("ACCESS_CHECK_UNAVAILABLE");
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(f.status("bob")).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(f.crmEvents.items(f.id("bob"))).hasSize(3);
    assertThat(checks.get()).as("the outage is seen once, not per mailbox").isEqualTo(1);

    directoryDown.set(false);
    f.cycleAfter(SyncOptions.defaults().failureBackoff().multipliedBy(2));
    assertThat(f.engine.tenantStatus(f.m365.tenantId()).appMode()).isEqualTo(TenantStatus.AppMode.ACTIVE);
    assertThat(f.m365.cloud().log().graphRequests(f.oid("bob"), AuthMode.APPLICATION)).isPositive();
  }

  @Test
  void aPermissionCheckOutageKeepsDelegatedSyncGoing() {
    EngineFixture f = EngineFixture.standard();
    f.engine = SyncEngine.builder().clock(f.m365.clock()).gateway(f.m365.gateway())
        .delegatedTokens(f.m365.delegatedTokens()).applicationTokens(f.m365.applicationTokens())
        .permissionVerifier((tenant, resources, token) -> {
          throw new IllegalStateException("directory unreachable");
        })
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, f.crmEvents)).build();
    f.user("alice");
    f.signIn("alice", EnumSet.of(Resource.EVENTS));
    f.m365.grantApplicationPermissions(Resource.EVENTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);

    f.engine.runCycle();

    assertThat(f.engine.tenantStatus(f.m365.tenantId()).reasonCode()).isEqualTo("PERMISSION_CHECK_UNAVAILABLE");
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(f.crmEvents.items(f.id("alice"))).hasSize(3);
  }

}

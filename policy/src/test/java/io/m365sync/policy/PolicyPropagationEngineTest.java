package io.m365sync.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.RecordingSyncListener;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 3 end to end: the real {@link SyncEngine} on the testkit fakes, with
 * {@link DeclaredAccessPolicyCheck} and {@link DirectoryPermissionVerifier} reading the same tenant
 * model that enforces the application access policy after its propagation delay. Time moves only
 * through the {@code MutableClock}.
 */
class PolicyPropagationEngineTest {
  static final AppId APP = AppId.of(FakeMicrosoft365.CLIENT_ID);
  static final Duration DELAY = Duration.ofMinutes(60);
  static final Set<Resource> RESOURCES = EnumSet.of(Resource.EVENTS, Resource.CONTACTS);

  final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  final TenantModelDirectory ports = TenantModelDirectory.of(m365.cloud());
  final RecordingSyncListener listener = new RecordingSyncListener();
  final InMemoryCrmStore<CalendarEvent> crmEvents = new InMemoryCrmStore<>("event");
  final InMemoryCrmStore<Contact> crmContacts = new InMemoryCrmStore<>("contact");
  DeclaredAccessPolicyCheck check;
  SyncEngine engine;
  ModelUser alice;
  ModelUser carol;
  ModelGroup crmSync;
  Mailbox aliceMailbox;
  Mailbox carolMailbox;

  /** Alice is in the crm-sync group, Carol is not; both enrolled; application mode enabled and verified. */
  void start(SyncOptions options, Duration checkWindow, Duration modelDelay) {
    m365.tenant().policyPropagationDelay(modelDelay);
    alice = seeded("alice");
    carol = seeded("carol");
    crmSync = m365.tenant().addGroup("crm-sync", true).add(alice);
    m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    check = DeclaredAccessPolicyCheck.builder(APP).directories(ports).policies(ports).clock(m365.clock())
        .propagationWindow(checkWindow).build();
    engine = SyncEngine.builder()
        .clock(m365.clock())
        .gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens())
        .applicationTokens(m365.applicationTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crmEvents))
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crmContacts))
        .accessPolicy(check)
        .permissionVerifier(new DirectoryPermissionVerifier(APP, ports, ports))
        .listener(listener)
        .options(options)
        .build();
    engine.setApplicationPermissionEnabled(m365.tenantId(), true);
    aliceMailbox = m365.signIn(alice, RESOURCES);
    carolMailbox = m365.signIn(carol, RESOURCES);
    engine.enroll(aliceMailbox);
    engine.enroll(carolMailbox);
  }

  ModelUser seeded(String alias) {
    ModelUser u = m365.addUser(alias);
    Instant now = m365.clock().instant();
    m365.mailbox(u).calendar().create(CalendarEvent.simple(alias + " kick-off", now.plus(Duration.ofDays(1)),
        now.plus(Duration.ofDays(1)).plus(Duration.ofHours(1))));
    m365.mailbox(u).contacts().create(Contact.of("Ada", "Lovelace", "ada." + alias + "@example.com"));
    return u;
  }

  MailboxState state(Mailbox m) {
    return engine.monitor().mailbox(m.id()).orElseThrow();
  }

  long appOnlyRequests(ModelUser u) {
    return m365.cloud().log().graphRequests(u.objectId(), AuthMode.APPLICATION);
  }

  List<RecordingSyncListener.StatusChange> changesOf(Mailbox m, Instant after) {
    return listener.statusChanges().stream()
        .filter(c -> c.current().mailbox().equals(m.id()) && !c.current().since().isBefore(after)).toList();
  }

  @Test
  void aRestrictAccessPolicyIsPendingThenInEffectAndCarolIsDeniedExactlyOnce() {
    start(SyncOptions.defaults(), DELAY, DELAY); // 15-minute cycles, access decisions trusted for an hour
    engine.runCycle();
    assertThat(state(aliceMailbox).status()).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(state(carolMailbox).status()).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(state(carolMailbox).mode()).isEqualTo(AuthMode.APPLICATION);

    m365.clock().advance(Duration.ofMinutes(20));
    Instant created = m365.clock().instant();
    m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, FakeMicrosoft365.CLIENT_ID, crmSync,
        "CRM sync only for CRM users");
    Instant enforced = created.plus(DELAY);

    // before the delay: the model still lets Carol through, the check says pending, she keeps syncing app-only
    m365.clock().advance(Duration.ofMinutes(1));
    while (m365.clock().instant().isBefore(enforced)) {
      long before = appOnlyRequests(carol);
      engine.runCycle();
      assertThat(m365.tenant().appAccessAllowed(FakeMicrosoft365.CLIENT_ID, carol)).isTrue();
      AccessStatus status = check.status(carolMailbox);
      assertThat(status.state()).as("at " + m365.clock().instant()).isEqualTo(AccessState.PENDING);
      assertThat(status.pendingUntilTime()).contains(enforced);
      assertThat(status.decision().allowed()).isTrue();
      assertThat(state(carolMailbox).status()).isEqualTo(MailboxStatus.ACTIVE);
      assertThat(state(carolMailbox).mode()).isEqualTo(AuthMode.APPLICATION);
      assertThat(appOnlyRequests(carol)).as("Carol still synced app-only").isGreaterThan(before);
      m365.clock().advance(Duration.ofMinutes(15));
    }
    assertThat(changesOf(carolMailbox, created)).as("no status change while pending").isEmpty();

    // after it: enforced by the model and the check, Carol denied once and synced with her delegated token
    for (int cycle = 0; cycle < 96; cycle++) { // a whole day of 15-minute cycles
      engine.runCycle();
      assertThat(m365.tenant().appAccessAllowed(FakeMicrosoft365.CLIENT_ID, carol)).isFalse();
      AccessStatus status = check.status(carolMailbox);
      assertThat(status.state()).as("at " + m365.clock().instant() + ": " + status).isEqualTo(AccessState.IN_EFFECT);
      assertThat(status.decision().allowed()).isFalse();
      assertThat(state(carolMailbox).status()).isEqualTo(MailboxStatus.DENIED_BY_POLICY);
      assertThat(state(carolMailbox).mode()).isEqualTo(AuthMode.DELEGATED);
      assertThat(check.status(aliceMailbox).state()).isEqualTo(AccessState.IN_EFFECT);
      assertThat(state(aliceMailbox).status()).isEqualTo(MailboxStatus.ACTIVE);
      assertThat(state(aliceMailbox).mode()).isEqualTo(AuthMode.APPLICATION);
      m365.clock().advance(Duration.ofMinutes(15));
    }

    assertThat(changesOf(carolMailbox, created)).as(listener.statusChanges().toString()).singleElement()
        .satisfies(c -> assertThat(c.current().status()).isEqualTo(MailboxStatus.DENIED_BY_POLICY));
    assertThat(listener.changesTo(carolMailbox.id(), MailboxStatus.DENIED_BY_POLICY)).isEqualTo(1);
    assertThat(changesOf(aliceMailbox, created)).isEmpty();
    assertThat(appOnlyRequests(carol) - appOnlyRequestsBefore(enforced, carol))
        .as("at most the one app-only probe Graph refused").isLessThanOrEqualTo(1);
    assertThat(check.drift()).isEmpty();
    assertThat(crmEvents.items(carolMailbox.id())).hasSize(1);
    assertThat(crmContacts.items(carolMailbox.id())).hasSize(1);
  }

  long appOnlyRequestsBefore(Instant t, ModelUser u) {
    return m365.cloud().log().count(r -> r.isGraph() && u.objectId().equals(r.targetUserId())
        && r.mode() == AuthMode.APPLICATION && r.at().isBefore(t));
  }

  /** Runs 15-minute cycles until {@code until} (exclusive), checking {@code each} after every cycle. */
  void cyclesUntil(Instant until, Runnable each) {
    while (m365.clock().instant().isBefore(until)) {
      engine.runCycle();
      each.run();
      m365.clock().advance(Duration.ofMinutes(15));
    }
  }

  AccessPolicy createPolicyAfter(Duration wait) {
    engine.runCycle();
    m365.clock().advance(wait);
    return m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, FakeMicrosoft365.CLIENT_ID, crmSync, "");
  }

  @Test
  void aRemovedPolicyKeepsCarolDeniedUntilTheDelayThenSheReturnsToApplicationModeOnce() {
    start(SyncOptions.defaults(), DELAY, DELAY);
    AccessPolicy policy = createPolicyAfter(Duration.ofMinutes(20));
    cyclesUntil(policy.createdAt().plus(Duration.ofHours(4)), () -> { });
    assertThat(state(carolMailbox).status()).isEqualTo(MailboxStatus.DENIED_BY_POLICY);

    m365.tenant().removeAccessPolicy(policy);
    Instant removed = m365.clock().instant();
    Instant lifted = removed.plus(DELAY);
    m365.clock().advance(Duration.ofMinutes(1));
    cyclesUntil(lifted, () -> {
      assertThat(m365.tenant().appAccessAllowed(FakeMicrosoft365.CLIENT_ID, carol)).isFalse();
      AccessStatus status = check.status(carolMailbox);
      assertThat(status.state()).isEqualTo(AccessState.PENDING);
      assertThat(status.decision().allowed()).isFalse();
      assertThat(state(carolMailbox).status()).isEqualTo(MailboxStatus.DENIED_BY_POLICY);
    });
    assertThat(changesOf(carolMailbox, removed)).as("no status change while the removal propagates").isEmpty();

    cyclesUntil(lifted.plus(Duration.ofHours(12)), () -> {
      assertThat(check.status(carolMailbox).state()).isEqualTo(AccessState.IN_EFFECT);
      assertThat(check.status(carolMailbox).decision().allowed()).isTrue();
    });

    assertThat(state(carolMailbox).status()).isEqualTo(MailboxStatus.ACTIVE);
    assertThat(state(carolMailbox).mode()).isEqualTo(AuthMode.APPLICATION);
    assertThat(changesOf(carolMailbox, removed)).singleElement()
        .satisfies(c -> assertThat(c.current().status()).isEqualTo(MailboxStatus.ACTIVE));
    assertThat(check.drift()).isEmpty();
  }

  @Test
  void graphEnforcingBeforeTheWindowEndsDeniesCarolOnceAndTheCheckAgreesLater() {
    start(SyncOptions.defaults(), DELAY, Duration.ofMinutes(30)); // Exchange was quicker than the window
    Instant created = createPolicyAfter(Duration.ofMinutes(20)).createdAt();
    m365.clock().advance(Duration.ofMinutes(1));

    cyclesUntil(created.plus(DELAY), () -> assertThat(check.status(carolMailbox).state()).isEqualTo(AccessState.PENDING));
    assertThat(state(carolMailbox).status()).as("the 403 decided").isEqualTo(MailboxStatus.DENIED_BY_POLICY);
    cyclesUntil(created.plus(Duration.ofHours(24)), () -> {
      assertThat(check.status(carolMailbox).state()).isEqualTo(AccessState.IN_EFFECT);
      assertThat(state(carolMailbox).status()).isEqualTo(MailboxStatus.DENIED_BY_POLICY);
    });

    assertThat(changesOf(carolMailbox, created)).as(listener.statusChanges().toString()).singleElement()
        .satisfies(c -> assertThat(c.current().reasonCode()).isEqualTo("ErrorAccessDenied"));
    assertThat(state(aliceMailbox).mode()).isEqualTo(AuthMode.APPLICATION);
    assertThat(check.drift()).isEmpty();
  }

  @Test
  void graphEnforcingAfterTheWindowLetsTheDeclaredPolicyDenyCarolOnce() {
    start(SyncOptions.defaults(), DELAY, Duration.ofMinutes(90)); // Exchange was slower than the window
    Instant created = createPolicyAfter(Duration.ofMinutes(20)).createdAt();
    m365.clock().advance(Duration.ofMinutes(1));

    cyclesUntil(created.plus(Duration.ofHours(24)), () -> { });

    assertThat(check.status(carolMailbox).state()).isEqualTo(AccessState.IN_EFFECT);
    assertThat(changesOf(carolMailbox, created)).as(listener.statusChanges().toString()).singleElement()
        .satisfies(c -> assertThat(c.current().status()).isEqualTo(MailboxStatus.DENIED_BY_POLICY));
    assertThat(m365.cloud().log().count(r -> r.isGraph() && carol.objectId().equals(r.targetUserId()) && r.status() == 403))
        .as("at most one 403, from a decision the engine cached before the window ended").isLessThanOrEqualTo(1);
    assertThat(check.drift()).isEmpty();
  }

  @Test
  void aRemovalGraphLiftsAfterTheWindowIsDriftForAWhileThenCarolReturnsOnce() {
    // Exchange slower than the window, and decisions re-asked every 10 minutes: the engine probes between
    start(SyncOptions.defaults().withAccessDecisionTtl(Duration.ofMinutes(10)), DELAY, Duration.ofMinutes(90));
    AccessPolicy policy = createPolicyAfter(Duration.ofMinutes(20));
    cyclesUntil(policy.createdAt().plus(Duration.ofHours(4)), () -> { });
    assertThat(state(carolMailbox).status()).isEqualTo(MailboxStatus.DENIED_BY_POLICY);

    m365.tenant().removeAccessPolicy(policy);
    Instant removed = m365.clock().instant();
    m365.clock().advance(Duration.ofMinutes(1));
    cyclesUntil(removed.plus(Duration.ofHours(12)), () -> { });

    assertThat(m365.tenant().appAccessAllowed(FakeMicrosoft365.CLIENT_ID, carol)).isTrue();
    assertThat(state(carolMailbox).status()).as("Carol must not stay denied once Graph lets her through")
        .isEqualTo(MailboxStatus.ACTIVE);
    assertThat(state(carolMailbox).mode()).isEqualTo(AuthMode.APPLICATION);
    // Graph's 403 after the window refines the reason (declared deny -> ErrorAccessDenied, drift); the status
    // itself goes DENIED_BY_POLICY -> ACTIVE once, never back
    assertThat(changesOf(carolMailbox, removed)).as(listener.statusChanges().toString())
        .extracting(c -> c.current().status()).endsWith(MailboxStatus.ACTIVE).containsOnlyOnce(MailboxStatus.ACTIVE)
        .hasSizeLessThanOrEqualTo(2);
    assertThat(check.drift()).isEmpty();
  }
}

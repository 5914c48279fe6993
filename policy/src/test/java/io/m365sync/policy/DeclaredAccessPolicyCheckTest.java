package io.m365sync.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.access.AccessDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeclaredAccessPolicyCheckTest {
  static final TenantId TENANT = TenantId.of("contoso.onmicrosoft.com");
  static final AppId APP = AppId.of("11111111-2222-3333-4444-555555555555");
  static final Instant T0 = Instant.parse("2025-03-01T09:00:00Z");
  static final Set<Resource> SYNCED = EnumSet.of(Resource.EVENTS, Resource.CONTACTS, Resource.MAIL, Resource.MAILBOX_SETTINGS);

  final MutableClock clock = new MutableClock(T0);
  final AtomicReference<AccessPolicySet> declared = new AtomicReference<>(AccessPolicySet.empty());
  FakeDirectory dir;
  DeclaredAccessPolicyCheck check;
  Mailbox alice;
  Mailbox carol;

  @BeforeEach
  void tenant() {
    dir = FakeDirectory.withRandomGraphIds();
    dir.registerApp(APP, "Contoso CRM");
    PermissionMatrix.applicationPermissions(SYNCED).forEach(p -> dir.consent(APP, p));
    dir.addUser("alice-oid", "alice@contoso.com", Map.of("Department", "Sales"));
    dir.addUser("carol-oid", "carol@contoso.com", Map.of("Department", "Finance"));
    dir.addGroup("crm-sync", "crm-sync@contoso.com", GroupKind.MAIL_ENABLED_SECURITY, "alice-oid");
    check = DeclaredAccessPolicyCheck.builder(APP).directories(dir).policies(t -> declared.get()).clock(clock).build();
    alice = mailbox("alice", SYNCED);
    carol = mailbox("carol", SYNCED);
  }

  static Mailbox mailbox(String name, Set<Resource> resources) {
    return new Mailbox(new MailboxId(TENANT, name + "-oid"), name + "@contoso.com", "crm-" + name, T0, resources);
  }

  static AccessDecision graph403() {
    return AccessDecision.deny("ErrorAccessDenied", "Access to OData is disabled.", "live-probe");
  }

  @Test
  void noPolicyAllowsEveryEnrolledMailbox() {
    AccessStatus status = check.status(carol);

    assertThat(status.decision().allowed()).isTrue();
    assertThat(status.state()).isEqualTo(AccessState.IN_EFFECT);
    assertThat(status.explanation()).contains("no application access policy applies");
  }

  @Test
  void newPolicyIsPendingForTheWindowThenInEffectAndNeverThrashes() {
    declared.set(AccessPolicySet.of(ApplicationAccessPolicy.restrict(APP, "crm-sync@contoso.com", T0)));
    List<Boolean> carolDecisions = new ArrayList<>();
    List<Boolean> aliceDecisions = new ArrayList<>();

    for (int minute = 0; minute <= 120; minute += 5) {
      clock.set(T0.plus(Duration.ofMinutes(minute)));
      carolDecisions.add(check.decide(carol).allowed());
      aliceDecisions.add(check.decide(alice).allowed());
      AccessStatus status = check.lastStatus(carol.id()).orElseThrow();
      if (minute < 60) {
        assertThat(status.state()).as("minute %d", minute).isEqualTo(AccessState.PENDING);
        assertThat(status.pendingUntilTime()).contains(T0.plus(Duration.ofMinutes(60)));
        assertThat(status.declaredGranted()).isFalse();
        assertThat(status.effectiveGranted()).isTrue();
      } else {
        assertThat(status.state()).as("minute %d", minute).isEqualTo(AccessState.IN_EFFECT);
        assertThat(status.decision()).isInstanceOf(AccessDecision.Deny.class);
        assertThat(((AccessDecision.Deny) status.decision()).reason()).contains("RestrictAccess", "carol@contoso.com");
      }
    }

    assertThat(transitions(carolDecisions)).isEqualTo(1);
    assertThat(carolDecisions.indexOf(false)).isEqualTo(12); // minute 60
    assertThat(aliceDecisions).containsOnly(true);
    assertThat(check.drift()).isEmpty();
  }

  @Test
  void earlyEnforcementObservedDuringTheWindowDoesNotFlipTheDecision() {
    declared.set(AccessPolicySet.of(ApplicationAccessPolicy.restrict(APP, "crm-sync", T0)));
    List<Boolean> decisions = new ArrayList<>();

    for (int minute = 0; minute <= 90; minute += 10) {
      clock.set(T0.plus(Duration.ofMinutes(minute)));
      if (minute == 20) {
        check.observed(carol, graph403());
      }
      if (minute == 30) {
        check.observed(carol, AccessDecision.allow("live-probe")); // Exchange caches disagree for a while
      }
      decisions.add(check.decide(carol).allowed());
    }

    assertThat(transitions(decisions)).isEqualTo(1);
    assertThat(check.drift()).isEmpty();
  }

  @Test
  void removedPolicyKeepsDenyingUntilTheWindowPasses() {
    ApplicationAccessPolicy policy = ApplicationAccessPolicy.restrict(APP, "crm-sync", T0.minus(Duration.ofDays(1)));
    declared.set(AccessPolicySet.of(policy));
    assertThat(check.decide(carol).allowed()).isFalse();
    check.observed(carol, graph403());

    clock.advance(Duration.ofMinutes(5));
    declared.set(AccessPolicySet.empty());
    List<Boolean> decisions = new ArrayList<>();
    for (int minute = 0; minute <= 90; minute += 15) {
      decisions.add(check.decide(carol).allowed());
      clock.advance(Duration.ofMinutes(15));
    }

    assertThat(decisions).containsExactly(false, false, false, false, true, true, true);
    assertThat(check.lastStatus(carol.id()).orElseThrow().observation()).as("the old 403 is stale").isEmpty();
    assertThat(check.drift()).isEmpty();
  }

  @Test
  void graphDenyingWhatThePolicyAllowsIsDrift() {
    check.observed(carol, graph403());
    clock.advance(Duration.ofMinutes(10));

    AccessStatus status = check.status(carol);

    assertThat(status.state()).isEqualTo(AccessState.DRIFT);
    assertThat(status.decision()).isEqualTo(AccessDecision.deny("ErrorAccessDenied", status.drift().explanation(), "live-probe"));
    assertThat(check.drift(TENANT)).singleElement().satisfies(d -> {
      assertThat(d.mailbox()).isEqualTo(carol.id());
      assertThat(d.declaredGranted()).isTrue();
      assertThat(d.detectedAt()).isEqualTo(T0);
      assertThat(d.explanation()).contains("Exchange has a policy this library does not know");
    });

    check.observed(carol, AccessDecision.allow("live-probe"));
    assertThat(check.decide(carol).allowed()).isTrue();
    assertThat(check.drift()).isEmpty();
  }

  @Test
  void graphAllowingWhatThePolicyDeniesIsDriftAndStaysDenied() {
    declared.set(AccessPolicySet.of(ApplicationAccessPolicy.restrict(APP, "crm-sync", T0.minus(Duration.ofDays(2)))));
    check.observed(carol, AccessDecision.allow("live-probe"));

    AccessDecision decision = check.decide(carol);

    assertThat(decision).isInstanceOfSatisfying(AccessDecision.Deny.class, d -> assertThat(d.reasonCode()).isEqualTo("DeclaredPolicyDrift"));
    assertThat(check.drift()).singleElement().satisfies(d -> assertThat(d.explanation()).contains("Test-ApplicationAccessPolicy"));
  }

  @Test
  void groupMembershipIsResolvedThroughTheDirectory() {
    declared.set(AccessPolicySet.of(ApplicationAccessPolicy.restrict(APP, "crm-sync", T0.minus(Duration.ofDays(2)))));
    assertThat(check.decide(carol).allowed()).isFalse();

    dir.addGroup("finance", null, GroupKind.MAIL_ENABLED_SECURITY, "carol-oid");
    dir.addMember("crm-sync", "finance");

    assertThat(check.decide(carol).allowed()).isTrue();
  }

  @Test
  void rbacAssignmentPropagatesToo() {
    PermissionMatrix.applicationPermissions(SYNCED).forEach(p -> dir.revoke(APP, p));
    AccessPolicySet rbac = AccessPolicySet.empty().with(ManagementScope.of("Sales", "Department -eq 'Sales'", T0));
    for (String p : PermissionMatrix.applicationPermissions(SYNCED)) {
      rbac = rbac.with(ManagementRoleAssignment.of(APP, p, "Sales", T0));
    }
    declared.set(rbac);

    AccessStatus before = check.status(alice);
    clock.advance(Duration.ofMinutes(60));
    AccessStatus after = check.status(alice);

    assertThat(before.state()).isEqualTo(AccessState.PENDING);
    assertThat(before.decision().allowed()).isFalse();
    assertThat(after.state()).isEqualTo(AccessState.IN_EFFECT);
    assertThat(after.decision().allowed()).isTrue();
    assertThat(check.decide(carol).allowed()).isFalse();
  }

  @Test
  void toDoIsNotCoveredAndSaysSo() {
    declared.set(AccessPolicySet.of(ApplicationAccessPolicy.restrict(APP, "crm-sync", T0.minus(Duration.ofDays(2)))));
    Mailbox todoOnly = mailbox("carol", EnumSet.of(Resource.TASKS));

    AccessStatus status = check.status(todoOnly);

    assertThat(status.decision()).isEqualTo(AccessDecision.allow("enrollment"));
    assertThat(status.notes()).anyMatch(n -> n.contains("To Do") && n.contains("enrollment gate"));
    assertThat(check.status(mailbox("alice", EnumSet.of(Resource.MAIL, Resource.TASKS))).notes()).anyMatch(n -> n.contains("To Do"));
  }

  @Test
  void unknownScopeGroupDeniesWithATypedReason() {
    declared.set(AccessPolicySet.of(ApplicationAccessPolicy.restrict(APP, "ghost@contoso.com", T0.minus(Duration.ofDays(2)))));

    AccessStatus status = check.status(alice);

    assertThat(status.state()).isEqualTo(AccessState.CONFIG_ERROR);
    assertThat(status.decision()).isInstanceOfSatisfying(AccessDecision.Deny.class, d -> {
      assertThat(d.reasonCode()).isEqualTo("PolicyConfigurationInvalid");
      assertThat(d.reason()).contains("ghost@contoso.com");
    });
  }

  @Test
  void propagationWindowIsConfigurable() {
    DeclaredAccessPolicyCheck fast = DeclaredAccessPolicyCheck.builder(APP).directories(dir).policies(t -> declared.get())
        .clock(clock).propagationWindow(Duration.ofMinutes(10)).build();
    declared.set(AccessPolicySet.of(ApplicationAccessPolicy.restrict(APP, "crm-sync", T0)));

    clock.advance(Duration.ofMinutes(9));
    assertThat(fast.decide(carol).allowed()).isTrue();
    clock.advance(Duration.ofMinutes(1));
    assertThat(fast.decide(carol).allowed()).isFalse();
  }

  @Test
  void builderFailsFastNamingTheSetting() {
    assertThatThrownBy(() -> DeclaredAccessPolicyCheck.builder(APP).policies(t -> declared.get()).clock(clock).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("'directories' is required.");
    assertThatThrownBy(() -> DeclaredAccessPolicyCheck.builder(APP).clock(clock).clock(clock))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'clock' was already set");
    assertThatThrownBy(() -> DeclaredAccessPolicyCheck.builder(APP).propagationWindow(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("propagationWindow");
    assertThat(DeclaredAccessPolicyCheck.builder(APP).directories(dir).policies(t -> declared.get()).clock(clock).build()
        .propagationWindow()).isEqualTo(Duration.ofMinutes(60));
  }

  private static int transitions(List<Boolean> decisions) {
    int n = 0;
    for (int i = 1; i < decisions.size(); i++) {
      if (!decisions.get(i).equals(decisions.get(i - 1))) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aDeclaredDenyThatGraphConfirmedKeepsGraphsReasonCode() {
    declared.set(AccessPolicySet.of(ApplicationAccessPolicy.restrict(APP, "crm-sync", T0.minus(Duration.ofDays(2)))));
    assertThat(check.decide(carol)).isInstanceOfSatisfying(AccessDecision.Deny.class,
        d -> assertThat(d.reasonCode()).isEqualTo("DeniedByDeclaredPolicy"));

    check.observed(carol, graph403());
    clock.advance(Duration.ofHours(2));

    AccessStatus status = check.status(carol);
    assertThat(status.state()).isEqualTo(AccessState.IN_EFFECT);
    assertThat(status.decision()).isInstanceOfSatisfying(AccessDecision.Deny.class, d -> {
      assertThat(d.reasonCode()).as("the engine marked the mailbox from the 403; same code, no status change").isEqualTo("ErrorAccessDenied");
      assertThat(d.reason()).contains("RestrictAccess", "carol@contoso.com", "confirmed by Graph at " + T0);
    });
  }
}

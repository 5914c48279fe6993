package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.CycleReport;
import io.m365sync.Resource;
import io.m365sync.SyncOptions;
import io.m365sync.TenantStatus;
import io.m365sync.model.CalendarEvent;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.ResourceResult;
import io.m365sync.testkit.FakeMicrosoft365;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Application mode when the admin's setup is incomplete or broken. */
class ApplicationModeFailuresTest {
  private static final Set<Resource> WITH_MAIL = EnumSet.of(Resource.EVENTS, Resource.CONTACTS, Resource.MAIL);
  private static final List<String> TEAM = List.of("alice", "bob", "carol");

  /**
   * The rule: a resource whose application permission lacks consent is synced with the user's
   * delegated token while it lives, else skipped (status MISSING_PERMISSION naming the permission);
   * the consented resources keep syncing in application mode.
   */
  @Test
  void anUnconsentedApplicationPermissionIsNamedAndTheConsentedResourcesKeepSyncing() {
    EngineFixture f = EngineFixture.standard();
    f.build(SyncOptions.defaults(), true);
    TEAM.forEach(f::user);
    TEAM.forEach(a -> f.signIn(a, WITH_MAIL));
    f.m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    f.m365.app().addApplicationPermissions("Mail.ReadWrite"); // added, never consented
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);

    CycleReport first = f.engine.runCycle();

    TenantStatus tenant = f.engine.tenantStatus(f.m365.tenantId());
    assertThat(tenant.permissions().missing()).containsExactly("Mail.ReadWrite");
    assertThat(tenant.reason()).contains("Mail.ReadWrite");
    ResourceResult mail = first.mailbox(f.id("alice")).resource(Resource.MAIL).orElseThrow();
    assertThat(mail.mode()).as("mail falls back to the live delegated token").isEqualTo(AuthMode.DELEGATED);
    assertThat(first.mailbox(f.id("alice")).resource(Resource.EVENTS).orElseThrow().mode()).isEqualTo(AuthMode.APPLICATION);
    assertThat(f.crmMail.items(f.id("alice"))).hasSize(1);
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.ACTIVE);

    // past the cliff the delegated fallback is gone: mail is skipped, the rest keeps syncing
    f.m365.mailbox(f.users.get("alice")).calendar().create(CalendarEvent.simple("after cliff",
        f.m365.clock().instant().plus(Duration.ofDays(95)), f.m365.clock().instant().plus(Duration.ofDays(95)).plusSeconds(600)));
    CycleReport later = f.cycleAfter(Duration.ofDays(91));

    MailboxState alice = f.engine.monitor().mailbox(f.id("alice")).orElseThrow();
    assertThat(alice.status()).isEqualTo(MailboxStatus.MISSING_PERMISSION);
    assertThat(alice.reason()).contains("Mail.ReadWrite");
    assertThat(alice.mode()).isEqualTo(AuthMode.APPLICATION);
    assertThat(later.mailbox(f.id("alice")).resource(Resource.MAIL).orElseThrow().outcome())
        .isEqualTo(ResourceResult.Outcome.SKIPPED);
    assertThat(later.mailbox(f.id("alice")).resource(Resource.EVENTS).orElseThrow().outcome())
        .isEqualTo(ResourceResult.Outcome.SYNCED);
    assertThat(f.crmEvents.items(f.id("alice"))).hasSize(4);
    assertThat(f.engine.monitor().withStatus(MailboxStatus.MISSING_PERMISSION)).hasSize(3);
  }

  @Test
  void anInvalidClientSecretIsOneTenantErrorAndNoAppOnlyRequestReachesAMailbox() {
    EngineFixture f = new EngineFixture(FakeMicrosoft365.withCrmClientSecret("not-the-secret"));
    f.build();
    TEAM.forEach(f::user);
    TEAM.forEach(a -> f.signIn(a, EngineFixture.EVENTS_AND_CONTACTS));
    f.m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);

    f.engine.runCycle();
    f.cycleAfter(Duration.ofMinutes(15));

    assertThat(f.appTokenRequests()).as("one token request, not one per mailbox or cycle").isEqualTo(1);
    TenantStatus tenant = f.engine.tenantStatus(f.m365.tenantId());
    assertThat(tenant.appMode()).isEqualTo(TenantStatus.AppMode.INACTIVE);
    assertThat(tenant.reasonCode()).isEqualTo("AADSTS7000215");
    assertThat(tenant.reason()).contains(FakeMicrosoft365.CLIENT_ID).doesNotContain("not-the-secret");
    assertThat(tenant.retryAt()).isNotNull();
    assertThat(f.listener.tenantChanges()).filteredOn(t -> t.appMode() == TenantStatus.AppMode.INACTIVE).hasSize(1);
    for (String a : TEAM) {
      assertThat(f.m365.cloud().log().graphRequests(f.oid(a), AuthMode.APPLICATION)).isZero();
      MailboxState s = f.engine.monitor().mailbox(f.id(a)).orElseThrow();
      assertThat(s.status()).as("users with live tokens keep syncing delegated").isEqualTo(MailboxStatus.ACTIVE);
      assertThat(s.mode()).isEqualTo(AuthMode.DELEGATED);
      assertThat(s.reason()).contains("application mode is unavailable");
    }
  }

  @Test
  void anInvalidSecretPastTheCliffStopsTheTenantWithNoMailboxRequestsAtAll() {
    EngineFixture f = new EngineFixture(FakeMicrosoft365.withCrmClientSecret("not-the-secret"));
    f.build();
    TEAM.forEach(f::user);
    TEAM.forEach(a -> f.signIn(a, EngineFixture.EVENTS_AND_CONTACTS));
    f.m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    f.m365.clock().advance(Duration.ofDays(91));
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);

    for (int c = 0; c < 3; c++) {
      f.cycleAfter(Duration.ofMinutes(10));
    }

    assertThat(f.appTokenRequests()).isEqualTo(1);
    assertThat(f.m365.cloud().log().count(r -> r.isGraph())).as("Graph requests").isZero();
    for (String a : TEAM) {
      MailboxState s = f.engine.monitor().mailbox(f.id(a)).orElseThrow();
      assertThat(s.status()).isEqualTo(MailboxStatus.NEEDS_SIGN_IN);
      assertThat(s.reason()).contains("application mode is unavailable");
    }
    assertThat(f.engine.tenantStatus(f.m365.tenantId()).reasonCode()).isEqualTo("AADSTS7000215");
  }

  @Test
  void anExpiredSecretIsReportedAsSuchAndRetriedAfterTheInterval() {
    EngineFixture f = EngineFixture.standard();
    f.build();
    TEAM.forEach(f::user);
    TEAM.forEach(a -> f.signIn(a, EngineFixture.EVENTS_AND_CONTACTS));
    f.m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);
    f.m365.clock().advance(Duration.ofDays(366)); // the one-year secret expired

    f.engine.runCycle();
    assertThat(f.engine.tenantStatus(f.m365.tenantId()).reasonCode()).isEqualTo("AADSTS7000222");
    f.cycleAfter(Duration.ofMinutes(30));
    assertThat(f.appTokenRequests()).isEqualTo(1);
    f.cycleAfter(Duration.ofMinutes(31)); // applicationRetryInterval (1 h) passed
    assertThat(f.appTokenRequests()).isEqualTo(2);

    // the admin adds a new secret and the host configures it: the next cycle recovers
    f.m365.app().addSecret("rotated-secret", f.m365.clock().instant().plus(Duration.ofDays(365)));
    f.m365.applicationTokens().secret("rotated-secret");
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);
    f.cycleAfter(Duration.ofMinutes(1));
    assertThat(f.engine.tenantStatus(f.m365.tenantId()).appMode()).isEqualTo(TenantStatus.AppMode.ACTIVE);
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.ACTIVE);
  }
}

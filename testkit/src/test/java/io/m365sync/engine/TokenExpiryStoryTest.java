package io.m365sync.engine;

import static io.m365sync.engine.EngineFixture.EVENTS_AND_CONTACTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.AuthMode;
import io.m365sync.CycleReport;
import io.m365sync.MailboxId;
import io.m365sync.NotEnrolledException;
import io.m365sync.Resource;
import io.m365sync.SignInNotifyPolicy;
import io.m365sync.SyncOptions;
import io.m365sync.TenantStatus;
import io.m365sync.model.CalendarEvent;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.ResourceResult;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The token-expiry story of the product brief, on the in-memory tenant. */
class TokenExpiryStoryTest {
  private static final List<String> TEAM = List.of("alice", "bob", "carol");

  private static EngineFixture delegatedTeam(SyncOptions options) {
    EngineFixture f = EngineFixture.standard();
    f.build(options, false);
    TEAM.forEach(f::user);
    TEAM.forEach(a -> f.signIn(a, EVENTS_AND_CONTACTS));
    return f;
  }

  @Test
  void delegatedSyncStopsAtTheNinetyDayCliffAndResumesAfterSignInWithoutDuplicates() {
    EngineFixture f = delegatedTeam(SyncOptions.defaults());

    CycleReport first = f.engine.runCycle();
    for (String a : TEAM) {
      assertThat(f.status(a)).isEqualTo(MailboxStatus.ACTIVE);
      assertThat(f.engine.monitor().mailbox(f.id(a)).orElseThrow().mode()).isEqualTo(AuthMode.DELEGATED);
      assertThat(f.crmEvents.items(f.id(a))).hasSize(3);
      assertThat(f.crmContacts.items(f.id(a))).hasSize(2);
    }
    assertThat(first.applied()).isEqualTo(15);

    // 91 days without anyone signing in: the access token and the refresh token are both dead
    f.m365.clock().advance(Duration.ofDays(91));
    long[] refreshBefore = TEAM.stream().mapToLong(f::refreshRequests).toArray();
    f.engine.runCycle();
    for (int i = 0; i < TEAM.size(); i++) {
      String a = TEAM.get(i);
      assertThat(f.status(a)).isEqualTo(MailboxStatus.NEEDS_SIGN_IN);
      assertThat(f.engine.monitor().mailbox(f.id(a)).orElseThrow().reasonCode()).isEqualTo("AADSTS700082");
      assertThat(f.refreshRequests(a) - refreshBefore[i]).as("token attempts for %s", a).isEqualTo(1);
      assertThat(f.listener.signInNotices(f.id(a))).isEqualTo(1);
      assertThat(f.listener.changesTo(f.id(a), MailboxStatus.NEEDS_SIGN_IN)).isEqualTo(1);
    }
    assertThat(f.engine.monitor().needingSignIn()).hasSize(3);

    // ten more cycles: not one token request, not one Graph request for those mailboxes
    long[] graphBefore = TEAM.stream().mapToLong(f::graphRequests).toArray();
    long[] refreshAfterCliff = TEAM.stream().mapToLong(f::refreshRequests).toArray();
    for (int c = 0; c < 10; c++) {
      CycleReport r = f.cycleAfter(Duration.ofHours(1));
      assertThat(r.mailboxes()).noneMatch(m -> m.ran());
    }
    for (int i = 0; i < TEAM.size(); i++) {
      assertThat(f.refreshRequests(TEAM.get(i))).isEqualTo(refreshAfterCliff[i]);
      assertThat(f.graphRequests(TEAM.get(i))).isEqualTo(graphBefore[i]);
      assertThat(f.listener.signInNotices(f.id(TEAM.get(i)))).isEqualTo(1);
    }

    // meanwhile alice's calendar moved on; then she signs in to the add-in again
    ModelUser alice = f.users.get("alice");
    f.m365.mailbox(alice).calendar().create(CalendarEvent.simple("while away",
        f.m365.clock().instant().plus(Duration.ofDays(2)), f.m365.clock().instant().plus(Duration.ofDays(2)).plusSeconds(1800)));
    long createsBefore = f.crmEvents.creates();
    f.signIn("alice", EVENTS_AND_CONTACTS);
    CycleReport resumed = f.cycleAfter(Duration.ofMinutes(5));

    assertThat(f.status("alice")).isEqualTo(MailboxStatus.ACTIVE);
    ResourceResult contacts = resumed.mailbox(f.id("alice")).resource(Resource.CONTACTS).orElseThrow();
    assertThat(contacts.fullResync()).as("resumed from the saved delta link").isFalse();
    // events too, but 91 days moved the calendar window: that round re-reads it, re-linking what it knows
    ResourceResult events = resumed.mailbox(f.id("alice")).resource(Resource.EVENTS).orElseThrow();
    assertThat(events.created()).isEqualTo(1);
    assertThat(events.deleted()).as("events that left the window keep their records").isZero();
    assertThat(f.crmEvents.creates() - createsBefore).isEqualTo(1);
    assertThat(f.crmEvents.items(f.id("alice"))).hasSize(4);
    assertThat(f.crmEvents.duplicates(f.id("alice"))).isZero();
    assertThat(f.crmContacts.duplicates(f.id("alice"))).isZero();
    assertThat(f.status("bob")).isEqualTo(MailboxStatus.NEEDS_SIGN_IN);
  }

  @ParameterizedTest
  @CsvSource({"NONE,0", "ONCE,1", "DAILY,9", "WEEKLY,2"})
  void signInNoticesFollowTheNotifyPolicy(SignInNotifyPolicy policy, int expectedNotices) {
    EngineFixture f = delegatedTeam(SyncOptions.defaults().withSignInNotify(policy));
    f.engine.runCycle();
    f.cycleAfter(Duration.ofDays(91));
    for (int c = 0; c < 16; c++) {
      f.cycleAfter(Duration.ofHours(12)); // 8 days after the cliff
    }
    for (String a : TEAM) {
      assertThat(f.listener.signInNotices(f.id(a))).as("%s notices for %s", policy, a).isEqualTo(expectedNotices);
    }
  }

  @Test
  void applicationModeKeepsEveryEnrolledMailboxActivePastTheCliffWithOneTokenPerTenantPerLifetime() {
    EngineFixture f = delegatedTeam(SyncOptions.defaults());
    f.m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);

    f.engine.runCycle();
    f.m365.clock().advance(Duration.ofDays(91));
    long appTokensBefore = f.appTokenRequests();
    long refreshBefore = f.m365.cloud().log().tokenRequests("refresh_token");
    // ten cycles five minutes apart: all inside one token lifetime (1 h, renewed 5 min early)
    for (int c = 0; c < 10; c++) {
      f.cycleAfter(Duration.ofMinutes(5));
      for (String a : TEAM) {
        MailboxState s = f.engine.monitor().mailbox(f.id(a)).orElseThrow();
        assertThat(s.status()).isEqualTo(MailboxStatus.ACTIVE);
        assertThat(s.mode()).isEqualTo(AuthMode.APPLICATION);
      }
    }
    assertThat(f.appTokenRequests() - appTokensBefore).as("app-only tokens for 10 cycles x 3 mailboxes").isEqualTo(1);
    assertThat(f.m365.cloud().log().tokenRequests("refresh_token")).as("no delegated token used").isEqualTo(refreshBefore);
    f.cycleAfter(Duration.ofMinutes(10)); // past the first token's renewal point
    assertThat(f.appTokenRequests() - appTokensBefore).isEqualTo(2);
    assertThat(f.engine.tenantStatus(f.m365.tenantId()).appMode()).isEqualTo(TenantStatus.AppMode.ACTIVE);

    // new data still flows after the cliff
    f.m365.mailbox(f.users.get("bob")).contacts().create(io.m365sync.model.Contact.of("Grace", "Hopper", "grace@example.com"));
    f.cycleAfter(Duration.ofMinutes(1));
    assertThat(f.crmContacts.items(f.id("bob"))).hasSize(3);
  }

  @Test
  void enablingApplicationModeRevivesMailboxesThatNeedSignIn() {
    EngineFixture f = delegatedTeam(SyncOptions.defaults());
    f.engine.runCycle();
    f.cycleAfter(Duration.ofDays(91));
    assertThat(f.engine.monitor().needingSignIn()).hasSize(3);

    f.m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);
    f.cycleAfter(Duration.ofMinutes(15));

    for (String a : TEAM) {
      assertThat(f.status(a)).isEqualTo(MailboxStatus.ACTIVE);
      assertThat(f.engine.monitor().mailbox(f.id(a)).orElseThrow().mode()).isEqualTo(AuthMode.APPLICATION);
      assertThat(f.crmEvents.duplicates(f.id(a))).isZero();
      assertThat(f.crmEvents.items(f.id(a))).hasSize(3);
    }
  }

  @Test
  void aMailboxWhoseOwnerNeverSignedInIsNeverTouchedInEitherMode() {
    EngineFixture f = delegatedTeam(SyncOptions.defaults());
    ModelUser dave = f.user("dave"); // has data, never signed in to the add-in
    MailboxId daveId = f.m365.mailboxId(dave);

    f.engine.runCycle();
    assertThatThrownBy(() -> f.engine.syncMailbox(daveId))
        .isInstanceOf(NotEnrolledException.class)
        .hasMessageContaining(daveId.toString())
        .hasMessageContaining("not enrolled")
        .hasMessageContaining("signed in to the CRM add-in");

    f.m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);
    f.cycleAfter(Duration.ofDays(91));
    assertThatThrownBy(() -> f.engine.syncMailbox(daveId)).isInstanceOf(NotEnrolledException.class);
    f.cycleAfter(Duration.ofHours(1));

    assertThat(f.m365.cloud().log().requestsAbout(dave.objectId())).isZero();
    assertThat(f.engine.monitor().mailbox(daveId)).isEmpty();
    assertThat(f.crmEvents.items(daveId)).isEmpty();
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.ACTIVE);
  }

  @Test
  void anUnenrolledMailboxStopsAtOnceAndLosesItsTokens() {
    EngineFixture f = delegatedTeam(SyncOptions.defaults());
    f.engine.runCycle();
    long before = f.m365.cloud().log().requestsAbout(f.oid("bob"));

    f.engine.unenroll(f.id("bob"));
    f.cycleAfter(Duration.ofHours(1));

    assertThat(f.m365.cloud().log().requestsAbout(f.oid("bob"))).isEqualTo(before);
    assertThat(f.m365.delegatedTokens().holds(f.id("bob"))).isFalse();
    assertThat(f.engine.monitor().mailbox(f.id("bob"))).isEmpty();
    assertThatThrownBy(() -> f.engine.syncMailbox(f.id("bob"))).isInstanceOf(NotEnrolledException.class);
  }

  @Test
  void aUserOutsideTheRestrictAccessGroupFallsBackToDelegatedAndIsReprobedOnlyAfterTheTtl() {
    EngineFixture f = delegatedTeam(SyncOptions.defaults().withAccessDecisionTtl(Duration.ofHours(1)));
    ModelGroup crmUsers = f.m365.tenant().addGroup("crm-sync-users", true)
        .add(f.users.get("alice"))
        .add(f.m365.tenant().addGroup("sales", true).add(f.users.get("bob"))); // nested group
    f.m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, FakeMicrosoft365.CLIENT_ID, crmUsers,
        "CRM sync only for CRM users");
    f.m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    f.engine.setApplicationPermissionEnabled(f.m365.tenantId(), true);

    f.engine.runCycle();

    MailboxState carol = f.engine.monitor().mailbox(f.id("carol")).orElseThrow();
    assertThat(carol.status()).isEqualTo(MailboxStatus.DENIED_BY_POLICY);
    assertThat(carol.reasonCode()).isEqualTo("ErrorAccessDenied");
    assertThat(carol.mode()).isEqualTo(AuthMode.DELEGATED);
    assertThat(carol.reason()).contains("delegated");
    assertThat(f.crmEvents.items(f.id("carol"))).hasSize(3);
    assertThat(f.crmContacts.items(f.id("carol"))).hasSize(2);
    for (String a : List.of("alice", "bob")) {
      assertThat(f.status(a)).isEqualTo(MailboxStatus.ACTIVE);
      assertThat(f.engine.monitor().mailbox(f.id(a)).orElseThrow().mode()).isEqualTo(AuthMode.APPLICATION);
    }
    assertThat(f.engine.monitor().deniedByPolicy()).extracting(MailboxState::mailbox).containsExactly(f.id("carol"));
    long probes = f.m365.cloud().log().graphRequests(f.oid("carol"), AuthMode.APPLICATION);
    assertThat(probes).as("one app-only probe was refused").isEqualTo(1);

    for (int c = 0; c < 5; c++) {
      f.cycleAfter(Duration.ofMinutes(10));
    }
    assertThat(f.m365.cloud().log().graphRequests(f.oid("carol"), AuthMode.APPLICATION)).isEqualTo(1);
    assertThat(f.status("carol")).isEqualTo(MailboxStatus.DENIED_BY_POLICY);

    f.cycleAfter(Duration.ofMinutes(15)); // TTL passed: probe again
    assertThat(f.m365.cloud().log().graphRequests(f.oid("carol"), AuthMode.APPLICATION)).isEqualTo(2);
    assertThat(f.status("carol")).isEqualTo(MailboxStatus.DENIED_BY_POLICY);

    // once her delegated token is dead too, nothing can sync her mailbox: still denied, nothing applied
    f.cycleAfter(Duration.ofDays(91));
    MailboxState dead = f.engine.monitor().mailbox(f.id("carol")).orElseThrow();
    assertThat(dead.status()).isEqualTo(MailboxStatus.DENIED_BY_POLICY);
    assertThat(dead.reason()).contains("cannot cover");
    assertThat(f.status("alice")).isEqualTo(MailboxStatus.ACTIVE);
  }
}

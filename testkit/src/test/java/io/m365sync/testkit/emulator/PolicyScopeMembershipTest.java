package io.m365sync.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A change of membership of an access policy's scope group reaches Graph's enforcement after the
 * tenant's propagation delay, like the policy itself; the directory shows it at once.
 */
class PolicyScopeMembershipTest {
  private static final Duration DELAY = Duration.ofMinutes(60);

  private final Fixture f = new Fixture();
  private ModelGroup crmUsers;

  @BeforeEach
  void restrictAccessToTheCrmGroupInEffect() {
    f.tenant.policyPropagationDelay(DELAY);
    f.app.addApplicationPermissions("GroupMember.Read.All").grantAdminConsent();
    crmUsers = f.tenant.addGroup("crm-users", true).add(f.alice);
    f.tenant.addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, Fixture.CLIENT_ID, crmUsers, "CRM users only");
    f.clock.advance(DELAY);
  }

  @AfterEach
  void close() {
    f.close();
  }

  /** What Graph answers an app-only request for the user's mailbox settings. */
  private int appOnlyMailboxStatus(ModelUser user) {
    return f.http.get(f.graph("/users/" + user.objectId() + "/mailboxSettings"), f.appToken()).status();
  }

  private List<String> directoryMembers(ModelGroup group) {
    JsonNode page = f.http.get(f.graph("/groups/" + group.id() + "/members"), f.appToken()).json();
    List<String> ids = new ArrayList<>();
    page.get("value").forEach(m -> ids.add(m.get("id").asText()));
    return ids;
  }

  @Test
  void aUserAddedToTheGroupIsDeniedUntilTheDelayPassesThenAllowed() {
    assertThat(appOnlyMailboxStatus(f.alice)).isEqualTo(200);
    assertThat(appOnlyMailboxStatus(f.bob)).isEqualTo(403);

    crmUsers.add(f.bob);
    assertThat(directoryMembers(crmUsers)).as("the directory shows it at once")
        .containsExactlyInAnyOrder(f.alice.objectId(), f.bob.objectId());
    assertThat(f.tenant.transitiveMembers(crmUsers)).contains(f.bob);
    assertThat(appOnlyMailboxStatus(f.bob)).as("just added").isEqualTo(403);
    f.clock.advance(DELAY.minusSeconds(1));
    assertThat(appOnlyMailboxStatus(f.bob)).as("a second before the delay").isEqualTo(403);
    assertThat(f.tenant.appAccessAllowed(Fixture.CLIENT_ID, f.bob)).isFalse();

    f.clock.advance(Duration.ofSeconds(1));
    assertThat(appOnlyMailboxStatus(f.bob)).as("after the delay").isEqualTo(200);
    assertThat(f.tenant.appAccessAllowed(Fixture.CLIENT_ID, f.bob)).isTrue();
  }

  @Test
  void aUserRemovedFromTheGroupIsAllowedUntilTheDelayPassesThenDenied() {
    crmUsers.remove(f.alice.objectId());
    assertThat(directoryMembers(crmUsers)).as("the directory shows it at once").isEmpty();
    assertThat(f.tenant.transitiveMembers(crmUsers)).isEmpty();
    assertThat(appOnlyMailboxStatus(f.alice)).as("just removed").isEqualTo(200);
    f.clock.advance(DELAY.minusSeconds(1));
    assertThat(appOnlyMailboxStatus(f.alice)).as("a second before the delay").isEqualTo(200);

    f.clock.advance(Duration.ofSeconds(1));
    assertThat(appOnlyMailboxStatus(f.alice)).as("after the delay").isEqualTo(403);
    assertThat(f.tenant.appAccessAllowed(Fixture.CLIENT_ID, f.alice)).isFalse();
  }

  @Test
  void aChangeInANestedGroupPropagatesLikeADirectOne() {
    ModelGroup nested = f.tenant.addGroup("crm-sales", true);
    crmUsers.add(nested);
    f.clock.advance(DELAY);
    nested.add(f.bob);
    assertThat(f.tenant.transitiveMembers(crmUsers)).contains(f.bob);
    assertThat(f.tenant.transitiveMembersSeenByPolicies(crmUsers)).doesNotContain(f.bob);
    assertThat(appOnlyMailboxStatus(f.bob)).isEqualTo(403);

    f.clock.advance(DELAY);
    assertThat(f.tenant.transitiveMembersSeenByPolicies(crmUsers)).contains(f.bob);
    assertThat(appOnlyMailboxStatus(f.bob)).isEqualTo(200);
  }

  @Test
  void changesReachEnforcementInTheirOrderEachAfterTheDelay() {
    crmUsers.remove(f.alice.objectId());
    f.clock.advance(Duration.ofMinutes(10));
    crmUsers.add(f.alice);
    assertThat(f.tenant.transitiveMembers(crmUsers)).contains(f.alice);
    f.clock.advance(Duration.ofMinutes(49));
    assertThat(appOnlyMailboxStatus(f.alice)).as("neither change seen yet").isEqualTo(200);
    f.clock.advance(Duration.ofMinutes(1));
    assertThat(appOnlyMailboxStatus(f.alice)).as("the removal seen").isEqualTo(403);
    f.clock.advance(Duration.ofMinutes(10));
    assertThat(appOnlyMailboxStatus(f.alice)).as("the addition seen").isEqualTo(200);
  }

  @Test
  void withoutADelayAMembershipChangeAppliesAtOnce() {
    f.tenant.policyPropagationDelay(Duration.ZERO);
    crmUsers.add(f.bob);
    assertThat(appOnlyMailboxStatus(f.bob)).isEqualTo(200);
    crmUsers.remove(f.bob.objectId());
    assertThat(appOnlyMailboxStatus(f.bob)).isEqualTo(403);
  }
}

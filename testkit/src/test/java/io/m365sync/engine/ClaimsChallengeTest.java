package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.ResourceType;
import io.m365sync.model.TodoTask;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.RecordingSyncListener;
import io.m365sync.testkit.model.EntraError;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A Conditional Access refusal carries a {@code claims} challenge the add-in's next sign-in needs:
 * the engine hands it to the host instead of dropping it.
 */
class ClaimsChallengeTest {
  private static final String CLAIMS = "{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"c1\"]}}}";

  @Test
  void aConditionalAccessRefusalReachesTheHostWithItsClaimsChallenge() {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser user = m365.addUser("ines");
    RecordingSyncListener listener = new RecordingSyncListener();
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens()).listener(listener)
        .resource(ResourceSyncers.oneWay(ResourceType.TASKS, new InMemoryCrmStore<TodoTask>("task"))).build();
    Mailbox mailbox = m365.signIn(user, Set.of(Resource.TASKS));
    engine.enroll(mailbox);
    engine.syncMailbox(mailbox.id());

    m365.clock().advance(Duration.ofMinutes(70)); // the access token expired: the next round refreshes
    m365.tenant().failNextTokenRequests(1, EntraError.claimsChallenge("invalid_grant", 53003,
        "Access has been blocked by Conditional Access policies.", CLAIMS));
    MailboxSyncReport report = engine.syncMailbox(mailbox.id());

    assertThat(report.state().status()).isEqualTo(MailboxStatus.NEEDS_SIGN_IN);
    assertThat(listener.claimsChallenges()).containsExactly(
        new RecordingSyncListener.ClaimsChallenge(mailbox.id(), report.state().reasonCode(), CLAIMS));
  }
}

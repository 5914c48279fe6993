package io.m365sync.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.auth.CredentialsInvalidException;
import io.m365sync.auth.ReauthenticationRequiredException;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.RecordedRequest;
import io.m365sync.testkit.model.RequestLog;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The in-memory token strategies go through the model's token endpoint: every request is counted as over HTTP. */
class FakeTokenStrategiesLogTest {
  final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  final RequestLog log = m365.cloud().log();

  @Test
  void anApplicationTokenForATenantTheCloudDoesNotKnowIsRecorded() {
    Mailbox stranger = new Mailbox(new MailboxId(TenantId.of("nope.example"), "x"), "x@nope.example", "crm-x",
        m365.clock().instant(), Set.of(Resource.EVENTS));
    log.clear();
    assertThatThrownBy(() -> m365.applicationTokens().acquire(stranger, Purpose.BACKGROUND_SYNC))
        .isInstanceOf(RuntimeException.class);
    assertThat(log.tokens().tenant("nope.example").error("AADSTS90002").grantType("client_credentials").count())
        .isEqualTo(1);
  }

  @Test
  void aWrongClientSecretIsRecordedPerTenantWithItsCode() {
    FakeMicrosoft365 wrong = FakeMicrosoft365.withCrmClientSecret("not-the-secret");
    Mailbox alice = wrong.signIn(wrong.addUser("alice"), Set.of(Resource.EVENTS));
    wrong.cloud().log().clear();
    assertThatThrownBy(() -> wrong.applicationTokens().acquire(alice, Purpose.BACKGROUND_SYNC))
        .isInstanceOf(CredentialsInvalidException.class);
    assertThat(wrong.cloud().log().tokens().tenant(wrong.tenant().tenantId()).grantType("client_credentials")
        .error("AADSTS7000215").count()).isEqualTo(1);
  }

  @Test
  void aDeadRefreshTokenIsRecordedForItsUser() {
    ModelUser alice = m365.addUser("alice");
    Mailbox mailbox = m365.signIn(alice, Set.of(Resource.EVENTS));
    m365.clock().advance(Duration.ofDays(91));
    log.clear();
    assertThatThrownBy(() -> m365.delegatedTokens().acquire(mailbox, Purpose.BACKGROUND_SYNC))
        .isInstanceOf(ReauthenticationRequiredException.class);
    RecordedRequest r = log.tokens().user(alice.objectId()).grantType("refresh_token").list().get(0);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorCode()).isEqualTo("AADSTS700082");
    assertThat(log.tokens().count()).isEqualTo(1);
  }

  @Test
  void theAddInSignInIsOneAuthorizationCodeRequestForItsUser() {
    ModelUser alice = m365.addUser("alice");
    log.clear();
    m365.signIn(alice, Set.of(Resource.EVENTS));
    assertThat(log.tokens().user(alice.objectId()).grantType("authorization_code").succeeded().count()).isEqualTo(1);
    assertThat(log.tokens().count()).isEqualTo(1);
  }
}

package io.m365sync.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** Only the identity platform's own answer decides "credentials refused"; Conditional Access re-authenticates. */
class TokenFailuresTest {
  private static final String CLAIMS = "{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"p1\"]}}}";
  private final Mailbox mailbox = new Mailbox(new MailboxId(TenantId.of("t1"), "u1"), "u1@contoso.com", "crm-1",
      Instant.EPOCH, EnumSet.of(Resource.EVENTS));

  private TokenException delegated(int status, String error, int code, String claims) {
    return TokenFailures.toException(mailbox, false, "client", status, error, code, null, "text", null, claims, null);
  }

  private TokenException application(int status, String error, int code) {
    return TokenFailures.toException(mailbox, true, "client", status, error, code, null, "text", null, null, null);
  }

  @Test
  void anAnswerWithoutEntrasErrorIsAnOutageWhateverItsStatus() {
    assertThat(application(0, null, -1)).isInstanceOf(TransientAuthFailureException.class);
    assertThat(application(400, null, -1)).isInstanceOf(TransientAuthFailureException.class);
    assertThat(application(404, "unknown", -1)).isInstanceOf(TransientAuthFailureException.class);
    assertThat(application(502, null, -1)).isInstanceOf(TransientAuthFailureException.class);
    assertThat(application(0, "server_error", -1)).isInstanceOf(TransientAuthFailureException.class);
  }

  @Test
  void entrasOwnCodesDecideRefusedCredentials() {
    for (int code : new int[] {7000215, 7000222, 700027, 700024, 700023, 700021, 700016, 500011, 70011}) {
      assertThat(application(0, "invalid_client", code)).as("AADSTS%d", code).isInstanceOf(CredentialsInvalidException.class);
    }
    assertThat(application(400, "unauthorized_client", -1)).isInstanceOf(CredentialsInvalidException.class);
    assertThat(application(400, "invalid_scope", -1)).isInstanceOf(CredentialsInvalidException.class);
  }

  @Test
  void conditionalAccessMakesTheUserSignInAgainWithTheChallenge() {
    for (int code : new int[] {53003, 53000, 50076, 50079, 530032}) {
      TokenException e = delegated(0, "invalid_grant", code, CLAIMS);
      assertThat(e).as("AADSTS%d", code).isInstanceOf(ReauthenticationRequiredException.class);
      assertThat(((ReauthenticationRequiredException) e).claimsChallenge()).contains(CLAIMS);
      assertThat(e.getMessage()).doesNotContain(CLAIMS);
    }
    assertThat(delegated(400, "interaction_required", -1, null)).isInstanceOfSatisfying(
        ReauthenticationRequiredException.class, e -> assertThat(e.claimsChallenge()).isEmpty());
    // an app cannot satisfy Conditional Access interactively: tenant-wide, as before
    assertThat(application(0, "invalid_grant", 53003)).isInstanceOf(CredentialsInvalidException.class);
  }
}

package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.auth.CredentialsInvalidException;
import io.m365sync.auth.ReauthenticationRequiredException;
import io.m365sync.auth.TransientAuthFailureException;
import io.m365sync.testkit.model.EntraError;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The MSAL strategies over the emulator classify a failure by what it is: an outage (empty 5xx, a
 * gateway's HTML page, a 200 that is no token response) is transient, whatever MSAL makes of it;
 * Entra's own codes decide refused credentials; Conditional Access asks the user to sign in again and
 * carries Entra's claims challenge.
 */
@Order(1)
class MsalFailureClassesTest {
  private static final String CLAIMS = "{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"5a1c\"]}}}";
  private final EmulatorFixture fx = new EmulatorFixture();

  @AfterEach
  void close() {
    fx.close();
  }

  @Test
  void anEmptyOrHtmlOrUnreadableAnswerIsAnOutageNotRefusedCredentials() {
    fx.grantApplication(Resource.EVENTS);
    Mailbox m = fx.mailbox(fx.tenant.addUser("olga"), Resource.EVENTS);
    for (EntraError outage : new EntraError[] {EntraError.emptyBody(503), EntraError.htmlPage(502),
        EntraError.emptyBody(500), EntraError.unreadableBody()}) {
      fx.tenant.failNextTokenRequests(1, outage);
      assertThatThrownBy(() -> fx.application.acquire(m, Purpose.BACKGROUND_SYNC)).as(outage.toString())
          .isInstanceOfSatisfying(TransientAuthFailureException.class, e -> {
            assertThat(e.tenant()).contains(fx.tenantId());
            assertThat(e.getMessage()).doesNotContain(fx.secret).doesNotContain("Unexpected");
          });
    }
    Captured.secret(fx.application.acquire(m, Purpose.BACKGROUND_SYNC).value());
    assertThat(fx.cloud.log().tokens().grantType("client_credentials").failed().count()).isEqualTo(4);
  }

  @Test
  void anEmptyServiceUnavailableNamesItsStatus() {
    Mailbox m = fx.mailbox(fx.tenant.addUser("pia"), Resource.EVENTS);
    fx.tenant.failNextTokenRequests(1, EntraError.emptyBody(503));
    assertThatThrownBy(() -> fx.application.acquire(m, Purpose.BACKGROUND_SYNC))
        .isInstanceOfSatisfying(TransientAuthFailureException.class, e -> assertThat(e.errorCode()).isEqualTo("HTTP 503"));
  }

  @Test
  void conditionalAccessAsksTheUserToSignInAgainWithTheClaimsChallenge() {
    Mailbox m = fx.signIn(fx.tenant.addUser("quinn"));
    fx.delegated.forget(m.id());
    fx.clock.advance(Duration.ofMinutes(70));
    fx.tenant.failNextTokenRequests(1, EntraError.claimsChallenge("invalid_grant", 53003,
        "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", CLAIMS));
    assertThatThrownBy(() -> fx.delegated.acquire(m, Purpose.BACKGROUND_SYNC))
        .isInstanceOfSatisfying(ReauthenticationRequiredException.class, e -> {
          assertThat(e.errorCode()).isEqualTo("AADSTS53003");
          assertThat(e.getMessage()).contains("Conditional Access");
          assertThat(e.claimsChallenge()).contains(CLAIMS);
        });

    fx.tenant.failNextTokenRequests(1, EntraError.claimsChallenge("interaction_required", 50076, "Due to a configuration"
        + " change made by your administrator, or because you moved to a new location, you must use multi-factor"
        + " authentication.", CLAIMS));
    assertThatThrownBy(() -> fx.delegated.acquire(m, Purpose.BACKGROUND_SYNC))
        .isInstanceOfSatisfying(ReauthenticationRequiredException.class, e -> {
          assertThat(e.errorCode()).isEqualTo("AADSTS50076");
          assertThat(e.claimsChallenge()).contains(CLAIMS);
        });
  }

  @Test
  void onlyEntrasOwnCodesSayTheCredentialsAreRefused() {
    Mailbox m = fx.mailbox(fx.tenant.addUser("rita"), Resource.EVENTS);
    fx.tenant.failNextTokenRequests(1, EntraError.invalidClient(7000222, "The provided client secret keys for app '"
        + EmulatorFixture.CLIENT_ID + "' are expired."));
    assertThatThrownBy(() -> fx.application.acquire(m, Purpose.BACKGROUND_SYNC))
        .isInstanceOfSatisfying(CredentialsInvalidException.class, e -> assertThat(e.errorCode()).isEqualTo("AADSTS7000222"));
    // a Conditional Access block of the app itself is tenant-wide: the app cannot sign in interactively
    fx.tenant.failNextTokenRequests(1, EntraError.claimsChallenge("invalid_grant", 53003, "Access has been blocked by"
        + " Conditional Access policies.", CLAIMS));
    assertThatThrownBy(() -> fx.application.acquire(m, Purpose.BACKGROUND_SYNC))
        .isInstanceOfSatisfying(CredentialsInvalidException.class, e -> assertThat(e.errorCode()).isEqualTo("AADSTS53003"));
  }
}

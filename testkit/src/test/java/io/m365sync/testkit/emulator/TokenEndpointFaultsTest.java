package io.m365sync.testkit.emulator;

import static io.m365sync.testkit.emulator.EntraTokenEndpointTest.assertEntraError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.auth.ReauthenticationRequiredException;
import io.m365sync.auth.TransientAuthFailureException;
import io.m365sync.testkit.FakeApplicationTokenStrategy;
import io.m365sync.testkit.FakeDelegatedTokenStrategy;
import io.m365sync.testkit.model.EntraError;
import io.m365sync.testkit.model.RecordedRequest;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the token endpoint can be made to answer besides tokens and Entra's errors — an empty 5xx, a
 * gateway's HTML page, a 200 that is no token response, a Conditional Access claims challenge — and
 * how it judges scopes (an unknown resource is {@code invalid_resource}, a permission Graph does not
 * publish is {@code invalid_scope}, never consent).
 */
class TokenEndpointFaultsTest {
  private static final String CLAIMS = "{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"c1a2b3\"]}}}";
  private final Fixture f = new Fixture();

  @AfterEach
  void close() {
    f.close();
  }

  private RawHttp.Response clientCredentials(String scope) {
    return f.http.form(f.tokenUrl(), Map.of("grant_type", "client_credentials", "client_id", Fixture.CLIENT_ID,
        "client_secret", Fixture.SECRET, "scope", scope));
  }

  private RawHttp.Response redeem(String scope) {
    return f.http.form(f.tokenUrl(), Map.of("grant_type", "authorization_code", "client_id", Fixture.CLIENT_ID,
        "client_secret", Fixture.SECRET, "code", f.emulator.authorizationCode(f.tenant, f.alice, Fixture.CLIENT_ID),
        "redirect_uri", "https://crm.example/auth", "scope", scope));
  }

  private RecordedRequest lastToken() {
    var all = f.cloud.log().tokens().list();
    return all.get(all.size() - 1);
  }

  @Test
  void anEmptyServiceUnavailableIsJustTheStatus() {
    f.tenant.failNextTokenRequests(1, EntraError.emptyBody(503));
    RawHttp.Response r = clientCredentials("https://graph.microsoft.com/.default");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.text()).isEmpty();
    assertThat(lastToken().errorCode()).isEqualTo("empty_body");
    assertThat(lastToken().succeeded()).isFalse();
    assertThat(clientCredentials("https://graph.microsoft.com/.default").status()).isEqualTo(200);
  }

  @Test
  void aBadGatewayIsAnHtmlPage() {
    f.tenant.failNextTokenRequests(1, EntraError.htmlPage(502));
    RawHttp.Response r = clientCredentials("https://graph.microsoft.com/.default");
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.header("Content-Type")).startsWith("text/html");
    assertThat(r.text()).contains("<html>").contains("502 Bad Gateway");
    assertThat(lastToken().errorCode()).isEqualTo("html_page");
  }

  @Test
  void anUnreadableOkHoldsNoTokenAndIsNotASuccess() {
    f.tenant.failNextTokenRequests(1, EntraError.unreadableBody());
    RawHttp.Response r = clientCredentials("https://graph.microsoft.com/.default");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).startsWith("{").doesNotEndWith("}").doesNotContain("access_token");
    assertThat(lastToken().succeeded()).isFalse();
    assertThat(f.cloud.log().tokens().failed().count()).isEqualTo(1);
  }

  @Test
  void aClaimsChallengeTravelsInEntrasJson() {
    f.tenant.failNextTokenRequests(1, EntraError.claimsChallenge("invalid_grant", 53003,
        "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", CLAIMS));
    RawHttp.Response r = redeem("https://graph.microsoft.com/Calendars.ReadWrite offline_access openid profile");
    assertEntraError(r, 400, "invalid_grant", 53003);
    assertThat(r.json().get("claims").asText()).isEqualTo(CLAIMS);
  }

  @Test
  void theFakesClassifyTheSameAnswersAsTheRealStrategiesDo() {
    Mailbox m = new Mailbox(new MailboxId(TenantId.of(f.tenant.tenantId()), f.alice.objectId()),
        f.alice.userPrincipalName(), "crm-alice", f.clock.instant(), EnumSet.of(Resource.EVENTS));
    FakeApplicationTokenStrategy app = new FakeApplicationTokenStrategy(f.cloud, Fixture.CLIENT_ID, Fixture.SECRET);
    for (EntraError outage : new EntraError[] {EntraError.emptyBody(503), EntraError.htmlPage(502), EntraError.unreadableBody()}) {
      f.tenant.failNextTokenRequests(1, outage);
      assertThatThrownBy(() -> app.acquire(m, Purpose.BACKGROUND_SYNC)).as(outage.toString())
          .isInstanceOf(TransientAuthFailureException.class);
    }
    FakeDelegatedTokenStrategy delegated = new FakeDelegatedTokenStrategy(f.cloud, Fixture.CLIENT_ID);
    delegated.signIn(f.tenant, f.alice);
    delegated.invalidate(m);
    f.tenant.failNextTokenRequests(1, EntraError.claimsChallenge("interaction_required", 50076,
        "Due to a configuration change made by your administrator you must use multi-factor authentication.", CLAIMS));
    assertThatThrownBy(() -> delegated.acquire(m, Purpose.BACKGROUND_SYNC))
        .isInstanceOfSatisfying(ReauthenticationRequiredException.class, e -> {
          assertThat(e.errorCode()).isEqualTo("AADSTS50076");
          assertThat(e.claimsChallenge()).contains(CLAIMS);
        });
  }

  @Test
  void anUnknownResourcesDefaultScopeIsInvalidResource() {
    assertEntraError(clientCredentials("https://unknown.example.com/.default"), 400, "invalid_resource", 500011);
    assertThat(clientCredentials("00000003-0000-0000-c000-000000000000/.default").status()).isEqualTo(200);
    assertThat(clientCredentials("https://graph.microsoft.com//.default").status()).isEqualTo(200);
  }

  @Test
  void aScopeGraphDoesNotPublishIsInvalidScopeAtCodeRedemptionNotConsent() {
    assertEntraError(redeem("https://graph.microsoft.com/Calendars.ReadWriteAll offline_access openid"), 400,
        "invalid_scope", 70011);
    assertEntraError(redeem("https://unknown.example.com/Files.Read offline_access"), 400, "invalid_resource", 500011);
    // a permission Graph publishes but the app never asked for is still a consent question
    RawHttp.Response consent = redeem("https://graph.microsoft.com/Mail.Send offline_access openid");
    assertEntraError(consent, 400, "invalid_grant", 65001);
    assertThat(consent.json().get("suberror").asText()).isEqualTo("consent_required");
    assertThat(redeem("https://graph.microsoft.com/Calendars.ReadWrite offline_access openid").status()).isEqualTo(200);
  }
}

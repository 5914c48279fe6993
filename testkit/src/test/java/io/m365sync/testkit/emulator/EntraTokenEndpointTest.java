package io.m365sync.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365sync.testkit.model.EntraError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EntraTokenEndpointTest {
  private final Fixture f = new Fixture();

  @AfterEach
  void close() {
    f.close();
  }

  private RawHttp.Response clientCredentials(String secret) {
    return f.http.form(f.tokenUrl(), Map.of("grant_type", "client_credentials", "client_id", Fixture.CLIENT_ID,
        "client_secret", secret, "scope", "https://graph.microsoft.com/.default"));
  }

  static void assertEntraError(RawHttp.Response r, int status, String error, int code) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    JsonNode j = r.json();
    assertThat(j.get("error").asText()).isEqualTo(error);
    assertThat(j.get("error_description").asText()).startsWith("AADSTS" + code + ": ");
    assertThat(j.get("error_codes").get(0).asInt()).isEqualTo(code);
    assertThat(j.get("timestamp").asText()).isNotBlank();
    assertThat(j.get("trace_id").asText()).isNotBlank();
    assertThat(j.get("correlation_id").asText()).isNotBlank();
  }

  @Test
  void clientSecretGetsAnAppOnlyTokenWithConsentedRoles() {
    RawHttp.Response r = clientCredentials(Fixture.SECRET);
    assertThat(r.status()).isEqualTo(200);
    JsonNode j = r.json();
    assertThat(j.get("token_type").asText()).isEqualTo("Bearer");
    assertThat(j.get("expires_in").asLong()).isEqualTo(3600);
    assertThat(j.has("refresh_token")).isFalse();
    String payload = Fixture.jwtPayload(j.get("access_token").asText());
    assertThat(payload).contains("\"tid\":\"" + f.tenant.tenantId() + "\"", "\"roles\":[", "Tasks.ReadWrite.All",
        "\"idtyp\":\"app\"");
    assertThat(r.header("Content-Type")).startsWith("application/json");
  }

  @Test
  void entraErrorsHaveEntrasShape() {
    assertEntraError(clientCredentials("wrong"), 401, "invalid_client", 7000215);
    f.app.addSecret("old", f.clock.instant().minusSeconds(1));
    assertEntraError(clientCredentials("old"), 401, "invalid_client", 7000222);
    assertEntraError(f.http.form(f.emulator.tokenUrl("nope.example"), Map.of("grant_type", "client_credentials",
        "client_id", Fixture.CLIENT_ID, "client_secret", Fixture.SECRET, "scope", "https://graph.microsoft.com/.default")),
        400, "invalid_request", 90002);
    assertEntraError(f.http.form(f.tokenUrl(), Map.of("grant_type", "client_credentials", "client_id", "unknown-app",
        "client_secret", "x", "scope", "https://graph.microsoft.com/.default")), 400, "unauthorized_client", 700016);
    assertEntraError(f.http.form(f.tokenUrl(), Map.of("client_id", Fixture.CLIENT_ID)), 400, "invalid_request", 900144);
    assertEntraError(f.http.form(f.tokenUrl(), Map.of("grant_type", "client_credentials", "client_id", Fixture.CLIENT_ID,
        "client_secret", Fixture.SECRET, "scope", "Mail.Read")), 400, "invalid_scope", 1002012);
    assertEntraError(f.http.form(f.tokenUrl(), Map.of("grant_type", "password", "client_id", Fixture.CLIENT_ID)),
        400, "unsupported_grant_type", 70003);
    assertEntraError(f.http.get(f.tokenUrl(), null), 400, "invalid_request", 900561);
  }

  @Test
  void temporarilyUnavailableIsA503WithRetryAfter() {
    f.tenant.failNextTokenRequests(1, new EntraError(503, "temporarily_unavailable", 90033,
        "A transient error has occurred. Please try again.", null));
    RawHttp.Response r = clientCredentials(Fixture.SECRET);
    assertEntraError(r, 503, "temporarily_unavailable", 90033);
    assertThat(r.header("Retry-After")).isEqualTo("1");
    assertThat(clientCredentials(Fixture.SECRET).status()).isEqualTo(200);
  }

  @Test
  void authorizationCodeGivesIdTokenClientInfoAndARotatingRefreshToken() {
    RawHttp.Response r = f.signIn(f.alice);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    JsonNode j = r.json();
    assertThat(j.get("scope").asText()).contains("https://graph.microsoft.com/Calendars.ReadWrite");
    String clientInfo = new String(Base64.getUrlDecoder().decode(j.get("client_info").asText()), StandardCharsets.UTF_8);
    assertThat(clientInfo).isEqualTo("{\"uid\":\"" + f.alice.objectId() + "\",\"utid\":\"" + f.tenant.tenantId() + "\"}");
    assertThat(Fixture.jwtPayload(j.get("id_token").asText())).contains("\"oid\":\"" + f.alice.objectId() + "\"",
        "\"preferred_username\":\"alice@contoso.com\"", "\"tid\":\"" + f.tenant.tenantId() + "\"");
    assertThat(Fixture.jwtPayload(j.get("access_token").asText())).contains("\"scp\":\"", "Calendars.ReadWrite");

    String rt = j.get("refresh_token").asText();
    RawHttp.Response refreshed = refresh(rt);
    assertThat(refreshed.status()).isEqualTo(200);
    assertThat(refreshed.json().get("refresh_token").asText()).isNotEqualTo(rt);

    // codes are single use
    String code = f.emulator.authorizationCode(f.tenant, f.bob, Fixture.CLIENT_ID);
    assertThat(redeem(code).status()).isEqualTo(200);
    assertEntraError(redeem(code), 400, "invalid_grant", 70000);
  }

  private RawHttp.Response redeem(String code) {
    return f.http.form(f.tokenUrl(), Map.of("grant_type", "authorization_code", "client_id", Fixture.CLIENT_ID,
        "client_secret", Fixture.SECRET, "code", code, "redirect_uri", "https://crm.example/auth"));
  }

  private RawHttp.Response refresh(String rt) {
    return f.http.form(f.tokenUrl(), Map.of("grant_type", "refresh_token", "client_id", Fixture.CLIENT_ID,
        "client_secret", Fixture.SECRET, "refresh_token", rt,
        "scope", "https://graph.microsoft.com/Calendars.ReadWrite offline_access openid profile"));
  }

  @Test
  void refreshTokenRulesSurfaceAsInvalidGrant() {
    String rt = f.signIn(f.alice).json().get("refresh_token").asText();
    f.clock.advance(Duration.ofDays(91));
    assertEntraError(refresh(rt), 400, "invalid_grant", 700082);

    String rt2 = f.signIn(f.alice).json().get("refresh_token").asText();
    f.tenant.revokeSignInSessions(f.alice);
    assertEntraError(refresh(rt2), 400, "invalid_grant", 50173);

    f.tenant.signInFrequency(Duration.ofHours(8));
    String rt3 = f.signIn(f.bob).json().get("refresh_token").asText();
    f.clock.advance(Duration.ofHours(9));
    assertEntraError(refresh(rt3), 400, "invalid_grant", 70043);

    f.tenant.signInFrequency(null);
    String rt4 = f.signIn(f.bob).json().get("refresh_token").asText();
    f.app.removeDelegatedPermission("Calendars.ReadWrite");
    RawHttp.Response consent = refresh(rt4);
    assertEntraError(consent, 400, "invalid_grant", 65001);
    assertThat(consent.json().get("suberror").asText()).isEqualTo("consent_required");
    assertEntraError(refresh("garbage"), 400, "invalid_grant", 9002313);
    assertEntraError(f.http.form(f.tokenUrl(), Map.of("grant_type", "refresh_token", "client_id", Fixture.CLIENT_ID,
        "client_secret", "wrong", "refresh_token", rt4)), 401, "invalid_client", 7000215);
  }

  @Test
  void certificateAssertionIsVerified() throws Exception {
    String aud = "https://login.microsoftonline.com/" + f.tenant.tenantId() + "/oauth2/v2.0/token";
    RawHttp.Response ok = assertion(assertionJwt(f.cert.privateKey(), f.cert.certificate(), aud));
    assertThat(ok.status()).as(ok.text()).isEqualTo(200);
    assertThat(Fixture.jwtPayload(ok.json().get("access_token").asText())).contains("\"roles\":[");
    // the emulator's own token URL is an accepted audience too
    assertThat(assertion(assertionJwt(f.cert.privateKey(), f.cert.certificate(), f.tokenUrl())).status()).isEqualTo(200);

    SelfSignedCertificate other = SelfSignedCertificate.create("intruder", f.clock.instant().minusSeconds(60),
        f.clock.instant().plus(Duration.ofDays(1)));
    assertEntraError(assertion(assertionJwt(other.privateKey(), f.cert.certificate(), aud)), 401, "invalid_client", 700027);
    assertEntraError(assertion(assertionJwt(other.privateKey(), other.certificate(), aud)), 401, "invalid_client", 700027);
    assertEntraError(assertion(assertionJwt(f.cert.privateKey(), f.cert.certificate(), "https://evil.example/token")),
        401, "invalid_client", 700023);
    assertEntraError(assertion("not.a.jwt"), 401, "invalid_client", 700027);
  }

  private RawHttp.Response assertion(String jwt) {
    return f.http.form(f.tokenUrl(), Map.of("grant_type", "client_credentials", "client_id", Fixture.CLIENT_ID,
        "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", jwt,
        "scope", "https://graph.microsoft.com/.default"));
  }

  static String assertionJwt(PrivateKey key, X509Certificate cert, String aud) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String x5t = b64.encodeToString(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    String header = b64.encodeToString(("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t#S256\":\"" + x5t + "\"}")
        .getBytes(StandardCharsets.UTF_8));
    long now = System.currentTimeMillis() / 1000;
    String payload = b64.encodeToString(("{\"aud\":\"" + aud + "\",\"iss\":\"" + Fixture.CLIENT_ID + "\",\"sub\":\""
        + Fixture.CLIENT_ID + "\",\"jti\":\"" + java.util.UUID.randomUUID() + "\",\"nbf\":" + now + ",\"exp\":" + (now + 600) + "}")
        .getBytes(StandardCharsets.UTF_8));
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(key);
    s.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
    return header + "." + payload + "." + b64.encodeToString(s.sign());
  }

  @Test
  void recordedRequestsRedactSecrets() {
    clientCredentials(Fixture.SECRET);
    EmulatorRequest r = f.emulator.takeRequest();
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/" + f.tenant.tenantId() + "/oauth2/v2.0/token");
    assertThat(r.body()).contains("client_secret=<redacted>").doesNotContain(Fixture.SECRET);
    assertThat(r.status()).isEqualTo(200);
    String token = f.appToken();
    f.emulator.clearRecordedRequests();
    f.http.get(f.graph("/users/" + f.alice.objectId() + "/mailboxSettings"), token);
    EmulatorRequest g = f.emulator.takeRequest();
    assertThat(g.header("Authorization")).isEqualTo("Bearer <redacted>");
    assertThat(g.toString()).doesNotContain(token);
    assertThat(f.cloud.log().tokenRequests("client_credentials")).isEqualTo(2);
  }

  @Test
  void authorizeRedirectsWithACodeForTheLoginHint() {
    RawHttp.Response r = f.http.get(f.emulator.loginBaseUrl() + "/" + f.tenant.tenantId()
        + "/oauth2/v2.0/authorize?client_id=" + Fixture.CLIENT_ID + "&redirect_uri=https%3A%2F%2Fcrm.example%2Fauth"
        + "&login_hint=alice%40contoso.com&state=xyz&response_type=code", null);
    assertThat(r.status()).isEqualTo(302);
    String location = r.header("Location");
    assertThat(location).startsWith("https://crm.example/auth?code=").contains("&state=xyz");
    String code = java.net.URLDecoder.decode(location.replaceAll(".*code=([^&]*).*", "$1"), StandardCharsets.UTF_8);
    assertThat(redeem(code).status()).isEqualTo(200);
  }
}

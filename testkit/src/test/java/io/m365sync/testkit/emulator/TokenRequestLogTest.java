package io.m365sync.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.testkit.model.EntraError;
import io.m365sync.testkit.model.RecordedRequest;
import io.m365sync.testkit.model.RequestLog;
import io.m365sync.testkit.model.TenantModel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every path of the emulator's token endpoint leaves exactly one record in the model's request log,
 * with its tenant, client, grant type, user (for refresh tokens and codes), status and AADSTS code:
 * tests count token requests from the log, failed ones included.
 */
class TokenRequestLogTest {
  private static final String DEFAULT_SCOPE = "https://graph.microsoft.com/.default";
  private static final String EXPIRED_SECRET = "expired~secret";

  private final Fixture f = new Fixture();
  private final RequestLog log = f.cloud.log();

  @AfterEach
  void close() {
    f.close();
  }

  private RawHttp.Response post(String... fields) {
    Map<String, String> form = new HashMap<>();
    for (int i = 0; i < fields.length; i += 2) {
      form.put(fields[i], fields[i + 1]);
    }
    return f.http.form(f.tokenUrl(), form);
  }

  /** The one token request {@code send} made, after checking the status it answered. */
  private RecordedRequest recorded(Runnable send, int status) {
    log.clear();
    send.run();
    RecordedRequest r = log.tokens().list().stream().reduce((a, b) -> {
      throw new AssertionError("more than one token request recorded: " + log.all());
    }).orElseThrow(() -> new AssertionError("no token request recorded"));
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    return r;
  }

  private RecordedRequest recordedFailure(Runnable send, int status, int aadsts) {
    RecordedRequest r = recorded(send, status);
    assertThat(r.errorCode()).isEqualTo("AADSTS" + aadsts);
    assertThat(r.succeeded()).isFalse();
    return r;
  }

  private static void assertAbout(RecordedRequest r, String tenantId, String grantType, String userId) {
    assertThat(r.tenantId()).isEqualTo(tenantId);
    assertThat(r.clientId()).isEqualTo(Fixture.CLIENT_ID);
    assertThat(r.grantType()).isEqualTo(grantType);
    assertThat(r.targetUserId()).isEqualTo(userId);
  }

  private String refreshTokenOf(io.m365sync.testkit.model.ModelUser user) {
    return f.signIn(user).json().get("refresh_token").asText();
  }

  private String code(io.m365sync.testkit.model.ModelUser user) {
    return f.emulator.authorizationCode(f.tenant, user, Fixture.CLIENT_ID);
  }

  private Runnable clientSecret(String secret) {
    return () -> post("grant_type", "client_credentials", "client_id", Fixture.CLIENT_ID, "client_secret", secret,
        "scope", DEFAULT_SCOPE);
  }

  private Runnable refreshWith(String rt, String... proof) {
    return () -> post(withProof(proof, "grant_type", "refresh_token", "client_id", Fixture.CLIENT_ID, "refresh_token", rt,
        "scope", "https://graph.microsoft.com/Calendars.ReadWrite offline_access openid profile"));
  }

  private Runnable redeemWith(String code, String... proof) {
    return () -> post(withProof(proof, "grant_type", "authorization_code", "client_id", Fixture.CLIENT_ID, "code", code,
        "redirect_uri", "https://crm.example/auth"));
  }

  private static String[] withProof(String[] proof, String... fields) {
    String[] all = java.util.Arrays.copyOf(fields, fields.length + proof.length);
    System.arraycopy(proof, 0, all, fields.length, proof.length);
    return all;
  }

  private String validAssertion() {
    try {
      return EntraTokenEndpointTest.assertionJwt(f.cert.privateKey(), f.cert.certificate(), f.tokenUrl());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String foreignAssertion() {
    SelfSignedCertificate other = SelfSignedCertificate.create("intruder", f.clock.instant().minusSeconds(60),
        f.clock.instant().plus(Duration.ofDays(1)));
    try {
      return EntraTokenEndpointTest.assertionJwt(other.privateKey(), other.certificate(), f.tokenUrl());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String[] assertionProof(String jwt) {
    return new String[] {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion", jwt};
  }

  private void expireSecret() {
    f.app.addSecret(EXPIRED_SECRET, f.clock.instant().minusSeconds(1));
  }

  // ------------------------------------------------------------ client_credentials

  @Test
  void clientSecretGranted() {
    RecordedRequest r = recorded(clientSecret(Fixture.SECRET), 200);
    assertAbout(r, f.tenant.tenantId(), "client_credentials", null);
    assertThat(r.mode()).isEqualTo(AuthMode.APPLICATION);
    assertThat(r.errorCode()).isNull();
    assertThat(r.succeeded()).isTrue();
  }

  @Test
  void clientSecretWrong() {
    assertAbout(recordedFailure(clientSecret("wrong"), 401, 7000215), f.tenant.tenantId(), "client_credentials", null);
  }

  @Test
  void clientSecretExpired() {
    expireSecret();
    recordedFailure(clientSecret(EXPIRED_SECRET), 401, 7000222);
  }

  @Test
  void clientUnknown() {
    RecordedRequest r = recordedFailure(() -> post("grant_type", "client_credentials", "client_id", "unknown-app",
        "client_secret", "x", "scope", DEFAULT_SCOPE), 400, 700016);
    assertThat(r.clientId()).isEqualTo("unknown-app");
  }

  @Test
  void certificateAssertionGranted() {
    String jwt = validAssertion();
    recorded(() -> post(withProof(assertionProof(jwt), "grant_type", "client_credentials", "client_id", Fixture.CLIENT_ID,
        "scope", DEFAULT_SCOPE)), 200);
  }

  @Test
  void certificateAssertionSignedByAnUnregisteredCertificate() {
    String jwt = foreignAssertion();
    recordedFailure(() -> post(withProof(assertionProof(jwt), "grant_type", "client_credentials", "client_id",
        Fixture.CLIENT_ID, "scope", DEFAULT_SCOPE)), 401, 700027);
  }

  @Test
  void certificateAssertionOfTheWrongType() {
    String jwt = validAssertion();
    recordedFailure(() -> post("grant_type", "client_credentials", "client_id", Fixture.CLIENT_ID, "client_assertion", jwt,
        "client_assertion_type", "password", "scope", DEFAULT_SCOPE), 400, 50027);
  }

  @Test
  void clientCredentialsWithoutProof() {
    recordedFailure(() -> post("grant_type", "client_credentials", "client_id", Fixture.CLIENT_ID, "scope", DEFAULT_SCOPE),
        401, 7000218);
  }

  @Test
  void clientCredentialsWithoutTheDefaultScope() {
    recordedFailure(() -> post("grant_type", "client_credentials", "client_id", Fixture.CLIENT_ID,
        "client_secret", Fixture.SECRET, "scope", "Mail.Read"), 400, 1002012);
  }

  @Test
  void transientFailure() {
    f.tenant.failNextTokenRequests(1, new EntraError(503, "temporarily_unavailable", 90033, "A transient error.", null));
    recordedFailure(clientSecret(Fixture.SECRET), 503, 90033);
  }

  // ------------------------------------------------------------ refresh_token

  @Test
  void refreshGranted() {
    String rt = refreshTokenOf(f.alice);
    RecordedRequest r = recorded(refreshWith(rt, "client_secret", Fixture.SECRET), 200);
    assertAbout(r, f.tenant.tenantId(), "refresh_token", f.alice.objectId());
    assertThat(r.mode()).isEqualTo(AuthMode.DELEGATED);
  }

  @Test
  void refreshWithAWrongSecret() {
    String rt = refreshTokenOf(f.alice);
    assertAbout(recordedFailure(refreshWith(rt, "client_secret", "wrong"), 401, 7000215), f.tenant.tenantId(),
        "refresh_token", f.alice.objectId());
  }

  @Test
  void refreshWithAnExpiredSecret() {
    String rt = refreshTokenOf(f.alice);
    expireSecret();
    assertAbout(recordedFailure(refreshWith(rt, "client_secret", EXPIRED_SECRET), 401, 7000222), f.tenant.tenantId(),
        "refresh_token", f.alice.objectId());
  }

  @Test
  void refreshWithAForeignCertificateAssertion() {
    String rt = refreshTokenOf(f.alice);
    recordedFailure(refreshWith(rt, assertionProof(foreignAssertion())), 401, 700027);
  }

  @Test
  void refreshWithACertificateAssertionGranted() {
    String rt = refreshTokenOf(f.alice);
    recorded(refreshWith(rt, assertionProof(validAssertion())), 200);
  }

  @Test
  void refreshOfATokenDeadFromInactivity() {
    String rt = refreshTokenOf(f.alice);
    f.clock.advance(Duration.ofDays(91));
    assertAbout(recordedFailure(refreshWith(rt, "client_secret", Fixture.SECRET), 400, 700082), f.tenant.tenantId(),
        "refresh_token", f.alice.objectId());
  }

  @Test
  void refreshOfARevokedToken() {
    String rt = refreshTokenOf(f.alice);
    f.tenant.revokeSignInSessions(f.alice);
    recordedFailure(refreshWith(rt, "client_secret", Fixture.SECRET), 400, 50173);
  }

  @Test
  void refreshOfAnUnknownToken() {
    assertAbout(recordedFailure(refreshWith("garbage", "client_secret", Fixture.SECRET), 400, 9002313),
        f.tenant.tenantId(), "refresh_token", null);
  }

  @Test
  void refreshAskingForAScopeTheGrantNoLongerHolds() {
    String rt = refreshTokenOf(f.alice);
    f.app.removeDelegatedPermission("Calendars.ReadWrite");
    recordedFailure(refreshWith(rt, "client_secret", Fixture.SECRET), 400, 65001);
  }

  @Test
  void refreshWithoutARefreshToken() {
    recordedFailure(() -> post("grant_type", "refresh_token", "client_id", Fixture.CLIENT_ID, "client_secret",
        Fixture.SECRET), 400, 900144);
  }

  // ------------------------------------------------------------ authorization_code

  @Test
  void codeRedeemed() {
    String code = code(f.bob);
    assertAbout(recorded(redeemWith(code, "client_secret", Fixture.SECRET), 200), f.tenant.tenantId(),
        "authorization_code", f.bob.objectId());
  }

  @Test
  void codeWithAWrongSecret() {
    String code = code(f.bob);
    assertAbout(recordedFailure(redeemWith(code, "client_secret", "wrong"), 401, 7000215), f.tenant.tenantId(),
        "authorization_code", f.bob.objectId());
  }

  @Test
  void codeWithAnExpiredSecret() {
    String code = code(f.bob);
    expireSecret();
    recordedFailure(redeemWith(code, "client_secret", EXPIRED_SECRET), 401, 7000222);
  }

  @Test
  void codeWithAForeignCertificateAssertion() {
    String code = code(f.bob);
    recordedFailure(redeemWith(code, assertionProof(foreignAssertion())), 401, 700027);
  }

  @Test
  void codeRedeemedTwice() {
    String code = code(f.bob);
    recorded(redeemWith(code, "client_secret", Fixture.SECRET), 200);
    recordedFailure(redeemWith(code, "client_secret", Fixture.SECRET), 400, 70000);
  }

  @Test
  void codeMissing() {
    recordedFailure(() -> post("grant_type", "authorization_code", "client_id", Fixture.CLIENT_ID, "client_secret",
        Fixture.SECRET), 400, 900144);
  }

  // ------------------------------------------------------------ malformed requests

  @Test
  void unknownTenantIsRecordedUnderTheNameGiven() {
    RecordedRequest r = recordedFailure(() -> f.http.form(f.emulator.tokenUrl("nope.example"), Map.of("grant_type",
        "client_credentials", "client_id", Fixture.CLIENT_ID, "client_secret", Fixture.SECRET, "scope", DEFAULT_SCOPE)),
        400, 90002);
    assertThat(r.tenantId()).isEqualTo("nope.example");
  }

  @Test
  void notAPost() {
    RecordedRequest r = recordedFailure(() -> f.http.get(f.tokenUrl(), null), 400, 900561);
    assertThat(r.tenantId()).isEqualTo(f.tenant.tenantId());
  }

  @Test
  void withoutAGrantType() {
    RecordedRequest r = recordedFailure(() -> post("client_id", Fixture.CLIENT_ID), 400, 900144);
    assertThat(r.grantType()).isNull();
    assertThat(r.clientId()).isEqualTo(Fixture.CLIENT_ID);
  }

  @Test
  void withoutAClientId() {
    recordedFailure(() -> post("grant_type", "client_credentials", "client_secret", Fixture.SECRET, "scope",
        DEFAULT_SCOPE), 400, 900144);
  }

  @Test
  void anUnsupportedGrantType() {
    RecordedRequest r = recordedFailure(() -> post("grant_type", "password", "client_id", Fixture.CLIENT_ID), 400, 70003);
    assertThat(r.grantType()).isEqualTo("password");
    assertThat(r.mode()).isNull();
  }

  // ------------------------------------------------------------ counting

  @Test
  void requestsCountPerTenantUserGrantTypeAndOutcome() {
    TenantModel fabrikam = f.cloud.addTenant("fabrikam.com");
    fabrikam.registerApp(Fixture.CLIENT_ID, "CRM Sync").addSecret(Fixture.SECRET, f.clock.instant().plus(Duration.ofDays(1)));
    String aliceRt = refreshTokenOf(f.alice);
    String bobRt = refreshTokenOf(f.bob);
    expireSecret();
    log.clear();

    refreshWith(aliceRt, "client_secret", EXPIRED_SECRET).run();
    refreshWith(aliceRt, "client_secret", EXPIRED_SECRET).run();
    refreshWith(bobRt, "client_secret", Fixture.SECRET).run();
    clientSecret(EXPIRED_SECRET).run();
    f.http.form(f.emulator.tokenUrl("fabrikam.com"), Map.of("grant_type", "client_credentials", "client_id",
        Fixture.CLIENT_ID, "client_secret", Fixture.SECRET, "scope", DEFAULT_SCOPE));

    String contoso = f.tenant.tenantId();
    assertThat(log.tokens().count()).isEqualTo(5);
    assertThat(log.tokens().tenant(contoso).count()).isEqualTo(4);
    assertThat(log.tokens().tenant(fabrikam.tenantId()).succeeded().count()).isEqualTo(1);
    assertThat(log.refreshRequests(f.alice.objectId())).isEqualTo(2);
    assertThat(log.tokens().tenant(contoso).user(f.alice.objectId()).grantType("refresh_token").failed().count())
        .isEqualTo(2);
    assertThat(log.tokens().user(f.bob.objectId()).succeeded().count()).isEqualTo(1);
    assertThat(log.tokens().tenant(contoso).error("AADSTS7000222").count()).isEqualTo(3);
    assertThat(log.tokens().error("7000222").grantType("client_credentials").count()).isEqualTo(1);
    assertThat(log.tokenRequests(contoso, "client_credentials")).isEqualTo(1);
    assertThat(log.tokenRequests("client_credentials")).isEqualTo(2);
  }
}

package io.m365sync.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import io.m365sync.auth.AppRegistrations;
import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.CredentialsInvalidException;
import io.m365sync.testkit.emulator.EmulatorRequest;
import io.m365sync.testkit.emulator.SelfSignedCertificate;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A certificate tenant gets app-only tokens over the emulator with MSAL's own client assertion (the
 * emulator judges it as Entra does); assertions Entra would refuse come back as credentials refused
 * with Entra's code.
 */
@Order(1)
class MsalCertificateCredentialTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final EmulatorFixture fx = new EmulatorFixture();
  private final SelfSignedCertificate cert = SelfSignedCertificate.create("crm-sync",
      fx.clock.instant().minus(Duration.ofDays(1)), fx.clock.instant().plus(Duration.ofDays(365)));

  @AfterEach
  void close() {
    fx.close();
  }

  /** The JOSE header of the one client assertion the emulator received (it records the header only). */
  private JsonNode assertionHeader() {
    List<EmulatorRequest> posts = fx.emulator.recordedRequests().stream()
        .filter(r -> r.path().endsWith("/oauth2/v2.0/token")).toList();
    assertThat(posts).hasSize(1);
    String body = posts.get(0).body();
    assertThat(body).contains("client_assertion=").doesNotContain("client_secret");
    String value = body.substring(body.indexOf("client_assertion=") + 17);
    value = value.contains("&") ? value.substring(0, value.indexOf('&')) : value;
    assertThat(value).endsWith(".<redacted>");
    try {
      return JSON.readTree(Base64.getUrlDecoder().decode(value.substring(0, value.indexOf('.'))));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String sha256(X509Certificate c) throws Exception {
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
  }

  @Test
  void aCertificateTenantGetsAppOnlyTokensWithMsalsOwnAssertion() throws Exception {
    fx.app.addCertificate(cert.certificate());
    fx.grantApplication(Resource.EVENTS);
    Mailbox m = fx.mailbox(fx.tenant.addUser("carol"), Resource.EVENTS);
    fx.emulator.clearRecordedRequests();

    AccessToken token = fx.applicationStrategy(AppCredential.certificate(cert.privateKey(), List.of(cert.certificate())))
        .acquire(m, Purpose.BACKGROUND_SYNC);
    Captured.secret(token.value());

    assertThat(token.permissions()).contains("Calendars.ReadWrite");
    JsonNode header = assertionHeader();
    assertThat(header.get("alg").asText()).isEqualTo("RS256");
    // MSAL4J's form: the SHA-256 thumbprint in standard, padded base64 (a hand-built RFC 7515 one is unpadded base64url)
    assertThat(header.get("x5t#S256").asText()).isEqualTo(sha256(cert.certificate()));
    assertThat(header.get("x5c").get(0).asText()).isEqualTo(Base64.getEncoder().encodeToString(cert.certificate().getEncoded()));
    assertThat(fx.cloud.log().tokens().grantType("client_credentials").succeeded().count()).isEqualTo(1);
  }

  @Test
  void aChainAndAPkcs12FileGoThroughMsalToo(@TempDir Path dir) throws Exception {
    SelfSignedCertificate issuer = SelfSignedCertificate.create("crm-ca", fx.clock.instant().minus(Duration.ofDays(1)),
        fx.clock.instant().plus(Duration.ofDays(3650)));
    fx.app.addCertificate(cert.certificate());
    fx.grantApplication(Resource.EVENTS);
    Mailbox m = fx.mailbox(fx.tenant.addUser("dora"), Resource.EVENTS);
    fx.emulator.clearRecordedRequests();
    Captured.secret(fx.applicationStrategy(AppCredential.certificate(cert.privateKey(),
        List.of(cert.certificate(), issuer.certificate()))).acquire(m, Purpose.BACKGROUND_SYNC).value());
    assertThat(assertionHeader().get("x5c")).hasSize(2);

    Path p12 = dir.resolve("crm.p12");
    char[] password = "p12-password-456".toCharArray();
    Captured.secret(new String(password));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("crm", cert.privateKey(), password, new X509Certificate[] {cert.certificate()});
    try (OutputStream out = Files.newOutputStream(p12)) {
      ks.store(out, password);
    }
    AppCredential fromFile = AppCredential.pkcs12(p12, password);
    assertThat(fromFile.thumbprint()).isEqualTo(java.util.HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(cert.certificate().getEncoded())));
    fx.emulator.clearRecordedRequests();
    Captured.secret(fx.applicationStrategy(fromFile).acquire(m, Purpose.BACKGROUND_SYNC).value());
    assertThat(assertionHeader().get("x5t#S256").asText()).isEqualTo(sha256(cert.certificate()));

    assertThatThrownBy(() -> AppCredential.pkcs12(p12, "wrong-password".toCharArray()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(p12.toString())
        .hasMessageNotContaining("p12-password-456");
  }

  @Test
  void aNonRsaKeyIsRefusedWhenTheCredentialIsBuilt() throws Exception {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(256);
    assertThatThrownBy(() -> AppCredential.certificate(ec.generateKeyPair().getPrivate(), List.of(cert.certificate())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RSA");
  }

  /** MSAL sending an assertion Entra refuses: the failure names Entra's code and is tenant-wide. */
  private CredentialsInvalidException refused(String assertion) {
    MsalSupport support = new MsalSupport(AppRegistrations.single(EmulatorFixture.CLIENT_ID, AppCredential.secret("unused-secret-value")),
        MsalSupport.DEFAULT_AUTHORITY_HOST, URI.create(fx.emulator.loginBaseUrl()), Duration.ofSeconds(10), Clock.systemUTC(), 1, "test-msal");
    Mailbox m = fx.mailbox(fx.tenant.addUser("u" + UUID.randomUUID().toString().substring(0, 6)), Resource.EVENTS);
    try {
      ConfidentialClientApplication app = ConfidentialClientApplication.builder(EmulatorFixture.CLIENT_ID,
              ClientCredentialFactory.createFromClientAssertion(assertion))
          .authority(MsalSupport.DEFAULT_AUTHORITY_HOST + "/" + fx.tenant.tenantId() + "/").instanceDiscovery(false)
          .httpClient(new MsalRouting(URI.create(fx.emulator.loginBaseUrl()), Duration.ofSeconds(10))).build();
      app.acquireToken(ClientCredentialParameters.builder(Set.of("https://graph.microsoft.com/.default")).build()).get();
      throw new AssertionError("the assertion was accepted");
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      return (CredentialsInvalidException) support.failure(m, true, cause);
    }
  }

  private String assertion(String aud, long nbf, long exp) throws Exception {
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t#S256\":\"" + sha256(cert.certificate()) + "\"}";
    String claims = "{\"aud\":\"" + aud + "\",\"iss\":\"" + EmulatorFixture.CLIENT_ID + "\",\"sub\":\""
        + EmulatorFixture.CLIENT_ID + "\",\"jti\":\"" + UUID.randomUUID() + "\",\"nbf\":" + nbf + ",\"exp\":" + exp + "}";
    String input = url.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + url.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(cert.privateKey());
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + url.encodeToString(s.sign());
  }

  @Test
  void anExpiredAssertionOrAWrongAudienceOrAWrongCertificateIsRefusedWithEntrasCode() throws Exception {
    fx.app.addCertificate(cert.certificate());
    fx.grantApplication(Resource.EVENTS);
    String tokenUrl = "https://login.microsoftonline.com/" + fx.tenant.tenantId() + "/oauth2/v2.0/token";
    long now = System.currentTimeMillis() / 1000;

    CredentialsInvalidException expired = refused(assertion(tokenUrl, now - 3600, now - 1800));
    assertThat(expired.errorCode()).isEqualTo("AADSTS700024");
    assertThat(expired.clientId()).isEqualTo(EmulatorFixture.CLIENT_ID);
    assertThat(refused(assertion("https://login.microsoftonline.com/common/oauth2/v2.0/token", now, now + 600)).errorCode())
        .isEqualTo("AADSTS700023");

    SelfSignedCertificate other = SelfSignedCertificate.create("intruder", fx.clock.instant().minus(Duration.ofDays(1)),
        fx.clock.instant().plus(Duration.ofDays(30)));
    Mailbox m = fx.mailbox(fx.tenant.addUser("eve"), Resource.EVENTS);
    assertThatThrownBy(() -> fx.applicationStrategy(AppCredential.certificate(other.privateKey(), List.of(other.certificate())))
        .acquire(m, Purpose.BACKGROUND_SYNC))
        .isInstanceOfSatisfying(CredentialsInvalidException.class, e -> assertThat(e.errorCode()).isEqualTo("AADSTS700027"));
  }
}

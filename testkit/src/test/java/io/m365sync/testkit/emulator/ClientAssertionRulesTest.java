package io.m365sync.testkit.emulator;

import static io.m365sync.testkit.emulator.EntraTokenEndpointTest.assertEntraError;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The emulator judges a certificate client assertion as Entra documents it: the registered
 * certificate named by {@code x5t} (SHA-1) or {@code x5t#S256} in either base64 alphabet, its
 * signature, {@code iss}/{@code sub}, {@code aud} and the {@code nbf}/{@code exp} window, each refused
 * with Entra's own code.
 */
class ClientAssertionRulesTest {
  private final Fixture f = new Fixture();

  @AfterEach
  void close() {
    f.close();
  }

  private RawHttp.Response post(String assertion) {
    return f.http.form(f.tokenUrl(), Map.of("grant_type", "client_credentials", "client_id", Fixture.CLIENT_ID,
        "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", assertion,
        "scope", "https://graph.microsoft.com/.default"));
  }

  private static String thumb(X509Certificate cert, String digest, Base64.Encoder enc) throws Exception {
    return enc.encodeToString(MessageDigest.getInstance(digest).digest(cert.getEncoded()));
  }

  private static String sign(PrivateKey key, String header, String claims) throws Exception {
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    String input = url.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + url.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(key);
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + url.encodeToString(s.sign());
  }

  private String claims(String issuer, String aud, long nbf, long exp) {
    return "{\"aud\":\"" + aud + "\",\"iss\":\"" + issuer + "\",\"sub\":\"" + issuer + "\",\"jti\":\"" + UUID.randomUUID()
        + "\",\"nbf\":" + nbf + ",\"exp\":" + exp + "}";
  }

  private String valid() {
    long now = System.currentTimeMillis() / 1000;
    return claims(Fixture.CLIENT_ID, f.tokenUrl(), now, now + 600);
  }

  private static String header(String field, String thumbprint) {
    return "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"" + field + "\":\"" + thumbprint + "\"}";
  }

  @Test
  void theRegisteredThumbprintInEitherDigestAndEitherBase64IsAccepted() throws Exception {
    X509Certificate c = f.cert.certificate();
    for (String header : new String[] {
        header("x5t#S256", thumb(c, "SHA-256", Base64.getEncoder())), // MSAL4J: standard base64, padded
        header("x5t#S256", thumb(c, "SHA-256", Base64.getUrlEncoder().withoutPadding())), // RFC 7515
        header("x5t", thumb(c, "SHA-1", Base64.getEncoder())),
        header("x5t", thumb(c, "SHA-1", Base64.getUrlEncoder().withoutPadding()))}) {
      RawHttp.Response r = post(sign(f.cert.privateKey(), header, valid()));
      assertThat(r.status()).as(header + " -> " + r.text()).isEqualTo(200);
    }
  }

  @Test
  void aCertificateNotRegisteredOrAForgedSignatureIs700027() throws Exception {
    SelfSignedCertificate other = SelfSignedCertificate.create("intruder", f.clock.instant().minusSeconds(60),
        f.clock.instant().plus(Duration.ofDays(1)));
    String otherHeader = header("x5t#S256", thumb(other.certificate(), "SHA-256", Base64.getEncoder()));
    String registeredHeader = header("x5t#S256", thumb(f.cert.certificate(), "SHA-256", Base64.getEncoder()));
    assertEntraError(post(sign(other.privateKey(), otherHeader, valid())), 401, "invalid_client", 700027);
    assertEntraError(post(sign(other.privateKey(), registeredHeader, valid())), 401, "invalid_client", 700027);
    assertEntraError(post(sign(f.cert.privateKey(), "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", valid())), 401,
        "invalid_client", 700027);
  }

  @Test
  void anExpiredOrNotYetValidAssertionIs700024() throws Exception {
    String h = header("x5t#S256", thumb(f.cert.certificate(), "SHA-256", Base64.getEncoder()));
    long now = System.currentTimeMillis() / 1000;
    RawHttp.Response expired = post(sign(f.cert.privateKey(), h, claims(Fixture.CLIENT_ID, f.tokenUrl(), now - 3600,
        now - 1200)));
    assertEntraError(expired, 401, "invalid_client", 700024);
    assertEntraError(post(sign(f.cert.privateKey(), h, claims(Fixture.CLIENT_ID, f.tokenUrl(), now + 1800, now + 2400))),
        401, "invalid_client", 700024);
    assertThat(f.cloud.log().tokens().error("AADSTS700024").failed().count()).isEqualTo(2);
  }

  @Test
  void aWrongAudienceIs700023AndAWrongIssuerIs700021() throws Exception {
    String h = header("x5t#S256", thumb(f.cert.certificate(), "SHA-256", Base64.getEncoder()));
    long now = System.currentTimeMillis() / 1000;
    assertEntraError(post(sign(f.cert.privateKey(), h, claims(Fixture.CLIENT_ID,
        "https://login.microsoftonline.com/other-tenant/oauth2/v2.0/token", now, now + 600))), 401, "invalid_client", 700023);
    assertEntraError(post(sign(f.cert.privateKey(), h, claims("someone-else", f.tokenUrl(), now, now + 600))), 401,
        "invalid_client", 700021);
  }
}

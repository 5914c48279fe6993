package io.m365sync.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.m365sync.testkit.model.ClientCredential;
import io.m365sync.testkit.model.EntraError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * Verifies a certificate {@code client_assertion} (RFC 7523) as Entra documents it: a JWT whose
 * {@code iss} and {@code sub} are the client id (else AADSTS700021), whose {@code aud} is the token URL
 * (else 700023), valid now by {@code nbf} and {@code exp} within five minutes of skew (else 700024),
 * naming a certificate registered on the app by its SHA-1 {@code x5t} or SHA-256 {@code x5t#S256}
 * thumbprint in base64 or base64url (MSAL sends standard base64 with padding; RFC 7515 says base64url)
 * and signed RS256 or PS256 with that certificate's key (else 700027).
 */
final class ClientAssertion {
  private static final Duration SKEW = Duration.ofMinutes(5);

  private ClientAssertion() {}

  /**
   * The verdict on {@code assertion}: the registered certificate that signed it, or Entra's refusal.
   *
   * @param now the time to judge {@code nbf}/{@code exp} by: MSAL stamps assertions with the JVM's
   *     clock, as Entra judges them by its own real one
   */
  static ClientCredential verify(String assertion, String clientId, List<X509Certificate> registered,
                                 Collection<String> audiences, Instant now) {
    JsonNode header;
    JsonNode claims;
    byte[] signature;
    byte[] signed;
    try {
      String[] parts = assertion.split("\\.");
      if (parts.length != 3) {
        return refused(700027, "Client assertion failed signature validation. [Reason - The assertion is not a signed JWT.]");
      }
      Base64.Decoder b64 = Base64.getUrlDecoder();
      header = Json.MAPPER.readTree(b64.decode(parts[0]));
      claims = Json.MAPPER.readTree(b64.decode(parts[1]));
      signature = b64.decode(parts[2]);
      signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    } catch (IOException | IllegalArgumentException e) {
      return refused(700027, "Client assertion failed signature validation. [Reason - The assertion is not a readable JWT.]");
    }
    if (header == null || claims == null || !header.isObject() || !claims.isObject()) {
      return refused(700027, "Client assertion failed signature validation. [Reason - The assertion is not a readable JWT.]");
    }
    if (!clientId.equalsIgnoreCase(Json.text(claims, "iss")) || !clientId.equalsIgnoreCase(Json.text(claims, "sub"))) {
      return refused(700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
    }
    if (!audienceMatches(claims.get("aud"), audiences)) {
      return refused(700023, "Client assertion audience claim does not match Realm issuer.");
    }
    JsonNode exp = claims.get("exp");
    JsonNode nbf = claims.get("nbf");
    if (exp == null || !exp.canConvertToLong() || !Instant.ofEpochSecond(exp.asLong()).plus(SKEW).isAfter(now)
        || nbf != null && nbf.canConvertToLong() && Instant.ofEpochSecond(nbf.asLong()).minus(SKEW).isAfter(now)) {
      return refused(700024, "Client assertion is not within its valid time range. Current time: " + now
          + ", assertion valid from " + (nbf == null ? "(no nbf)" : Instant.ofEpochSecond(nbf.asLong()))
          + ", expiry time of assertion " + (exp == null ? "(no exp)" : Instant.ofEpochSecond(exp.asLong())) + ".");
    }
    String x5tS256 = canonical(Json.text(header, "x5t#S256"));
    String x5t = canonical(Json.text(header, "x5t"));
    if (x5tS256 == null && x5t == null) {
      return refused(700027, "Client assertion failed signature validation. [Reason - The assertion names no certificate"
          + " (x5t or x5t#S256).]");
    }
    try {
      for (X509Certificate cert : registered) {
        boolean named = x5tS256 != null ? x5tS256.equals(thumb(cert, "SHA-256")) : x5t.equals(thumb(cert, "SHA-1"));
        if (named) {
          return signatureValid(Json.text(header, "alg"), cert, signed, signature) ? ClientCredential.assertion(cert)
              : refused(700027, "Client assertion contains an invalid signature. [Reason - The key was found, but the"
                  + " signature could not be verified.]");
        }
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return refused(700027, "Client assertion contains an invalid signature. [Reason - " + e.getClass().getSimpleName() + "]");
    }
    return refused(700027, "The certificate with identifier used to sign the client assertion is not registered on"
        + " application. [Reason - The key was not found., Thumbprint of key used by client: '"
        + (x5tS256 != null ? x5tS256 : x5t) + "']");
  }

  private static ClientCredential refused(int code, String description) {
    return ClientCredential.refusedAssertion(EntraError.invalidClient(code, description));
  }

  /** A thumbprint in either base64 alphabet, with or without padding, as unpadded base64url. */
  private static String canonical(String b64) {
    if (b64 == null || b64.isBlank()) {
      return null;
    }
    String s = b64.strip().replace('+', '-').replace('/', '_');
    while (s.endsWith("=")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  private static boolean audienceMatches(JsonNode aud, Collection<String> audiences) {
    if (aud == null) {
      return false;
    }
    if (aud.isArray()) {
      for (JsonNode a : aud) {
        if (audiences.contains(strip(a.asText()))) {
          return true;
        }
      }
      return false;
    }
    return audiences.contains(strip(aud.asText()));
  }

  private static String strip(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private static String thumb(X509Certificate cert, String digest) throws GeneralSecurityException {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance(digest).digest(cert.getEncoded()));
  }

  private static boolean signatureValid(String alg, X509Certificate cert, byte[] signed, byte[] signature)
      throws GeneralSecurityException {
    Signature s;
    if ("RS256".equals(alg)) {
      s = Signature.getInstance("SHA256withRSA");
    } else if ("PS256".equals(alg)) {
      s = Signature.getInstance("RSASSA-PSS");
      s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
    } else {
      return false;
    }
    s.initVerify(cert.getPublicKey());
    s.update(signed);
    return s.verify(signature);
  }
}

package io.m365sync.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * Verifies a certificate {@code client_assertion} (RFC 7523): a JWT signed with RS256 (or PS256) by a
 * certificate registered on the app, found by its {@code x5t#S256} (or {@code x5t}) header, whose
 * {@code aud} is the token URL and whose {@code iss} and {@code sub} are the client id.
 */
final class ClientAssertion {
  private ClientAssertion() {}

  /** The registered certificate that signed {@code assertion}; null when none did or the claims are wrong. */
  static X509Certificate verify(String assertion, String clientId, List<X509Certificate> registered,
                                Collection<String> audiences) {
    try {
      String[] parts = assertion.split("\\.");
      if (parts.length != 3) {
        return null;
      }
      Base64.Decoder b64 = Base64.getUrlDecoder();
      JsonNode header = Json.MAPPER.readTree(b64.decode(parts[0]));
      JsonNode claims = Json.MAPPER.readTree(b64.decode(parts[1]));
      byte[] signature = b64.decode(parts[2]);
      byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
      String alg = Json.text(header, "alg");
      // MSAL sends standard base64 with padding, RFC 7515 says base64url: accept both
      String x5tS256 = urlSafe(Json.text(header, "x5t#S256"));
      String x5t = urlSafe(Json.text(header, "x5t"));
      if (!clientId.equalsIgnoreCase(Json.text(claims, "iss")) || !clientId.equalsIgnoreCase(Json.text(claims, "sub"))) {
        return null;
      }
      if (!audienceMatches(claims.get("aud"), audiences)) {
        return null;
      }
      for (X509Certificate cert : registered) {
        if (x5tS256 != null && !x5tS256.equals(thumb(cert, "SHA-256"))) {
          continue;
        }
        if (x5tS256 == null && x5t != null && !x5t.equals(thumb(cert, "SHA-1"))) {
          continue;
        }
        if (signatureValid(alg, cert, signed, signature)) {
          return cert;
        }
      }
      return null;
    } catch (IOException | IllegalArgumentException | GeneralSecurityException e) {
      return null;
    }
  }

  private static String urlSafe(String b64) {
    if (b64 == null) {
      return null;
    }
    String s = b64.replace('+', '-').replace('/', '_');
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

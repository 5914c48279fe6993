package io.m365sync.testkit.model;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Writes compact JWTs (HS256) whose payload is a flat map of strings, numbers and string lists. */
final class Jwt {
  private Jwt() {}

  static String sign(Map<String, Object> claims, byte[] key) {
    String header = b64("{\"typ\":\"JWT\",\"alg\":\"HS256\"}");
    String payload = b64(json(claims));
    String signingInput = header + "." + payload;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return signingInput + "." + Base64.getUrlEncoder().withoutPadding()
          .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** An unsigned JWT ({@code alg: none}), as id tokens may be for a confidential client. */
  static String unsigned(Map<String, Object> claims) {
    return b64("{\"typ\":\"JWT\",\"alg\":\"none\"}") + "." + b64(json(claims)) + ".";
  }

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static String json(Map<String, Object> map) {
    StringBuilder sb = new StringBuilder("{");
    map.forEach((k, v) -> {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append(quote(k)).append(':').append(value(v));
    });
    return sb.append('}').toString();
  }

  private static String value(Object v) {
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    if (v instanceof Collection<?> c) {
      StringBuilder sb = new StringBuilder("[");
      for (Object o : c) {
        if (sb.length() > 1) {
          sb.append(',');
        }
        sb.append(value(o));
      }
      return sb.append(']').toString();
    }
    return quote(String.valueOf(v));
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}

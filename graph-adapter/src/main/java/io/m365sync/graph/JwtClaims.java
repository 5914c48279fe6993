package io.m365sync.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The one thing MSAL's result does not carry: the app roles ({@code roles}) an app-only token was
 * granted, read best effort from the token without verifying it (Graph does). Access tokens are opaque
 * to clients by contract: an unreadable one yields no roles and the directory's app-role assignments
 * remain the authority. Lifetimes never come from here ({@code expires_in} does). Keeps no token.
 */
final class JwtClaims {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JwtClaims() {}

  /** The {@code roles} of {@code accessToken}; empty when absent or when the token is not a readable JWT. */
  static Set<String> roles(String accessToken) {
    int a = accessToken == null ? -1 : accessToken.indexOf('.');
    int b = a < 0 ? -1 : accessToken.indexOf('.', a + 1);
    if (b < 0) {
      return Set.of();
    }
    try {
      JsonNode claims = MAPPER.readTree(Base64.getUrlDecoder().decode(accessToken.substring(a + 1, b).replace("=", "")));
      JsonNode roles = claims == null ? null : claims.get("roles");
      Set<String> out = new LinkedHashSet<>();
      if (roles != null && roles.isArray()) {
        roles.forEach(r -> out.add(r.asText()));
      }
      return out;
    } catch (IOException | IllegalArgumentException e) {
      return Set.of();
    }
  }
}

package io.m365sync.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The claims of a compact JWT that matter here, read without verifying the signature (the token
 * came from the token endpoint over TLS; Graph verifies it). Never keeps the token itself.
 *
 * @param roles app-only permissions ({@code roles}); empty when absent
 * @param scopes delegated permissions ({@code scp}, split at spaces); empty when absent
 * @param expiresAt {@code exp}; null when absent
 */
record JwtClaims(String tenantId, String objectId, String clientId, String preferredUsername, Set<String> roles,
                 Set<String> scopes, Instant expiresAt) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  JwtClaims {
    roles = Set.copyOf(roles);
    scopes = Set.copyOf(scopes);
  }

  /** The claims of {@code jwt}, or empty if it is not a readable JWT (opaque tokens exist). */
  static Optional<JwtClaims> decode(String jwt) {
    if (jwt == null) {
      return Optional.empty();
    }
    int a = jwt.indexOf('.');
    int b = a < 0 ? -1 : jwt.indexOf('.', a + 1);
    if (a < 0 || b < 0) {
      return Optional.empty();
    }
    try {
      JsonNode n = MAPPER.readTree(Base64.getUrlDecoder().decode(stripPadding(jwt.substring(a + 1, b))));
      Set<String> roles = new LinkedHashSet<>();
      JsonNode r = n.get("roles");
      if (r != null && r.isArray()) {
        r.forEach(x -> roles.add(x.asText()));
      }
      Set<String> scopes = new LinkedHashSet<>();
      JsonNode s = n.get("scp");
      if (s != null && s.isTextual()) {
        for (String part : s.asText().trim().split("\\s+")) {
          if (!part.isEmpty()) {
            scopes.add(part);
          }
        }
      }
      JsonNode exp = n.get("exp");
      String client = text(n, "appid") != null ? text(n, "appid") : text(n, "azp");
      String user = text(n, "preferred_username") != null ? text(n, "preferred_username") : text(n, "upn");
      return Optional.of(new JwtClaims(text(n, "tid"), text(n, "oid"), client, user, roles, scopes,
          exp != null && exp.canConvertToLong() ? Instant.ofEpochSecond(exp.asLong()) : null));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** {@code roles} for app-only tokens, else {@code scp}. */
  Set<String> permissions() {
    return roles.isEmpty() ? scopes : roles;
  }

  private static String stripPadding(String s) {
    return s.replace("=", "");
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  @Override
  public String toString() {
    return "JwtClaims[tid=" + tenantId + ", oid=" + objectId + ", appid=" + clientId + ", roles=" + roles
        + ", scp=" + scopes + ", exp=" + expiresAt + "]";
  }
}

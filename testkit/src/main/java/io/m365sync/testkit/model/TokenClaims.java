package io.m365sync.testkit.model;

import io.m365sync.AuthMode;
import java.time.Instant;
import java.util.Set;

/** What an access token issued by the model says: who, for which app, with which permissions, until when. */
public record TokenClaims(String tenantId, String clientId, String objectId, String userPrincipalName, AuthMode mode,
                          Set<String> permissions, Instant issuedAt, Instant expiresAt) {
  public TokenClaims {
    permissions = Set.copyOf(permissions);
  }
}

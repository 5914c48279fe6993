package io.m365sync.testkit.model;

import java.time.Instant;
import java.util.Set;

/** A user's delegated grant for one client, which refresh tokens carry. Mutable under the tenant's lock. */
final class RefreshGrant {
  final String userId;
  final String clientId;
  final Set<String> scopes;
  final Instant signedInAt;
  Instant lastUsedAt;
  boolean revoked;

  RefreshGrant(String userId, String clientId, Set<String> scopes, Instant signedInAt) {
    this.userId = userId;
    this.clientId = clientId;
    this.scopes = Set.copyOf(scopes);
    this.signedInAt = signedInAt;
    this.lastUsedAt = signedInAt;
  }
}

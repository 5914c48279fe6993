package io.m365sync.testkit.model;

import io.m365sync.AuthMode;
import java.time.Instant;

/**
 * One request that reached the model.
 *
 * @param kind {@code token} (Entra) or {@code graph}
 * @param operation e.g. {@code client_credentials}, {@code refresh_token}, {@code GET /users/{id}/contacts/delta}
 * @param targetUserId the mailbox owner the request was about; null for tenant-level requests
 * @param mode the caller's auth mode; null when unknown (bad token)
 * @param status the HTTP status answered
 */
public record RecordedRequest(Instant at, String tenantId, String clientId, String kind, String operation,
                              String targetUserId, AuthMode mode, int status) {
  public boolean isToken() {
    return "token".equals(kind);
  }

  public boolean isGraph() {
    return "graph".equals(kind);
  }
}

package io.m365sync.testkit.model;

import io.m365sync.AuthMode;
import java.time.Instant;

/**
 * One request that reached the model, whatever its outcome.
 *
 * @param tenantId the tenant's id; for a token request naming a tenant the cloud does not know, the
 *     name as the request gave it
 * @param clientId the app's client id; null when the request did not say (a bad bearer token, a token
 *     request without {@code client_id})
 * @param kind {@code token} (Entra), {@code graph}, or {@code notification} (a POST of change or lifecycle
 *     notifications to a host's endpoint; {@code errorCode} {@code slowResponse} when it answered slower
 *     than the delivery settings' threshold, Graph's 2.9 s by default)
 * @param operation the grant type of a token request ({@code client_credentials}, {@code refresh_token},
 *     {@code authorization_code}, or whatever a client sent; null when missing), or the Graph call, e.g.
 *     {@code GET /users/{id}/contacts/delta}
 * @param targetUserId the user the request was about: a Graph request's mailbox owner; for a token
 *     request, the user its refresh token or authorization code belongs to. Null for tenant-level
 *     requests and for a refresh token or code the tenant does not know
 * @param mode the caller's auth mode; null when unknown (bad bearer token, unknown grant type)
 * @param status the HTTP status answered
 * @param errorCode null when the request succeeded; else the error answered: {@code AADSTS7000222}
 *     for a token request ({@code empty_body}, {@code html_page} or {@code unreadable_body} for an
 *     injected answer that is not Entra's JSON), Graph's {@code error.code} (e.g. {@code ErrorAccessDenied}) for a Graph one
 */
public record RecordedRequest(Instant at, String tenantId, String clientId, String kind, String operation,
                              String targetUserId, AuthMode mode, int status, String errorCode) {
  public boolean isToken() {
    return "token".equals(kind);
  }

  public boolean isNotification() {
    return "notification".equals(kind);
  }

  /** A notification POST the endpoint answered too slowly (Graph throttles such endpoints). */
  public boolean slowNotification() {
    return isNotification() && "slowResponse".equals(errorCode);
  }

  public boolean isGraph() {
    return "graph".equals(kind);
  }

  /** The grant type of a token request; null for a Graph request or a token request without one. */
  public String grantType() {
    return isToken() ? operation : null;
  }

  /** A 2xx without an error: a 200 whose body was no token response (an injected fault) did not succeed. */
  public boolean succeeded() {
    return status >= 200 && status < 300 && errorCode == null;
  }

  static RecordedRequest token(Instant at, String tenantId, TokenRequest request, String userId, EntraError error) {
    return new RecordedRequest(at, tenantId, request.clientId(), "token", request.grantType(), userId, request.mode(),
        error == null ? 200 : error.status(), error == null ? null : error.aadsts());
  }
}

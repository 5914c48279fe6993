package io.m365sync.testkit.model;

import io.m365sync.AuthMode;
import java.util.List;
import java.util.Set;

/**
 * One request to Entra's token endpoint as the model judges it: the form's fields, parsed. The HTTP
 * emulator builds one per {@code POST /{tenant}/oauth2/v2.0/token}; the in-memory fakes build the
 * same through the factories. Any field may be null or missing, as in a malformed request: the model
 * answers with Entra's error and still records the request. {@link #toString()} hides the refresh
 * token, the code and the client secret.
 *
 * @param grantType {@code client_credentials}, {@code refresh_token}, {@code authorization_code}, or
 *     anything a client sent (AADSTS70003); null when missing (AADSTS900144)
 * @param credential how the client proved itself; never null ({@link ClientCredential#none()})
 * @param refreshToken for {@code refresh_token}
 * @param code for {@code authorization_code} (from {@link TenantModel#authorizationCode})
 * @param scopes the requested scopes; client credentials need one ending in {@code /.default}, and a
 *     delegated grant lacking a requested scope fails with AADSTS65001
 * @param malformed set by a front end that refused the request's form before the model's rules
 *     (wrong HTTP method, a bad {@code client_assertion_type}): the model records the request and
 *     answers this error; null otherwise
 */
public record TokenRequest(String grantType, String clientId, ClientCredential credential, String refreshToken,
                           String code, List<String> scopes, EntraError malformed) {
  /** What client-credentials callers ask for: every application permission consented for Graph. */
  public static final String GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default";
  /** Scopes that ask for sign-in and a refresh token, not for an API's permission. */
  public static final Set<String> OIDC_SCOPES = Set.of("openid", "profile", "offline_access", "email");

  public TokenRequest {
    credential = credential == null ? ClientCredential.none() : credential;
    scopes = scopes == null ? List.of() : List.copyOf(scopes);
  }

  /** {@code grant_type=client_credentials} for Graph's {@code .default} scope. */
  public static TokenRequest clientCredentials(String clientId, ClientCredential credential) {
    return new TokenRequest("client_credentials", clientId, credential, null, null, List.of(GRAPH_DEFAULT_SCOPE), null);
  }

  /** {@code grant_type=refresh_token}, asking for whatever the grant holds. */
  public static TokenRequest refreshToken(String clientId, ClientCredential credential, String refreshToken) {
    return new TokenRequest("refresh_token", clientId, credential, refreshToken, null, List.of(), null);
  }

  /** {@code grant_type=authorization_code}, asking for whatever the app's registration holds. */
  public static TokenRequest authorizationCode(String clientId, ClientCredential credential, String code) {
    return new TokenRequest("authorization_code", clientId, credential, null, code, List.of(), null);
  }

  /** Application ({@code client_credentials}) or delegated; null for a grant Entra does not know. */
  AuthMode mode() {
    return switch (grantType == null ? "" : grantType) {
      case "client_credentials" -> AuthMode.APPLICATION;
      case "refresh_token", "authorization_code" -> AuthMode.DELEGATED;
      default -> null;
    };
  }

  @Override
  public String toString() {
    return "TokenRequest[grantType=" + grantType + ", clientId=" + clientId + ", credential=" + credential
        + ", scopes=" + scopes + (malformed == null ? "" : ", malformed=" + malformed.aadsts()) + "]";
  }
}

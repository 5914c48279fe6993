package io.m365sync.testkit.model;

import java.time.Instant;

/**
 * What the token endpoint returns. {@link #toString()} hides the tokens.
 *
 * @param refreshToken null for client credentials
 * @param idToken null for client credentials
 */
public record TokenResponse(String accessToken, Instant expiresAt, long expiresInSeconds, String refreshToken,
                            String idToken, TokenClaims claims) {
  @Override
  public String toString() {
    return "TokenResponse[mode=" + claims.mode() + ", expiresAt=" + expiresAt + ", tokens=<redacted>]";
  }
}

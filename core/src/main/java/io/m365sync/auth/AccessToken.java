package io.m365sync.auth;

import io.m365sync.AuthMode;
import io.m365sync.Checks;
import java.time.Instant;
import java.util.Set;

/**
 * A bearer token for Microsoft Graph. {@link #toString()} never shows the token value.
 *
 * @param value the raw bearer token; secret
 * @param expiresAt when the token stops working
 * @param mode how it authorises requests
 * @param permissions the permissions the token carries: {@code roles} for app-only tokens,
 *     {@code scp} for delegated ones
 */
public record AccessToken(String value, Instant expiresAt, AuthMode mode, Set<String> permissions) {
  public AccessToken {
    Checks.requireText(value, "value");
    Checks.requireNonNull(expiresAt, "expiresAt");
    Checks.requireNonNull(mode, "mode");
    permissions = Set.copyOf(Checks.requireNonNull(permissions, "permissions"));
  }

  /** Whether the token is still usable at {@code now} with {@code margin} to spare. */
  public boolean validAt(Instant now, java.time.Duration margin) {
    return now.plus(margin).isBefore(expiresAt);
  }

  @Override
  public String toString() {
    return "AccessToken[mode=" + mode + ", expiresAt=" + expiresAt + ", permissions=" + permissions + ", value=<redacted>]";
  }
}

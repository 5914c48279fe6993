package io.m365sync.policy;

import io.m365sync.Checks;
import java.time.Instant;

/**
 * A client secret or certificate on the app registration. Never carries the secret itself.
 *
 * @param keyId the credential's key id
 * @param displayName its description in the portal; may be empty
 * @param kind secret or certificate
 * @param endDateTime when it stops working
 */
public record ClientCredential(String keyId, String displayName, Kind kind, Instant endDateTime) {
  /** Password credential or key credential. */
  public enum Kind { SECRET, CERTIFICATE }

  public ClientCredential {
    Checks.requireText(keyId, "keyId");
    displayName = displayName == null ? "" : displayName;
    Checks.requireNonNull(kind, "kind");
    Checks.requireNonNull(endDateTime, "endDateTime");
  }
}

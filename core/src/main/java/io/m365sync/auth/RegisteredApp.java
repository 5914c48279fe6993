package io.m365sync.auth;

import io.m365sync.Checks;
import java.time.Instant;
import java.util.Optional;

/**
 * The app registration one tenant's tokens are requested with: its client id, its credential (a
 * client secret or certificate, in the type the token strategies take, e.g. the graph adapter's
 * {@code AppCredential}) and, when the host knows it, when that credential stops working.
 * {@link #toString()} never shows the credential.
 *
 * @param clientId the application (client) id
 * @param credential the secret or certificate; its type is the token strategy's
 * @param credentialExpiresAt when the secret or certificate expires (for a certificate, its
 *     {@code notAfter}); null when unknown. The engine warns ahead of it
 *     ({@link io.m365sync.SyncListener#credentialExpiringSoon}).
 * @param <C> the credential type
 */
public record RegisteredApp<C>(String clientId, C credential, Instant credentialExpiresAt) {
  public RegisteredApp {
    Checks.requireText(clientId, "clientId");
    Checks.requireNonNull(credential, "credential");
  }

  /** A registration whose credential's expiry is not known. */
  public static <C> RegisteredApp<C> of(String clientId, C credential) {
    return new RegisteredApp<>(clientId, credential, null);
  }

  /** The same registration with the credential's known expiry. */
  public RegisteredApp<C> expiringAt(Instant expiresAt) {
    return new RegisteredApp<>(clientId, credential, Checks.requireNonNull(expiresAt, "expiresAt"));
  }

  /** When the credential expires, if known. */
  public Optional<Instant> credentialExpiry() {
    return Optional.ofNullable(credentialExpiresAt);
  }

  @Override
  public String toString() {
    return "RegisteredApp[clientId=" + clientId + (credentialExpiresAt == null ? "" : ", expires=" + credentialExpiresAt) + "]";
  }
}

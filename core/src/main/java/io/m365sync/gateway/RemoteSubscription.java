package io.m365sync.gateway;

import io.m365sync.Checks;
import java.time.Instant;

/**
 * A change-notification subscription as Microsoft 365 granted it: its id and the expiry it set
 * (which may be earlier than asked: each resource has a maximum lifetime).
 */
public record RemoteSubscription(String id, Instant expiresAt) {
  public RemoteSubscription {
    Checks.requireNonNull(id, "id");
    Checks.requireNonNull(expiresAt, "expiresAt");
  }
}

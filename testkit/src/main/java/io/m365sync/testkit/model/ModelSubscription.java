package io.m365sync.testkit.model;

import io.m365sync.AuthMode;
import java.net.URI;
import java.time.Instant;
import java.util.Set;

/**
 * One Graph subscription as the model keeps it. {@code clientState} is kept because Graph echoes it
 * in every notification; {@link #toString()} leaves it out.
 */
public record ModelSubscription(String id, String tenantId, String userId, String clientId, AuthMode mode,
                                String resourcePath, SubscriptionTarget target, Set<String> changeTypes,
                                URI notificationUrl, URI lifecycleUrl, String clientState, Instant expiresAt) {

  ModelSubscription withExpiry(Instant at) {
    return new ModelSubscription(id, tenantId, userId, clientId, mode, resourcePath, target, changeTypes,
        notificationUrl, lifecycleUrl, clientState, at);
  }

  @Override
  public String toString() {
    return "ModelSubscription[" + id + ", " + resourcePath + ", " + changeTypes + ", expires " + expiresAt + "]";
  }
}

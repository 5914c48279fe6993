package io.m365sync.testkit.model;

import java.net.URI;
import java.time.Instant;

/**
 * One notification Graph sends: a change ({@code changeType} set: created, updated, deleted) to the
 * subscription's notification URL, or a lifecycle event ({@code lifecycleEvent} set:
 * {@code subscriptionRemoved}, {@code reauthorizationRequired}, {@code missed}) to its lifecycle URL.
 *
 * @param resource the changed item's path as Graph writes it, e.g. {@code Users/{id}/Events/{itemId}}; null for lifecycle
 */
public record ModelNotification(URI url, String tenantId, String subscriptionId, Instant subscriptionExpiresAt,
                                String clientState, String changeType, String lifecycleEvent, String resource,
                                String odataType, String itemId) {
  public boolean lifecycle() {
    return lifecycleEvent != null;
  }

  @Override
  public String toString() {
    return "ModelNotification[" + subscriptionId + ", " + (lifecycle() ? lifecycleEvent : changeType + " " + resource) + "]";
  }
}

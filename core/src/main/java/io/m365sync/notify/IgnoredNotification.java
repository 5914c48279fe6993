package io.m365sync.notify;

import io.m365sync.Checks;
import java.util.Optional;

/**
 * A notification item the receiver dropped, reported so the engine can act (delete a subscription
 * Graph still delivers for, count forgeries). Never holds the presented {@code clientState}.
 *
 * @param subscriptionId the id the item named
 * @param subscription the stored subscription, when one was found
 * @param reason why the item was dropped
 */
public record IgnoredNotification(String subscriptionId, Optional<Subscription> subscription, Reason reason) {
  public IgnoredNotification {
    Checks.requireText(subscriptionId, "subscriptionId");
    Checks.requireNonNull(subscription, "subscription");
    Checks.requireNonNull(reason, "reason");
  }

  /** Why an item was dropped. */
  public enum Reason {
    /** No stored subscription has this id (never created here, deleted, or its mailbox unenrolled). */
    UNKNOWN_SUBSCRIPTION,
    /** The stored subscription expired before the notification arrived. */
    EXPIRED_SUBSCRIPTION,
    /** The {@code clientState} was missing or did not match the stored hash: not from Graph, or stale. */
    CLIENT_STATE_MISMATCH,
    /** The notification names another tenant than the subscription's mailbox: not what Graph sends for it. */
    TENANT_MISMATCH,
    /** A {@code lifecycleEvent} this version does not know. */
    UNKNOWN_LIFECYCLE_EVENT
  }
}

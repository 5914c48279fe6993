package io.m365sync.notify;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.Resource;

/**
 * What a verified notification means to the engine — never the change itself: a notification
 * carries no truth, the delta round that follows does.
 *
 * @param mailbox the subscription's mailbox
 * @param resource the subscription's resource
 * @param container the subscription's container; {@code ""} (also for null) for single-container resources
 * @param subscriptionId the Graph subscription the notification came through
 * @param kind what the engine should do
 */
public record ChangeSignal(MailboxId mailbox, Resource resource, String container, String subscriptionId,
    SignalKind kind) {
  public ChangeSignal {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(resource, "resource");
    container = container == null ? "" : container;
    Checks.requireText(subscriptionId, "subscriptionId");
    Checks.requireNonNull(kind, "kind");
  }
}

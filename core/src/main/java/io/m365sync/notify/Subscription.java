package io.m365sync.notify;

import io.m365sync.AuthMode;
import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import java.time.Instant;

/**
 * What the engine keeps per Graph change-notification subscription.
 *
 * @param id Graph's subscription id
 * @param mailbox the mailbox the subscription watches
 * @param resource the synced resource it watches
 * @param container the folder or To Do list it watches; {@code ""} (the default, also for null) when
 *     the resource has a single container
 * @param clientStateHash SHA-256 hex of the subscription's {@code clientState} (see
 *     {@link ClientState#hash}); the secret itself is never stored
 * @param expiresAt when Graph deletes the subscription unless it is renewed
 * @param mode the token kind the subscription was created with
 */
public record Subscription(String id, MailboxId mailbox, Resource resource, String container,
    String clientStateHash, Instant expiresAt, AuthMode mode) {
  public Subscription {
    Checks.requireText(id, "id");
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(resource, "resource");
    container = container == null ? "" : container;
    Checks.requireText(clientStateHash, "clientStateHash");
    Checks.requireNonNull(expiresAt, "expiresAt");
    Checks.requireNonNull(mode, "mode");
  }
}

package io.m365sync.state;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import java.time.Instant;

/**
 * A mailbox-resource that a change notification says has changed: the next round of the mailbox
 * reads it, and clears the mark if no newer notification arrived meanwhile. Kept in the state store
 * so that in a cluster any node can run the round a notification on another node asked for.
 *
 * @param mailbox the mailbox
 * @param resource the resource to read
 * @param at when the newest notification for it arrived
 * @param renew whether Graph asked for the resource's subscriptions to be reauthorized
 *     ({@code reauthorizationRequired}): the round renews them whatever their expiry
 */
public record DirtyMark(MailboxId mailbox, Resource resource, Instant at, boolean renew) {
  public DirtyMark {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(resource, "resource");
    Checks.requireNonNull(at, "at");
  }
}

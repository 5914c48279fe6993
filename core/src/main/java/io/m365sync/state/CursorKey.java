package io.m365sync.state;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.Resource;

/**
 * Identifies one delta stream: a mailbox's resource in one container (folder or list).
 *
 * @param container folder or list id; empty string for the default container
 */
public record CursorKey(MailboxId mailbox, Resource resource, String container) {
  public CursorKey {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(resource, "resource");
    container = container == null ? "" : container;
  }
}

package io.m365sync.gateway;

import io.m365sync.MailboxId;
import io.m365sync.Resource;

/**
 * Microsoft 365 returned an item that exists but cannot be read (a malformed field). Never an empty
 * answer: a caller asking whether the item still exists must hear "yes". The message names the
 * field, never its value.
 */
public final class UnreadableItemException extends GatewayException {
  private static final long serialVersionUID = 1L;

  public UnreadableItemException(String message, MailboxId mailbox, Resource resource, String remoteId) {
    super(message + " (item " + remoteId + ")", mailbox, resource, 200, "UnreadableItem", null, false, null);
  }
}

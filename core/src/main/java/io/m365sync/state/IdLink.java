package io.m365sync.state;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.Resource;

/**
 * One row of the id map: a CRM record and the Microsoft 365 item it mirrors.
 *
 * @param remoteId the Graph immutable id
 * @param changeKey the item's change key when last synced (echo and replay detection)
 * @param crmVersion the CRM record's version when last synced
 * @param container the folder or list the item lies in, as the sync options name it; empty string
 *     for the default one (as in {@link CursorKey}). Updates and deletes go there: a To Do task is
 *     addressed through its list, so a task outside the default list is found only with it
 */
public record IdLink(MailboxId mailbox, Resource resource, String crmId, String remoteId, String changeKey,
                     long crmVersion, String container) {
  public IdLink {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(resource, "resource");
    Checks.requireText(crmId, "crmId");
    Checks.requireText(remoteId, "remoteId");
    container = container == null ? "" : container;
  }

  /** A link to an item in the resource's default container. */
  public IdLink(MailboxId mailbox, Resource resource, String crmId, String remoteId, String changeKey, long crmVersion) {
    this(mailbox, resource, crmId, remoteId, changeKey, crmVersion, "");
  }

  /** The container as a gateway takes it: null for the default one. */
  public String containerOrNull() {
    return container.isEmpty() ? null : container;
  }
}

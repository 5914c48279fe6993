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
 */
public record IdLink(MailboxId mailbox, Resource resource, String crmId, String remoteId, String changeKey,
                     long crmVersion) {
  public IdLink {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(resource, "resource");
    Checks.requireText(crmId, "crmId");
    Checks.requireText(remoteId, "remoteId");
  }
}

package io.m365sync.auth;

import io.m365sync.MailboxId;
import io.m365sync.TenantId;

/** A user or the tenant admin has not consented to the permissions asked for. */
public final class ConsentRequiredException extends TokenException {
  private static final long serialVersionUID = 1L;

  public ConsentRequiredException(TenantId tenant, MailboxId mailbox, String errorCode, String reason, Throwable cause) {
    super("Consent required in tenant " + tenant + (mailbox != null ? " for mailbox " + mailbox : "")
        + " (" + errorCode + "): " + reason, tenant, mailbox, errorCode, false, cause);
  }
}

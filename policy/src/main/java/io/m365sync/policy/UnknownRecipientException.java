package io.m365sync.policy;

import io.m365sync.TenantId;

/** A mailbox identity (object id or UPN) that the directory does not know. */
public final class UnknownRecipientException extends PolicyException {
  private static final long serialVersionUID = 1L;

  private final String identity;

  public UnknownRecipientException(TenantId tenant, String identity) {
    super("Recipient '" + identity + "' was not found in the directory" + (tenant == null ? "" : " of tenant " + tenant), tenant);
    this.identity = identity;
  }

  public String identity() {
    return identity;
  }
}

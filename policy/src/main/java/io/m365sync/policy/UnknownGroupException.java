package io.m365sync.policy;

import io.m365sync.TenantId;

/** A policy scope group (or management scope member) that the directory does not know. */
public final class UnknownGroupException extends PolicyException {
  private static final long serialVersionUID = 1L;

  private final String group;

  public UnknownGroupException(TenantId tenant, String group) {
    super("Scope group '" + group + "' was not found in the directory"
        + (tenant == null ? "" : " of tenant " + tenant)
        + "; -PolicyScopeGroupId must name an existing mail-enabled security group or mailbox", tenant);
    this.group = group;
  }

  public String group() {
    return group;
  }
}

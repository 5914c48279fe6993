package io.m365sync.policy;

import io.m365sync.TenantId;

/**
 * A policy scope group of a kind Exchange refuses: distribution groups, dynamic distribution groups,
 * Microsoft 365 groups and security groups without mail are not valid {@code -PolicyScopeGroupId}s.
 */
public final class InvalidScopeGroupException extends PolicyException {
  private static final long serialVersionUID = 1L;

  private final String group;
  private final GroupKind kind;

  public InvalidScopeGroupException(TenantId tenant, String group, GroupKind kind) {
    super("Scope group '" + group + "' is a " + kind + " group; application access policies need a "
        + "mail-enabled security group (or a single mailbox)", tenant);
    this.group = group;
    this.kind = kind;
  }

  public String group() {
    return group;
  }

  public GroupKind kind() {
    return kind;
  }
}

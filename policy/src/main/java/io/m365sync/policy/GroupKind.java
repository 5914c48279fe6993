package io.m365sync.policy;

/** The kinds of Entra / Exchange groups that matter for application access policy scopes. */
public enum GroupKind {
  /** Valid {@code -PolicyScopeGroupId}. */
  MAIL_ENABLED_SECURITY,
  SECURITY,
  DISTRIBUTION,
  DYNAMIC_DISTRIBUTION,
  MICROSOFT_365;

  /** Whether Exchange accepts this kind as an application access policy scope. */
  public boolean validPolicyScope() {
    return this == MAIL_ENABLED_SECURITY;
  }
}

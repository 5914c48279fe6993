package io.m365sync.policy;

/** {@code -AccessRight} of an application access policy. */
public enum AccessRight {
  /** The app may access only mailboxes in the scope group. */
  RESTRICT_ACCESS("RestrictAccess"),
  /** The app may access only mailboxes not in the scope group. */
  DENY_ACCESS("DenyAccess");

  private final String cmdletValue;

  AccessRight(String cmdletValue) {
    this.cmdletValue = cmdletValue;
  }

  /** As written in PowerShell, e.g. {@code RestrictAccess}. */
  public String cmdletValue() {
    return cmdletValue;
  }
}

package io.m365sync.access;

import io.m365sync.Checks;

/** May the application touch this mailbox with app-only tokens? A value, never an exception. */
public sealed interface AccessDecision {

  /** Where the decision came from, e.g. {@code declared-policy}, {@code live-probe}, {@code enrollment}. */
  String source();

  record Allow(String source) implements AccessDecision {
    public Allow {
      Checks.requireText(source, "source");
    }
  }

  /**
   * @param reasonCode machine-readable, e.g. {@code ErrorAccessDenied}
   * @param reason what decided it, e.g. "RestrictAccess policy for group crm-sync excludes the mailbox"
   */
  record Deny(String reasonCode, String reason, String source) implements AccessDecision {
    public Deny {
      Checks.requireText(reasonCode, "reasonCode");
      Checks.requireText(source, "source");
    }
  }

  static AccessDecision allow(String source) {
    return new Allow(source);
  }

  static AccessDecision deny(String reasonCode, String reason, String source) {
    return new Deny(reasonCode, reason, source);
  }

  default boolean allowed() {
    return this instanceof Allow;
  }
}

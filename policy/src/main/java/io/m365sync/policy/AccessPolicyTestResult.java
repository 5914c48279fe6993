package io.m365sync.policy;

import io.m365sync.Checks;
import java.util.Optional;

/**
 * What {@code Test-ApplicationAccessPolicy -Identity <mailbox> -AppId <app>} would answer, plus the
 * rule of Exchange's evaluation order that decided.
 *
 * @param app the application tested
 * @param mailbox the mailbox's user
 * @param granted {@code AccessCheckResult}: Granted or Denied
 * @param rule which step of the evaluation order decided
 * @param decidedBy the policy that decided; null for {@link Rule#NO_POLICY}
 */
public record AccessPolicyTestResult(AppId app, DirectoryUser mailbox, boolean granted, Rule rule, ApplicationAccessPolicy decidedBy) {

  /** Exchange's documented evaluation order, first match wins. */
  public enum Rule {
    /** A DenyAccess policy's group contains the mailbox: denied (DenyAccess beats RestrictAccess). */
    DENY_ACCESS_MATCH(false),
    /** A RestrictAccess policy's group contains the mailbox: granted. */
    RESTRICT_ACCESS_MATCH(true),
    /** RestrictAccess policies exist for the app but none contains the mailbox: denied. */
    RESTRICT_ACCESS_NOT_IN_SCOPE(false),
    /** Only DenyAccess policies exist for the app and none contains the mailbox: granted. */
    DENY_ACCESS_NOT_IN_SCOPE(true),
    /** No policy applies to the app: granted (full access). */
    NO_POLICY(true);

    private final boolean grants;

    Rule(boolean grants) {
      this.grants = grants;
    }

    public boolean grants() {
      return grants;
    }
  }

  public AccessPolicyTestResult {
    Checks.requireNonNull(app, "app");
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(rule, "rule");
    if (granted != rule.grants()) {
      throw new IllegalArgumentException("rule " + rule + " cannot yield granted=" + granted);
    }
    if ((decidedBy == null) != (rule == Rule.NO_POLICY || rule == Rule.DENY_ACCESS_NOT_IN_SCOPE
        || rule == Rule.RESTRICT_ACCESS_NOT_IN_SCOPE)) {
      throw new IllegalArgumentException("rule " + rule + " and decidedBy " + decidedBy + " do not fit");
    }
  }

  /** {@code Granted} or {@code Denied}, as the cmdlet prints it. */
  public String accessCheckResult() {
    return granted ? "Granted" : "Denied";
  }

  public Optional<ApplicationAccessPolicy> decidingPolicy() {
    return Optional.ofNullable(decidedBy);
  }

  /** A sentence for reports naming the rule and the policy. */
  public String explanation() {
    String who = "mailbox " + mailbox.userPrincipalName() + " for app " + app;
    return switch (rule) {
      case DENY_ACCESS_MATCH -> "Denied: " + who + " is in the scope group of " + decidedBy.describe() + " (DenyAccess beats RestrictAccess)";
      case RESTRICT_ACCESS_MATCH -> "Granted: " + who + " is in the scope group of " + decidedBy.describe();
      case RESTRICT_ACCESS_NOT_IN_SCOPE -> "Denied: RestrictAccess policies exist for app " + app + " but " + mailbox.userPrincipalName()
          + " is in none of their scope groups";
      case DENY_ACCESS_NOT_IN_SCOPE -> "Granted: " + who + " is outside every DenyAccess scope group and no RestrictAccess policy applies";
      case NO_POLICY -> "Granted: no application access policy applies to app " + app + " (full access)";
    };
  }
}

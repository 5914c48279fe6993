package io.m365sync.auth;

import io.m365sync.ReasonCode;
import io.m365sync.AuthMode;
import io.m365sync.Purpose;
import io.m365sync.access.AccessDecision;
import io.m365sync.state.MailboxStatus;

/**
 * Picks the auth mode per mailbox and resource. Fallback is per mailbox and resource: app-only denied
 * by policy for one user, or one resource without application consent, uses that user's delegated
 * token while it lives. Thread-safe, side-effect free.
 */
public interface TokenStrategySelector {

  StrategyChoice choose(SelectionContext context);

  /**
   * The standard rule: the add-in is always delegated; background sync uses application mode when
   * the tenant enabled it, the app token works, the resource's application permission is consented
   * and access is not denied; otherwise the delegated token while it lives.
   */
  static TokenStrategySelector standard() {
    return c -> {
      if (c.purpose() == Purpose.ADD_IN) {
        return StrategyChoice.use(AuthMode.DELEGATED, ReasonCode.ADD_IN.code(), "the add-in always acts as the user");
      }
      StrategyChoice whyNotApp = null;
      if (!c.applicationEnabled()) {
        whyNotApp = StrategyChoice.blocked(MailboxStatus.NEEDS_SIGN_IN, ReasonCode.APP_NOT_ENABLED.code(),
            "application permission is not enabled for the tenant");
      } else if (!c.applicationHealthy()) {
        whyNotApp = StrategyChoice.blocked(MailboxStatus.NEEDS_SIGN_IN, ReasonCode.APP_UNAVAILABLE.code(),
            "application mode is unavailable: " + c.applicationUnhealthyReason());
      } else if (!c.applicationPermitted()) {
        whyNotApp = StrategyChoice.blocked(MailboxStatus.MISSING_PERMISSION, ReasonCode.MISSING_PERMISSION.code(),
            "application permission " + c.resource().applicationPermission() + " is not consented");
      } else if (c.accessDecision() instanceof AccessDecision.Deny deny) {
        whyNotApp = StrategyChoice.blocked(MailboxStatus.DENIED_BY_POLICY, deny.reasonCode(),
            "app-only access denied: " + deny.reason());
      } else {
        return StrategyChoice.use(AuthMode.APPLICATION, ReasonCode.APP.code(), "application permission enabled and verified");
      }
      if (c.delegatedAlive()) {
        return StrategyChoice.use(AuthMode.DELEGATED, whyNotApp.reasonCode(), whyNotApp.reason() + "; using the user's delegated token");
      }
      return whyNotApp;
    };
  }
}

package io.m365sync.auth;

import io.m365sync.AuthMode;
import io.m365sync.state.MailboxStatus;

/**
 * Which mode syncs a resource of a mailbox now, and why; or why nothing can.
 *
 * @param mode the mode to use; null when the resource cannot be synced now
 * @param blockedStatus when {@code mode} is null, the mailbox status that explains it
 * @param reasonCode machine-readable reason
 * @param reason human explanation
 */
public record StrategyChoice(AuthMode mode, MailboxStatus blockedStatus, String reasonCode, String reason) {

  public static StrategyChoice use(AuthMode mode, String reasonCode, String reason) {
    return new StrategyChoice(mode, null, reasonCode, reason);
  }

  public static StrategyChoice blocked(MailboxStatus status, String reasonCode, String reason) {
    return new StrategyChoice(null, status, reasonCode, reason);
  }

  public boolean usable() {
    return mode != null;
  }
}

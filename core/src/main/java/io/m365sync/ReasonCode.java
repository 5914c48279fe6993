package io.m365sync;

import java.util.Optional;

/**
 * The engine's own reason codes, as they appear in {@code MailboxState.reasonCode()},
 * {@code TenantStatus.reasonCode()} and {@code StrategyChoice.reasonCode()}. Reason codes that come
 * from Microsoft (e.g. {@code AADSTS700082}, {@code ErrorAccessDenied}) are passed through as they are
 * and have no constant here.
 */
public enum ReasonCode {
  /** Application mode chosen: enabled and verified. */
  APP,
  /** The add-in always acts as the user. */
  ADD_IN,
  /** The tenant has not enabled application permission. */
  APP_NOT_ENABLED,
  /** Application mode is enabled but not usable now (see the tenant status). */
  APP_UNAVAILABLE,
  /** An application permission the resource needs is not consented. */
  MISSING_PERMISSION,
  /** To Do (which no access policy can scope) waits for a scoped resource to succeed app-only first. */
  APP_ONLY_UNSCOPED,
  /** The user's delegated token died earlier; the original error code is no longer known. */
  DELEGATED_TOKEN_DEAD,
  /** The engine has no delegated token strategy. */
  NO_DELEGATED_STRATEGY,
  /** The engine has no application token strategy although the tenant enabled application permission. */
  NO_APPLICATION_STRATEGY,
  /** The access-policy check could not decide (e.g. the directory is unreachable). */
  ACCESS_CHECK_UNAVAILABLE,
  /** The permission check could not run (e.g. the directory is unreachable). */
  PERMISSION_CHECK_UNAVAILABLE,
  /** The mass-change guard holds a resource back. */
  MASS_CHANGE_GUARD,
  /** A round failed without an error code of its own (no answer at all). */
  FAILED,
  /** The user signed in to the add-in. */
  SIGNED_IN,
  /** The host unenrolled the mailbox. */
  UNENROLLED,
  /** The host suspended the mailbox. */
  SUSPENDED,
  /** The host resumed the mailbox. */
  RESUMED;

  /** The code as stored and shown: the constant's name. */
  public String code() {
    return name();
  }

  /** Whether {@code code} is this reason. */
  public boolean is(String code) {
    return name().equals(code);
  }

  /** The engine's reason for {@code code}; empty for Microsoft's own codes and null. */
  public static Optional<ReasonCode> of(String code) {
    if (code == null) {
      return Optional.empty();
    }
    for (ReasonCode r : values()) {
      if (r.name().equals(code)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}

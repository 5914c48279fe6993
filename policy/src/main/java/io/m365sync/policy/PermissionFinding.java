package io.m365sync.policy;

import io.m365sync.Checks;
import java.util.Optional;

/**
 * One thing the permission verifier found.
 *
 * @param kind what is wrong (or worth knowing)
 * @param permission the permission concerned; null for findings about the whole app
 * @param message a sentence for the admin
 */
public record PermissionFinding(Kind kind, String permission, String message) {
  /** Kinds of finding. */
  public enum Kind {
    /** The app has no service principal in the tenant (never consented / not registered). */
    APP_NOT_FOUND,
    /** Microsoft Graph's service principal could not be read; permission ids cannot be resolved. */
    GRAPH_NOT_FOUND,
    /** An application permission is not even added to the app registration. */
    MISSING_APPLICATION_PERMISSION,
    /** An application permission is added but has no admin consent (no app role assignment). */
    MISSING_ADMIN_CONSENT,
    /** A delegated permission the add-in needs was removed from the app registration. */
    DELEGATED_PERMISSION_REMOVED,
    /** The directory has the consent but the token does not carry it yet (token older than the consent). */
    MISSING_IN_TOKEN,
    /** The token carries a permission whose consent the directory no longer has (revoked since issue). */
    REVOKED_BUT_IN_TOKEN,
    /** A grant that defeats scoping or reaches far beyond mailbox sync. */
    OVER_BROAD,
    /** A mailbox permission consented that no enabled resource needs. */
    UNNEEDED,
    /** A needed permission that access policies / RBAC cannot scope (To Do). */
    NOT_SCOPABLE,
    /** A permission id the Graph service principal does not define. */
    UNKNOWN_PERMISSION_ID
  }

  public PermissionFinding {
    Checks.requireNonNull(kind, "kind");
    Checks.requireText(message, "message");
  }

  public Optional<String> permissionName() {
    return Optional.ofNullable(permission);
  }

  /** Whether this finding stops application mode from working. */
  public boolean blocking() {
    return switch (kind) {
      case APP_NOT_FOUND, GRAPH_NOT_FOUND, MISSING_APPLICATION_PERMISSION, MISSING_ADMIN_CONSENT, MISSING_IN_TOKEN -> true;
      default -> false;
    };
  }
}

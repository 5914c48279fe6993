package io.m365sync.policy;

import io.m365sync.Checks;
import java.util.List;
import java.util.Optional;

/**
 * Whether app-only access with one application permission reaches one mailbox, combining the
 * tenant-wide Entra consent, application access policies and RBAC for Applications, and which
 * mechanism decided.
 *
 * @param permission the application permission, e.g. {@code Mail.ReadWrite}
 * @param granted whether Exchange lets the call through
 * @param mechanism what decided
 * @param explanation a sentence naming the deciding rule, for reports and deny reasons
 * @param applicationAccessPolicy the application access policy test; null when it did not matter
 * @param rbac the RBAC rows for this permission (may be empty)
 */
public record MailboxAccess(String permission, boolean granted, Mechanism mechanism, String explanation,
                            AccessPolicyTestResult applicationAccessPolicy, List<RbacAuthorization> rbac) {

  /** What decided. */
  public enum Mechanism {
    /** The permission cannot be scoped (To Do's {@code Tasks.ReadWrite.All}): tenant-wide consent decides alone. */
    NOT_SCOPABLE,
    /** An RBAC for Applications role assignment whose scope contains the mailbox granted it. */
    RBAC_FOR_APPLICATIONS,
    /** The tenant-wide Entra consent, filtered by application access policies. */
    APPLICATION_ACCESS_POLICY,
    /** Neither an Entra consent nor an RBAC assignment in scope: nothing grants it. */
    NO_GRANT
  }

  public MailboxAccess {
    Checks.requireText(permission, "permission");
    Checks.requireNonNull(mechanism, "mechanism");
    Checks.requireText(explanation, "explanation");
    rbac = List.copyOf(rbac);
  }

  public Optional<AccessPolicyTestResult> policyTest() {
    return Optional.ofNullable(applicationAccessPolicy);
  }
}

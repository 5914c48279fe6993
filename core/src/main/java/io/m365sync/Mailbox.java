package io.m365sync;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * An enrolled mailbox: a user who signed in to the CRM add-in at least once.
 *
 * <p>Only enrolled mailboxes are ever synced, in any auth mode. Enrolling the same id again
 * records a fresh sign-in (for instance after the user's delegated token died).
 *
 * @param id the mailbox
 * @param userPrincipalName the user's UPN, for display and look-ups; never blank
 * @param crmUserId the CRM's own id for the user; never blank
 * @param signedInAt when the user last signed in to the add-in
 * @param resources the resources the CRM syncs for this mailbox; never empty
 */
public record Mailbox(MailboxId id, String userPrincipalName, String crmUserId, Instant signedInAt, Set<Resource> resources) {
  public Mailbox {
    Checks.requireNonNull(id, "mailboxId");
    Checks.requireText(userPrincipalName, "userPrincipalName");
    Checks.requireText(crmUserId, "crmUserId");
    Checks.requireNonNull(signedInAt, "signedInAt");
    Checks.requireNonNull(resources, "resources");
    if (resources.isEmpty()) {
      throw new IllegalArgumentException("'resources' must name at least one resource for mailbox " + id);
    }
    resources = Set.copyOf(EnumSet.copyOf(resources));
  }

  public TenantId tenant() {
    return id.tenant();
  }

  /** A copy that records a new add-in sign-in at {@code when}. */
  public Mailbox signedInAgain(Instant when) {
    return new Mailbox(id, userPrincipalName, crmUserId, when, resources);
  }
}

package io.m365sync;

import io.m365sync.auth.CredentialExpiry;
import io.m365sync.internal.CredentialExpiryWatch;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.SyncStateStore;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The host's monitor view of every enrolled mailbox: all, needing sign-in, denied by policy,
 * failing, never synced; with last success and last duration on each {@link MailboxState}; and each
 * tenant's known app credential expiry.
 * A live view: every call reads the current state.
 */
public final class SyncMonitor {
  private final SyncStateStore store;
  private final CredentialExpiryWatch expiries;

  SyncMonitor(SyncStateStore store, CredentialExpiryWatch expiries) {
    this.store = store;
    this.expiries = expiries;
  }

  /**
   * The known app credential expiry of every tenant with an enrolled mailbox, soonest first, as the
   * engine's {@code appRegistrations} say now; tenants whose expiry is unknown are left out.
   */
  public List<CredentialExpiry> credentialExpiries() {
    return store.enrollments().stream().map(Mailbox::tenant).distinct()
        .flatMap(t -> expiries.expiry(t).stream())
        .sorted(Comparator.comparing(CredentialExpiry::expiresAt)).toList();
  }

  /** The tenant's known app credential expiry, looked up now. */
  public Optional<CredentialExpiry> credentialExpiry(TenantId tenant) {
    return expiries.expiry(Checks.requireNonNull(tenant, "tenant"));
  }

  public List<MailboxState> all() {
    return store.statuses();
  }

  public Optional<MailboxState> mailbox(MailboxId mailbox) {
    return store.status(mailbox);
  }

  public List<MailboxState> withStatus(MailboxStatus status) {
    return filter(s -> s.status() == status);
  }

  public List<MailboxState> needingSignIn() {
    return withStatus(MailboxStatus.NEEDS_SIGN_IN);
  }

  public List<MailboxState> deniedByPolicy() {
    return withStatus(MailboxStatus.DENIED_BY_POLICY);
  }

  /** Failing, throttled or unavailable mailboxes: the ones waiting for a retry. */
  public List<MailboxState> failing() {
    return filter(s -> s.status() == MailboxStatus.FAILING || s.status() == MailboxStatus.THROTTLED
        || s.status() == MailboxStatus.MAILBOX_UNAVAILABLE);
  }

  public List<MailboxState> neverSynced() {
    return filter(s -> !s.everSynced());
  }

  private List<MailboxState> filter(Predicate<MailboxState> p) {
    return store.statuses().stream().filter(p).toList();
  }
}

package io.m365sync;

import io.m365sync.gateway.SkippedItem;
import io.m365sync.state.MailboxState;
import io.m365sync.state.UnreadableRow;
import io.m365sync.sync.ResourceResult;

/**
 * Hears what the engine does. Every method has a no-op default.
 *
 * <p>Contract: called on the engine's worker threads, possibly concurrently for different
 * mailboxes; keep it fast and non-blocking. An exception thrown here is logged and ignored: it
 * never aborts a round.
 */
public interface SyncListener {

  /** A mailbox's status or reason changed ({@code previous} is null for the first status). */
  default void mailboxStatusChanged(MailboxState previous, MailboxState current) {}

  /**
   * The user must sign in to the add-in again; called as the configured {@link SignInNotifyPolicy}
   * says (once, daily, weekly or never per episode).
   */
  default void signInRequired(Mailbox mailbox, MailboxState state) {}

  /**
   * Entra refused the user's refresh for a Conditional Access reason and sent a {@code claims}
   * challenge (a JSON string). The host passes it, unchanged, to the add-in's next interactive
   * sign-in (MSAL's {@code claims} parameter), or that sign-in meets the same refusal; keep it with
   * the user until then. Called once per refusal; the mailbox also turns NEEDS_SIGN_IN.
   */
  default void claimsChallenge(Mailbox mailbox, String errorCode, String claims) {}

  /** A user's delegated grant will hit a known maximum age soon (sign-in frequency). */
  default void tokenExpiringSoon(Mailbox mailbox, java.time.Instant deadline) {}

  /**
   * A tenant's app credential (client secret or certificate) expires within
   * {@code SyncOptions.credentialExpiryWarning}, or has expired: the host should add a new one to
   * the app registration and to its vault. Called at most once per tenant per day while it lasts.
   */
  default void credentialExpiringSoon(io.m365sync.auth.CredentialExpiry expiry) {}

  /** Application mode's state for a tenant changed (e.g. the client secret was refused). */
  default void tenantStatusChanged(TenantStatus previous, TenantStatus current) {}

  /**
   * The mass-change guard held back a resource's round: nothing of it was applied. The same round is
   * held again each cycle until the host calls {@code SyncEngine.releaseQuarantine} or the cause
   * goes away. Called once per held round.
   */
  default void resourceQuarantined(Mailbox mailbox, io.m365sync.sync.MassChangeQuarantine quarantine) {}

  /**
   * A delta page held an item the gateway could not read (no id, an event without start or end, a
   * malformed date). The item was left out and the round went on: its cursor moved, the resource stays
   * active, and whatever the CRM holds for the item is kept (a skipped item is never taken for a
   * deletion). Called once per skipped item per round, before {@link #resourceSynced} for the same
   * round, which counts it in {@link ResourceResult#warnings()}. The reason names what was wrong, never
   * the item's content.
   */
  default void itemSkipped(Mailbox mailbox, Resource resource, SkippedItem item) {}

  /** One resource of one mailbox finished a round (progress). */
  default void resourceSynced(Mailbox mailbox, ResourceResult result) {}

  /**
   * As {@link #resourceSynced(Mailbox, ResourceResult)}, with the wall time the resource's round took
   * ({@link java.time.Duration#ZERO} when it was skipped without a request). The engine calls this
   * one; by default it calls the two-argument method, so override either, not both.
   */
  default void resourceSynced(Mailbox mailbox, ResourceResult result, java.time.Duration duration) {
    resourceSynced(mailbox, result);
  }

  /**
   * The engine asked its {@code mode} token strategy for a token for {@code mailbox} (the strategy
   * answers from its cache or asks Entra); {@code granted} is false when it refused. Not called for
   * requests the engine held back (a tenant's refused credentials, a dead delegated token).
   */
  default void tokenRequested(Mailbox mailbox, AuthMode mode, boolean granted) {}

  /**
   * Graph throttled a request of {@code resource}'s round (429, or 503 with {@code Retry-After});
   * the mailbox waits {@code retryAfter} before its next round.
   */
  default void throttled(Mailbox mailbox, Resource resource, java.time.Duration retryAfter) {}

  /**
   * A stored delta link of {@code resource} had expired (410 {@code SyncStateNotFound}): the round
   * reads everything again and re-links existing items instead of creating them twice.
   */
  default void deltaExpired(Mailbox mailbox, Resource resource) {}

  /** A mailbox round finished. */
  default void mailboxSynced(MailboxSyncReport report) {}

  /** A whole cycle finished. */
  default void cycleFinished(CycleReport report) {}

  /**
   * The state store holds a row it cannot read (for instance an enrollment naming a resource that a
   * newer version of this library wrote before a rollback). The engine skipped the row and went on
   * with the others; the row stays as it is until it is rewritten or the library is upgraded. Called
   * each time the row is met, so once per cycle while it stays unreadable.
   */
  default void unreadableRow(UnreadableRow row) {}

  /**
   * A defect of the enrollment gate: the access audit holds an app-only round of a mailbox that was
   * not enrolled for the whole of it (no {@link io.m365sync.state.EnrollmentPeriod} covers it). The
   * library promises never to touch such a mailbox; this tells the host it did, so that someone looks.
   * Called when the round is recorded, and again each time {@link AccessAudit} meets the record. Also
   * logged at ERROR.
   */
  default void unenrolledMailboxTouched(io.m365sync.state.AccessRecord record) {}

  /**
   * A verified change or lifecycle notification asked for a round of the mailbox's resource (it is
   * marked dirty; the round runs after the debounce). Called on the notification's request thread.
   */
  default void changeSignalled(io.m365sync.notify.ChangeSignal signal) {}

  /** The notification receiver dropped an item (unknown or expired subscription, wrong clientState, ...). */
  default void notificationIgnored(io.m365sync.notify.IgnoredNotification ignored) {}

  /** The engine created, renewed or deleted a change-notification subscription, or found it gone. */
  default void subscriptionChanged(io.m365sync.notify.Subscription subscription, io.m365sync.notify.SubscriptionEvent event) {}

  /**
   * Creating or renewing the subscription of the mailbox's {@code resource} in {@code container}
   * ({@code ""}: the default one) failed; the resource stays on polling and the next round of it
   * tries again. {@code reason} names Graph's error code and request id, never a token.
   */
  default void subscriptionFailed(Mailbox mailbox, Resource resource, String container, String reason) {}
}

package io.m365sync.testkit;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.SyncListener;
import io.m365sync.Resource;
import io.m365sync.TenantStatus;
import io.m365sync.gateway.SkippedItem;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.UnreadableRow;
import io.m365sync.sync.MassChangeQuarantine;
import io.m365sync.auth.CredentialExpiry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link SyncListener} that records every call, for assertions. Thread-safe. */
public final class RecordingSyncListener implements SyncListener {
  /** One status change. */
  public record StatusChange(MailboxState previous, MailboxState current) {}

  /** One item a delta page held that the gateway could not read. */
  public record Skipped(MailboxId mailbox, Resource resource, SkippedItem item) {}

  /** One Conditional Access {@code claims} challenge handed to the host. */
  public record ClaimsChallenge(MailboxId mailbox, String errorCode, String claims) {}

  /** One "the user must sign in" notice. */
  public record SignInNotice(MailboxId mailbox, Instant at, String reasonCode) {}

  private final List<StatusChange> statusChanges = new CopyOnWriteArrayList<>();
  private final List<SignInNotice> signInNotices = new CopyOnWriteArrayList<>();
  private final List<TenantStatus> tenantChanges = new CopyOnWriteArrayList<>();
  private final List<MailboxSyncReport> rounds = new CopyOnWriteArrayList<>();
  private final List<CycleReport> cycles = new CopyOnWriteArrayList<>();
  private final List<Instant> expiryWarnings = new CopyOnWriteArrayList<>();
  private final List<MassChangeQuarantine> quarantines = new CopyOnWriteArrayList<>();
  private final List<UnreadableRow> unreadableRows = new CopyOnWriteArrayList<>();
  private final List<CredentialExpiry> credentialWarnings = new CopyOnWriteArrayList<>();
  private final List<Skipped> skippedItems = new CopyOnWriteArrayList<>();
  private final List<ClaimsChallenge> claimsChallenges = new CopyOnWriteArrayList<>();
  private final List<io.m365sync.state.AccessRecord> auditDefects = new CopyOnWriteArrayList<>();

  @Override
  public void mailboxStatusChanged(MailboxState previous, MailboxState current) {
    statusChanges.add(new StatusChange(previous, current));
  }

  @Override
  public void signInRequired(Mailbox mailbox, MailboxState state) {
    signInNotices.add(new SignInNotice(mailbox.id(), state.notifiedAt(), state.reasonCode()));
  }

  @Override
  public void tokenExpiringSoon(Mailbox mailbox, Instant deadline) {
    expiryWarnings.add(deadline);
  }

  @Override
  public void credentialExpiringSoon(CredentialExpiry expiry) {
    credentialWarnings.add(expiry);
  }

  /** Every {@link #credentialExpiringSoon} heard, in order. */
  public List<CredentialExpiry> credentialWarnings() {
    return List.copyOf(credentialWarnings);
  }

  @Override
  public void tenantStatusChanged(TenantStatus previous, TenantStatus current) {
    tenantChanges.add(current);
  }

  @Override
  public void resourceQuarantined(Mailbox mailbox, MassChangeQuarantine quarantine) {
    quarantines.add(quarantine);
  }

  @Override
  public void claimsChallenge(Mailbox mailbox, String errorCode, String claims) {
    claimsChallenges.add(new ClaimsChallenge(mailbox.id(), errorCode, claims));
  }

  @Override
  public void itemSkipped(Mailbox mailbox, Resource resource, SkippedItem item) {
    skippedItems.add(new Skipped(mailbox.id(), resource, item));
  }

  @Override
  public void mailboxSynced(MailboxSyncReport report) {
    rounds.add(report);
  }

  @Override
  public void cycleFinished(CycleReport report) {
    cycles.add(report);
  }

  @Override
  public void unreadableRow(UnreadableRow row) {
    unreadableRows.add(row);
  }

  @Override
  public void unenrolledMailboxTouched(io.m365sync.state.AccessRecord record) {
    auditDefects.add(record);
  }

  /** The access audit's defects reported (app-only rounds of mailboxes not enrolled at the time), in order. */
  public List<io.m365sync.state.AccessRecord> auditDefects() {
    return List.copyOf(auditDefects);
  }

  public List<StatusChange> statusChanges() {
    return List.copyOf(statusChanges);
  }

  /** Status changes of one mailbox into {@code status}. */
  public long changesTo(MailboxId mailbox, MailboxStatus status) {
    return statusChanges.stream().filter(c -> c.current().mailbox().equals(mailbox) && c.current().status() == status).count();
  }

  /** Every round the mass-change guard held back, in order. */
  public List<MassChangeQuarantine> quarantines() {
    return List.copyOf(quarantines);
  }

  public List<SignInNotice> signInNotices() {
    return List.copyOf(signInNotices);
  }

  public long signInNotices(MailboxId mailbox) {
    return signInNotices.stream().filter(n -> n.mailbox().equals(mailbox)).count();
  }

  public List<TenantStatus> tenantChanges() {
    return List.copyOf(tenantChanges);
  }

  public List<MailboxSyncReport> rounds() {
    return List.copyOf(rounds);
  }

  public List<CycleReport> cycles() {
    return List.copyOf(cycles);
  }

  public List<Instant> expiryWarnings() {
    return List.copyOf(expiryWarnings);
  }

  /** The unreadable state rows reported, in order (a row met in several cycles is listed each time). */
  public List<UnreadableRow> unreadableRows() {
    return List.copyOf(unreadableRows);
  }

  /** The skipped items reported, in order (an item skipped in several rounds is listed each time). */
  public List<Skipped> skippedItems() {
    return List.copyOf(skippedItems);
  }

  public List<ClaimsChallenge> claimsChallenges() {
    return List.copyOf(claimsChallenges);
  }

  /** A subscription event the engine reported. */
  public record SubscriptionChange(io.m365sync.notify.Subscription subscription, io.m365sync.notify.SubscriptionEvent event) {}

  private final List<SubscriptionChange> subscriptionChanges = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<io.m365sync.notify.ChangeSignal> signals = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<io.m365sync.notify.IgnoredNotification> ignored = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<String> subscriptionFailures = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public void subscriptionChanged(io.m365sync.notify.Subscription subscription, io.m365sync.notify.SubscriptionEvent event) {
    subscriptionChanges.add(new SubscriptionChange(subscription, event));
  }

  @Override
  public void changeSignalled(io.m365sync.notify.ChangeSignal signal) {
    signals.add(signal);
  }

  @Override
  public void notificationIgnored(io.m365sync.notify.IgnoredNotification notification) {
    ignored.add(notification);
  }

  @Override
  public void subscriptionFailed(Mailbox mailbox, Resource resource, String container, String reason) {
    subscriptionFailures.add(mailbox.id() + " " + resource + " '" + container + "': " + reason);
  }

  public List<SubscriptionChange> subscriptionChanges() {
    return List.copyOf(subscriptionChanges);
  }

  /** How many subscription events of {@code event} were reported. */
  public long subscriptionEvents(io.m365sync.notify.SubscriptionEvent event) {
    return subscriptionChanges.stream().filter(c -> c.event() == event).count();
  }

  public List<io.m365sync.notify.ChangeSignal> signals() {
    return List.copyOf(signals);
  }

  public List<io.m365sync.notify.IgnoredNotification> ignoredNotifications() {
    return List.copyOf(ignored);
  }

  public List<String> subscriptionFailures() {
    return List.copyOf(subscriptionFailures);
  }
}

package io.m365sync.internal;

import io.m365sync.AuthMode;
import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxSyncReport;
import io.m365sync.SyncListener;
import io.m365sync.Resource;
import io.m365sync.TenantStatus;
import io.m365sync.gateway.SkippedItem;
import io.m365sync.notify.ChangeSignal;
import io.m365sync.notify.IgnoredNotification;
import io.m365sync.notify.Subscription;
import io.m365sync.notify.SubscriptionEvent;
import io.m365sync.state.MailboxState;
import io.m365sync.state.UnreadableRow;
import io.m365sync.sync.ResourceResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans out to the host's listeners; a listener that throws is logged and skipped. */
public final class SafeListener implements SyncListener {
  private static final Logger log = LoggerFactory.getLogger(SafeListener.class);

  private final List<SyncListener> listeners;

  public SafeListener(List<SyncListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  private void each(String event, Consumer<SyncListener> call) {
    for (SyncListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        log.warn("SyncListener {} threw from {}; ignored", l.getClass().getName(), event, e);
      }
    }
  }

  @Override
  public void mailboxStatusChanged(MailboxState previous, MailboxState current) {
    each("mailboxStatusChanged", l -> l.mailboxStatusChanged(previous, current));
  }

  @Override
  public void claimsChallenge(Mailbox mailbox, String errorCode, String claims) {
    each("claimsChallenge", l -> l.claimsChallenge(mailbox, errorCode, claims));
  }

  @Override
  public void signInRequired(Mailbox mailbox, MailboxState state) {
    each("signInRequired", l -> l.signInRequired(mailbox, state));
  }

  @Override
  public void tokenExpiringSoon(Mailbox mailbox, Instant deadline) {
    each("tokenExpiringSoon", l -> l.tokenExpiringSoon(mailbox, deadline));
  }

  @Override
  public void credentialExpiringSoon(io.m365sync.auth.CredentialExpiry expiry) {
    each("credentialExpiringSoon", l -> l.credentialExpiringSoon(expiry));
  }

  @Override
  public void tenantStatusChanged(TenantStatus previous, TenantStatus current) {
    each("tenantStatusChanged", l -> l.tenantStatusChanged(previous, current));
  }

  @Override
  public void resourceQuarantined(Mailbox mailbox, io.m365sync.sync.MassChangeQuarantine quarantine) {
    each("resourceQuarantined", l -> l.resourceQuarantined(mailbox, quarantine));
  }

  @Override
  public void itemSkipped(Mailbox mailbox, Resource resource, SkippedItem item) {
    each("itemSkipped", l -> l.itemSkipped(mailbox, resource, item));
  }

  @Override
  public void resourceSynced(Mailbox mailbox, ResourceResult result) {
    each("resourceSynced", l -> l.resourceSynced(mailbox, result));
  }

  @Override
  public void resourceSynced(Mailbox mailbox, ResourceResult result, Duration duration) {
    each("resourceSynced", l -> l.resourceSynced(mailbox, result, duration));
  }

  @Override
  public void tokenRequested(Mailbox mailbox, AuthMode mode, boolean granted) {
    each("tokenRequested", l -> l.tokenRequested(mailbox, mode, granted));
  }

  @Override
  public void throttled(Mailbox mailbox, Resource resource, Duration retryAfter) {
    each("throttled", l -> l.throttled(mailbox, resource, retryAfter));
  }

  @Override
  public void deltaExpired(Mailbox mailbox, Resource resource) {
    each("deltaExpired", l -> l.deltaExpired(mailbox, resource));
  }

  @Override
  public void mailboxSynced(MailboxSyncReport report) {
    each("mailboxSynced", l -> l.mailboxSynced(report));
  }

  @Override
  public void cycleFinished(CycleReport report) {
    each("cycleFinished", l -> l.cycleFinished(report));
  }

  @Override
  public void unreadableRow(UnreadableRow row) {
    each("unreadableRow", l -> l.unreadableRow(row));
  }

  @Override
  public void unenrolledMailboxTouched(io.m365sync.state.AccessRecord record) {
    each("unenrolledMailboxTouched", l -> l.unenrolledMailboxTouched(record));
  }

  @Override
  public void changeSignalled(ChangeSignal signal) {
    each("changeSignalled", l -> l.changeSignalled(signal));
  }

  @Override
  public void notificationIgnored(IgnoredNotification ignored) {
    each("notificationIgnored", l -> l.notificationIgnored(ignored));
  }

  @Override
  public void subscriptionChanged(Subscription subscription, SubscriptionEvent event) {
    each("subscriptionChanged", l -> l.subscriptionChanged(subscription, event));
  }

  @Override
  public void subscriptionFailed(Mailbox mailbox, Resource resource, String container, String reason) {
    each("subscriptionFailed", l -> l.subscriptionFailed(mailbox, resource, container, reason));
  }
}

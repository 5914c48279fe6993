package io.m365sync.notify;

/** What a notification asks of the engine. None carries data: each leads to a normal delta round. */
public enum SignalKind {
  /** Something changed in the watched container: mark the mailbox-resource dirty. */
  CHANGED,
  /** Graph dropped notifications ({@code missed}): run a catch-up round. */
  MISSED,
  /** Graph removed the subscription ({@code subscriptionRemoved}): recreate it, then catch up. */
  SUBSCRIPTION_REMOVED,
  /** Graph paused the subscription ({@code reauthorizationRequired}): reauthorize or renew, then catch up. */
  REAUTHORIZATION_REQUIRED
}

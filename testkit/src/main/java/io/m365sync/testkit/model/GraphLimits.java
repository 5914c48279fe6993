package io.m365sync.testkit.model;

import java.time.Duration;

/**
 * Graph's Outlook service limits as a tenant enforces them, per app id and mailbox (user): how many
 * requests may be in flight at once, and how many may start within a sliding window. Exceeding
 * either in one mailbox never affects another mailbox or another app. Every {@code $batch} step
 * counts as one request. Requests that do not target a mailbox (directory, subscriptions list) are
 * not limited.
 *
 * <p>Answers when exceeded, shaped as Graph sends them: too many in flight is 429
 * {@code ApplicationThrottled} "Application is over its MailboxConcurrency limit." with
 * {@code Retry-After: 1}; too many in the window is 429 {@code TooManyRequests} with {@code Retry-After}
 * the time until the oldest counted request leaves the window (on the cloud's clock). Requests
 * refused with 429 are not counted (Graph counts them: a client that honours {@code Retry-After}
 * sees no difference).
 *
 * @param concurrentRequests requests in flight at once per app and mailbox, at least 1
 * @param requestsPerWindow requests started per app and mailbox within {@code window}, at least 1;
 *     {@link Integer#MAX_VALUE} for no limit (nothing is then tracked)
 * @param window the sliding window, positive
 */
public record GraphLimits(int concurrentRequests, int requestsPerWindow, Duration window) {
  /** Graph's numbers for Outlook resources (mail, calendar, contacts, tasks): 4 in flight, 10,000 per 10 minutes. */
  public static final GraphLimits OUTLOOK = new GraphLimits(4, 10_000, Duration.ofMinutes(10));

  /** No limits: for tests about something else that legitimately exceed Graph's (say why where used). */
  public static final GraphLimits NONE = new GraphLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Duration.ofMinutes(10));

  public GraphLimits {
    if (concurrentRequests < 1) {
      throw new IllegalArgumentException("'concurrentRequests' must be at least 1 but was " + concurrentRequests);
    }
    if (requestsPerWindow < 1) {
      throw new IllegalArgumentException("'requestsPerWindow' must be at least 1 but was " + requestsPerWindow);
    }
    if (window == null || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("'window' must be positive but was " + window);
    }
  }

  boolean windowLimited() {
    return requestsPerWindow != Integer.MAX_VALUE;
  }
}

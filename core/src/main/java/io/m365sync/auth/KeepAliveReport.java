package io.m365sync.auth;

import io.m365sync.MailboxId;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one {@link TokenStrategy#keepAlive} pass did.
 *
 * @param refreshed mailboxes whose refresh token was exercised (and the rotated one stored)
 * @param fresh mailboxes used recently enough that nothing was sent
 * @param needsSignIn mailboxes whose grant is dead (or whose cache is missing or unreadable)
 * @param failed mailboxes that failed for another reason (transient; tried again next pass), with the reason
 * @param expiringSoon mailboxes warned about a sign-in-frequency deadline, with the deadline
 */
public record KeepAliveReport(List<MailboxId> refreshed, List<MailboxId> fresh, List<MailboxId> needsSignIn,
                              Map<MailboxId, String> failed, Map<MailboxId, Instant> expiringSoon) {
  public KeepAliveReport {
    refreshed = List.copyOf(refreshed);
    fresh = List.copyOf(fresh);
    needsSignIn = List.copyOf(needsSignIn);
    failed = Map.copyOf(failed);
    expiringSoon = Map.copyOf(expiringSoon);
  }

  /** A pass that did nothing (a strategy holding no long-lived grants). */
  public static KeepAliveReport empty() {
    return new KeepAliveReport(List.of(), List.of(), List.of(), Map.of(), Map.of());
  }

  /** This pass and {@code other} together. */
  public KeepAliveReport plus(KeepAliveReport other) {
    return new KeepAliveReport(concat(refreshed, other.refreshed), concat(fresh, other.fresh),
        concat(needsSignIn, other.needsSignIn), merge(failed, other.failed), merge(expiringSoon, other.expiringSoon));
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static <V> Map<MailboxId, V> merge(Map<MailboxId, V> a, Map<MailboxId, V> b) {
    Map<MailboxId, V> out = new java.util.HashMap<>(a);
    out.putAll(b);
    return out;
  }
}

package io.m365sync.graph;

import io.m365sync.MailboxId;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one {@link MsalDelegatedTokenStrategy#keepAlive} pass did.
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
}

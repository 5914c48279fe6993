package io.m365sync;

import io.m365sync.state.MailboxStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** What one cycle over every enrolled mailbox did. */
public record CycleReport(Instant startedAt, Duration duration, List<MailboxSyncReport> mailboxes) {
  public CycleReport {
    mailboxes = List.copyOf(mailboxes);
  }

  public MailboxSyncReport mailbox(MailboxId id) {
    return mailboxes.stream().filter(m -> m.mailbox().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("mailbox " + id + " was not part of this cycle"));
  }

  /** How many mailboxes ended the cycle in each status. */
  public Map<MailboxStatus, Integer> countByStatus() {
    Map<MailboxStatus, Integer> counts = new EnumMap<>(MailboxStatus.class);
    mailboxes.forEach(m -> counts.merge(m.state().status(), 1, Integer::sum));
    return counts;
  }

  public int applied() {
    return mailboxes.stream().mapToInt(MailboxSyncReport::applied).sum();
  }
}

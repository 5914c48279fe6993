package io.m365sync.internal;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.state.AccessRecord;
import java.time.Instant;

/**
 * An {@link AccessRecord} as the in-memory store holds it: instants as numbers and enums as
 * ordinals, about half the heap of the record with its two {@code Instant}s. The audit keeps one per
 * app-only round or probe for {@code auditRetention}, so it is the store's largest growing part.
 */
record HeldAccess(MailboxId mailbox, long startSecond, long finishSecond, int startNano, int finishNano,
                  int requests, byte resource, byte outcome, String errorCode) {
  private static final Resource[] RESOURCES = Resource.values();
  private static final AccessRecord.Outcome[] OUTCOMES = AccessRecord.Outcome.values();

  static HeldAccess of(AccessRecord r) {
    return new HeldAccess(r.mailbox(), r.startedAt().getEpochSecond(), r.finishedAt().getEpochSecond(),
        r.startedAt().getNano(), r.finishedAt().getNano(), r.requests(), (byte) r.resource().ordinal(),
        (byte) r.outcome().ordinal(), r.errorCode());
  }

  Instant startedAt() {
    return Instant.ofEpochSecond(startSecond, startNano);
  }

  AccessRecord record() {
    return new AccessRecord(mailbox, RESOURCES[resource], startedAt(), Instant.ofEpochSecond(finishSecond, finishNano),
        OUTCOMES[outcome], requests, errorCode);
  }
}

package io.m365sync.internal;

import io.m365sync.MailboxId;
import io.m365sync.SyncListener;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.EnrollmentPeriod;
import io.m365sync.state.SyncStateStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the access audit and holds it against the enrollment history: an app-only touch of a
 * mailbox that was not enrolled for the whole of it is a defect of the enrollment gate, reported
 * loudly (an ERROR and {@link SyncListener#unenrolledMailboxTouched}) each time it is met.
 */
public final class AuditTrail {
  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);

  private final SyncStateStore store;
  private final SyncListener listener;

  public AuditTrail(SyncStateStore store, SyncListener listener) {
    this.store = store;
    this.listener = listener;
  }

  /**
   * Records one app-only round and checks it at once. Never throws: the touch has happened whatever
   * the store says, so a failing audit write is logged (ERROR) and the round goes on.
   */
  void record(AccessRecord record) {
    try {
      store.recordAccess(record);
      // this mailbox's periods only: one index seek per round, never every mailbox's history
      if (store.enrollmentPeriods(record.mailbox(), record.startedAt(), record.finishedAt()).stream()
          .noneMatch(p -> p.covers(record.startedAt(), record.finishedAt()))) {
        report(record);
      }
    } catch (RuntimeException e) {
      log.error("m365sync could not write the access audit record of an app-only round of {} for mailbox {}"
          + " ({} requests); the audit misses it", record.resource(), record.mailbox(), record.requests(), e);
    }
  }

  /** Deletes what {@code SyncOptions.auditRetention} no longer keeps. */
  int prune(Instant cutoff) {
    return store.pruneAccessAudit(cutoff);
  }

  /** The records among {@code records} whose mailbox was not enrolled for the whole round, in their order. */
  public List<AccessRecord> defects(List<AccessRecord> records) {
    if (records.isEmpty()) {
      return List.of();
    }
    Instant from = records.stream().map(AccessRecord::startedAt).min(Comparator.naturalOrder()).orElseThrow();
    Instant to = records.stream().map(AccessRecord::finishedAt).max(Comparator.naturalOrder()).orElseThrow();
    Map<MailboxId, List<EnrollmentPeriod>> periods = new HashMap<>();
    for (EnrollmentPeriod p : store.enrollmentPeriods(from, to)) {
      periods.computeIfAbsent(p.mailbox(), m -> new ArrayList<>()).add(p);
    }
    return records.stream()
        .filter(r -> periods.getOrDefault(r.mailbox(), List.of()).stream()
            .noneMatch(p -> p.covers(r.startedAt(), r.finishedAt())))
        .toList();
  }

  /** One defect, loudly. */
  public void report(AccessRecord defect) {
    log.error("m365sync ACCESS AUDIT DEFECT: mailbox {} was touched app-only ({} of {}, {} Graph requests, {} to {})"
        + " while it was not enrolled; the enrollment gate failed, report this", defect.mailbox(), defect.resource(),
        defect.outcome(), defect.requests(), defect.startedAt(), defect.finishedAt());
    listener.unenrolledMailboxTouched(defect);
  }
}

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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

  /** Records one app-only round and checks it at once; see {@link #record(List)}. */
  void record(AccessRecord record) {
    record(List.of(record));
  }

  /**
   * Records app-only rounds in one store call (one transaction on a durable store: an idle cycle's
   * {@code $batch} answers up to 20 mailbox-resources) and checks each against its mailbox's enrollment
   * (their periods in one more store call).
   * Never throws: the touches have happened whatever the store says. When the store refuses one of
   * them as bad input (having written none, as the store's contract says), the others are written one
   * by one, so a bad record costs only itself; what is not written is logged (ERROR, once per record)
   * and the cycle goes on.
   */
  void record(List<AccessRecord> records) {
    List<AccessRecord> written = written(records);
    if (written.isEmpty()) {
      return;
    }
    Set<MailboxId> mailboxes = written.stream().map(AccessRecord::mailbox)
        .collect(Collectors.toCollection(LinkedHashSet::new));
    try {
      // these mailboxes' periods only, in one store call: never every mailbox's history
      Instant from = written.stream().map(AccessRecord::startedAt).min(Comparator.naturalOrder()).orElseThrow();
      Instant to = written.stream().map(AccessRecord::finishedAt).max(Comparator.naturalOrder()).orElseThrow();
      Map<MailboxId, List<EnrollmentPeriod>> periods = store.enrollmentPeriods(mailboxes, from, to);
      written.stream().filter(r -> !covered(r, periods.getOrDefault(r.mailbox(), List.of()))).forEach(this::report);
    } catch (RuntimeException e) {
      log.error("m365sync could not check the access audit records of {} app-only rounds of mailboxes {}"
          + " against their enrollment", written.size(), mailboxes, e);
    }
  }

  private List<AccessRecord> written(List<AccessRecord> records) {
    if (records.isEmpty()) {
      return records;
    }
    try {
      store.recordAccess(records);
      return records;
    } catch (IllegalArgumentException e) {
      if (records.size() == 1) {
        unwritten(records.get(0), e);
        return List.of();
      }
      log.warn("m365sync could not write {} access audit records at once; writing them one by one: {}",
          records.size(), e.toString());
    } catch (RuntimeException e) {
      records.forEach(r -> unwritten(r, e)); // an outage: none of them was written, one by one would fail alike
      return List.of();
    }
    List<AccessRecord> written = new ArrayList<>(records.size());
    for (AccessRecord record : records) {
      try {
        store.recordAccess(record);
        written.add(record);
      } catch (RuntimeException e) {
        unwritten(record, e);
      }
    }
    return written;
  }

  private static void unwritten(AccessRecord record, RuntimeException e) {
    log.error("m365sync could not write the access audit record of an app-only round of {} for mailbox {}"
        + " ({} requests); the audit misses it", record.resource(), record.mailbox(), record.requests(), e);
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
    return records.stream().filter(r -> !covered(r, periods.getOrDefault(r.mailbox(), List.of()))).toList();
  }

  /** Whether one of its mailbox's {@code periods} holds the whole of {@code record}. */
  private static boolean covered(AccessRecord record, List<EnrollmentPeriod> periods) {
    return periods.stream().anyMatch(p -> p.covers(record.startedAt(), record.finishedAt()));
  }

  /** One defect, loudly. */
  public void report(AccessRecord defect) {
    log.error("m365sync ACCESS AUDIT DEFECT: mailbox {} was touched app-only ({} of {}, {} Graph requests, {} to {})"
        + " while it was not enrolled; the enrollment gate failed, report this", defect.mailbox(), defect.resource(),
        defect.outcome(), defect.requests(), defect.startedAt(), defect.finishedAt());
    listener.unenrolledMailboxTouched(defect);
  }
}

package io.m365sync.internal;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.DirtyMark;
import io.m365sync.state.EnrollmentPeriod;
import io.m365sync.state.MailboxState;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * What {@link InMemorySyncStateStore} holds for one mailbox, in one object rather than an entry in a
 * map per kind: an idle mailbox's state is a few hundred bytes, and a map entry and key per kind would
 * double it. A purge empties what an unenroll deletes and keeps the fence, the enrollment periods and
 * the audit's hold on its newest records. Guarded by the store's lock.
 */
final class StoredMailbox {
  Mailbox enrollment;
  MailboxState status;
  long fence;
  /** (resource, container, cursor) triples: a mailbox has a few, so a scan beats a map. */
  private Object[] cursors;
  LinkIndex links;
  byte[] tokenCache;
  RunHistory runs;
  Map<Resource, DirtyMark> dirty;
  /** In the order opened; the last one is open while the mailbox is enrolled. */
  EnrollmentPeriod[] periods = new EnrollmentPeriod[0];
  /** Per resource, the newest audit record, the one the next like round folds into. */
  private AuditEntry[] newestAccess;

  /**
   * A record of the store's audit, held as its fields so that a round folds into it in place: the audit
   * keeps an entry per mailbox-resource per day for {@code auditRetention}, so a wrapper around an
   * immutable record would cost the heap an object per entry.
   */
  static final class AuditEntry {
    private final MailboxId mailbox;
    private final Resource resource;
    private final AccessRecord.Outcome outcome;
    private final String errorCode;
    private Instant startedAt;
    private Instant finishedAt;
    private int requests;
    private int rounds;

    AuditEntry(AccessRecord record) {
      mailbox = record.mailbox();
      resource = record.resource();
      outcome = record.outcome();
      errorCode = record.errorCode();
      set(record);
    }

    MailboxId mailbox() {
      return mailbox;
    }

    AccessRecord record() {
      return new AccessRecord(mailbox, resource, startedAt, finishedAt, outcome, requests, errorCode, rounds);
    }

    Instant finishedAt() {
      return finishedAt;
    }

    void fold(AccessRecord later) {
      set(record().plus(later));
    }

    private void set(AccessRecord record) {
      startedAt = record.startedAt();
      finishedAt = record.finishedAt();
      requests = record.requests();
      rounds = record.rounds();
    }
  }

  void purge() {
    enrollment = null;
    status = null;
    cursors = null;
    links = null;
    tokenCache = null;
    runs = null;
    dirty = null;
  }

  String cursor(Resource resource, String container) {
    int i = cursorAt(resource, container);
    return i < 0 ? null : (String) cursors[i + 2];
  }

  void putCursor(Resource resource, String container, String cursor) {
    int i = cursorAt(resource, container);
    if (i < 0) {
      i = cursors == null ? 0 : cursors.length;
      cursors = cursors == null ? new Object[3] : Arrays.copyOf(cursors, i + 3);
      cursors[i] = resource;
      cursors[i + 1] = container;
    }
    cursors[i + 2] = cursor;
  }

  void removeCursor(Resource resource, String container) {
    int i = cursorAt(resource, container);
    if (i >= 0) {
      Object[] rest = new Object[cursors.length - 3];
      System.arraycopy(cursors, 0, rest, 0, i);
      System.arraycopy(cursors, i + 3, rest, i, rest.length - i);
      cursors = rest.length == 0 ? null : rest;
    }
  }

  private int cursorAt(Resource resource, String container) {
    if (cursors != null) {
      for (int i = 0; i < cursors.length; i += 3) {
        if (cursors[i] == resource && cursors[i + 1].equals(container)) {
          return i;
        }
      }
    }
    return -1;
  }

  EnrollmentPeriod openPeriod() {
    EnrollmentPeriod last = periods.length == 0 ? null : periods[periods.length - 1];
    return last != null && last.unenrolledAt() == null ? last : null;
  }

  /** Retention: whether {@code period} was closed before {@code cutoff} (open periods stay, however old). */
  static boolean closedBefore(EnrollmentPeriod period, Instant cutoff) {
    return period.unenrolledAt() != null && period.unenrolledAt().isBefore(cutoff);
  }

  void prunePeriods(Instant cutoff) {
    if (Arrays.stream(periods).anyMatch(p -> closedBefore(p, cutoff))) {
      periods = Arrays.stream(periods).filter(p -> !closedBefore(p, cutoff)).toArray(EnrollmentPeriod[]::new);
    }
  }

  void addPeriod(EnrollmentPeriod period) {
    periods = Arrays.copyOf(periods, periods.length + 1);
    periods[periods.length - 1] = period;
  }

  /**
   * The entry {@code record} folds into, or null when it starts a record of its own: the resource's
   * newest entry, if it coalesces with it and the open enrollment period began before both.
   */
  AuditEntry foldTarget(AccessRecord record) {
    int i = record.resource().ordinal();
    AuditEntry newest = newestAccess == null || newestAccess.length <= i ? null : newestAccess[i];
    EnrollmentPeriod open = openPeriod();
    if (newest == null || open == null || !newest.record().coalescesWith(record)) {
      return null;
    }
    return open.enrolledAt().isAfter(newest.startedAt) || open.enrolledAt().isAfter(record.startedAt())
        ? null : newest;
  }

  /** Retention deleted {@code entry}: nothing folds into it, and the mailbox holds it no longer. */
  void forgetAccess(AuditEntry entry) {
    int i = entry.resource.ordinal();
    if (newestAccess != null && newestAccess.length > i && newestAccess[i] == entry) {
      newestAccess[i] = null;
    }
  }

  void newestAccess(Resource resource, AuditEntry entry) {
    int i = resource.ordinal();
    if (newestAccess == null || newestAccess.length <= i) { // as long as the resources in use need
      newestAccess = newestAccess == null ? new AuditEntry[i + 1] : Arrays.copyOf(newestAccess, i + 1);
    }
    newestAccess[i] = entry;
  }
}

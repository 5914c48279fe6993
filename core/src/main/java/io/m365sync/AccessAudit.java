package io.m365sync;

import io.m365sync.internal.AuditTrail;
import io.m365sync.internal.SafeListener;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.AccessRecordFormat;
import io.m365sync.state.SyncStateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The access audit, for admins who must check the library's promise: application permissions could
 * reach every mailbox of the tenant, and m365sync touches only enrolled ones. Every app-only round
 * (mailbox, resource, time, outcome, Graph requests sent; like rounds of a day counted in one record) is
 * in the state store for
 * {@link SyncOptions#auditRetention()}; this view lists them, exports them ({@link AccessRecordFormat})
 * and holds them against the enrollment history. A round of a mailbox not enrolled for the whole of
 * it is a defect: reported loudly (ERROR log, {@link SyncListener#unenrolledMailboxTouched}) each time
 * a call here meets it.
 *
 * <p>A live view: every call reads the store. Thread-safe.
 */
public final class AccessAudit {
  private final SyncStateStore store;
  private final Clock clock;
  private final AuditTrail trail;

  AccessAudit(SyncStateStore store, Clock clock, AuditTrail trail) {
    this.store = store;
    this.clock = clock;
    this.trail = trail;
  }

  /**
   * The audit of a state store without an engine (a readiness command, an admin tool): defects are
   * reported to {@code listener} (use {@code new SyncListener() {}} for the ERROR log alone).
   */
  public static AccessAudit of(SyncStateStore store, Clock clock, SyncListener listener) {
    Checks.requireNonNull(store, "store");
    Checks.requireNonNull(clock, "clock");
    Checks.requireNonNull(listener, "listener");
    return new AccessAudit(store, clock, new AuditTrail(store, new SafeListener(List.of(listener))));
  }

  /**
   * The records of app-only rounds in {@code [from, to)}, oldest first: a record counts the like rounds
   * of a mailbox's resource within a day ({@link AccessRecord#rounds()}), so one that overlaps the span is
   * returned whole.
   */
  public List<AccessRecord> records(Instant from, Instant to) {
    return store.accessRecords(Checks.requireNonNull(from, "from"), Checks.requireNonNull(to, "to"));
  }

  /**
   * The records in {@code [from, to)} of mailboxes that were not enrolled for the
   * whole round, each reported loudly; empty when the enrollment gate held.
   */
  public List<AccessRecord> defects(Instant from, Instant to) {
    List<AccessRecord> defects = trail.defects(records(from, to));
    defects.forEach(trail::report);
    return defects;
  }

  /** Writes the records in {@code [from, to)} to {@code out} in {@code format}. */
  public void export(Instant from, Instant to, AccessRecordFormat format, Appendable out) {
    Checks.requireNonNull(format, "format").write(records(from, to), Checks.requireNonNull(out, "out"));
  }

  /** What happened app-only in the last {@code period} up to now, defects reported loudly. */
  public Summary summary(Duration period) {
    Instant to = clock.instant();
    Instant from = to.minus(Checks.requirePositive(period, "period"));
    List<AccessRecord> records = records(from, to.plusNanos(1));
    Map<MailboxId, MailboxTouches> byMailbox = new LinkedHashMap<>();
    for (AccessRecord r : records) {
      byMailbox.merge(r.mailbox(), MailboxTouches.of(r), MailboxTouches::plus);
    }
    List<AccessRecord> defects = trail.defects(records);
    defects.forEach(trail::report);
    return new Summary(from, to, records.stream().mapToInt(AccessRecord::rounds).sum(),
        records.stream().mapToLong(AccessRecord::requests).sum(),
        new ArrayList<>(byMailbox.values()), defects);
  }

  /**
   * One mailbox's app-only rounds in a summary.
   *
   * @param rounds app-only rounds (one per resource per mailbox round)
   * @param requests Graph requests they sent
   * @param denied rounds Graph refused by policy
   * @param first when the first began
   * @param last when the last ended
   */
  public record MailboxTouches(MailboxId mailbox, int rounds, long requests, int denied, Instant first, Instant last) {
    static MailboxTouches of(AccessRecord r) {
      return new MailboxTouches(r.mailbox(), r.rounds(), r.requests(),
          r.outcome() == AccessRecord.Outcome.DENIED_BY_POLICY ? r.rounds() : 0, r.startedAt(), r.finishedAt());
    }

    MailboxTouches plus(MailboxTouches o) {
      return new MailboxTouches(mailbox, rounds + o.rounds, requests + o.requests, denied + o.denied,
          first.isBefore(o.first) ? first : o.first, last.isAfter(o.last) ? last : o.last);
    }
  }

  /**
   * The access audit over {@code [from, to]}.
   *
   * @param mailboxes the mailboxes touched app-only, in the order first touched
   * @param defects rounds of mailboxes not enrolled at the time; empty when the promise held
   */
  public record Summary(Instant from, Instant to, int rounds, long requests, List<MailboxTouches> mailboxes,
                        List<AccessRecord> defects) {
    public Summary {
      mailboxes = List.copyOf(mailboxes);
      defects = List.copyOf(defects);
    }

    /** Plain text for a console: one line per mailbox, then the verdict. */
    public String toText() {
      StringBuilder b = new StringBuilder();
      b.append(String.format("Access audit %s .. %s: %d app-only round(s), %d Graph request(s), %d mailbox(es)%n",
          from, to, rounds, requests, mailboxes.size()));
      for (MailboxTouches m : mailboxes) {
        b.append(String.format("  %-60s %4d round(s) %6d request(s)%s  %s .. %s%n", m.mailbox(), m.rounds(),
            m.requests(), m.denied() > 0 ? " (" + m.denied() + " denied)" : "", m.first(), m.last()));
      }
      if (defects.isEmpty()) {
        b.append("  OK: every mailbox touched app-only was enrolled at the time").append(System.lineSeparator());
      } else {
        b.append(String.format("  DEFECT: %d app-only round(s) touched a mailbox that was not enrolled at the time:%n",
            defects.size()));
        for (AccessRecord d : defects) {
          b.append(String.format("    %s %s %s..%s %d request(s)%n", d.mailbox(), d.resource(), d.startedAt(),
              d.finishedAt(), d.requests()));
        }
      }
      return b.toString();
    }
  }
}

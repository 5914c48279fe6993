package io.m365sync.engine;

import io.m365sync.AuthMode;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.SyncListener;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.model.RecordedRequest;
import io.m365sync.testkit.model.RequestLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the host did and when (enrollments, policy-group moves), and every breach of the engine's
 * promises seen so far: Graph requests while not enrolled (by log position and by clock time), app-only
 * 200s outside the policy scope after propagation, more than one 403 probe per TTL, CRM or state writes
 * after {@code unenroll} returned, and two rounds of one mailbox at once (two calls of one resource's step at once). The watched gateway, CRM and
 * state store report to it; the test reads {@link #violations()} after each step.
 */
final class HostActionWitness implements SyncListener {

  /** From log position {@code logIndex} (and clock time {@code at}) on, the mailbox is (not) enrolled. */
  private record Mark(int logIndex, Instant at, boolean enrolled) {}

  /** From {@code at} on, the user is (not) in the policy's scope group. */
  private record Membership(Instant at, boolean in) {}

  /** Holds a mailbox's round at its {@code at}-th gateway or CRM call until the host is ready. */
  static final class Pause {
    final MailboxId mailbox;
    final int at;
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch go = new CountDownLatch(1);
    /** Whether the held call is a Graph request (it may still go out once released: it was in flight). */
    volatile boolean heldGraphCall;
    /** The mailbox's Graph requests in the held call: one, or a batch's steps for the mailbox (one HTTP request). */
    volatile int heldRequests;

    Pause(MailboxId mailbox, int at) {
      this.mailbox = mailbox;
      this.at = at;
    }
  }

  private final RequestLog log;
  private final MutableClock clock;
  private final Duration propagation;
  private final Duration ttl;
  private final Instant policySince;
  private final Map<String, List<Mark>> marks = new HashMap<>();
  private final Map<String, List<Membership>> memberships = new HashMap<>();
  private final Map<String, Instant> lastProbe = new HashMap<>();
  private final Set<MailboxId> unenrolled = ConcurrentHashMap.newKeySet();
  /** By mailbox and lane (see {@link #enterCall}). */
  private final Map<String, Thread> inCall = new ConcurrentHashMap<>();
  private final Map<MailboxId, Thread> inRound = new ConcurrentHashMap<>();
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private int scanned;
  volatile Pause pause;

  HostActionWitness(RequestLog log, MutableClock clock, Duration propagation, Duration ttl, Instant policySince) {
    this.log = log;
    this.clock = clock;
    this.propagation = propagation;
    this.ttl = ttl;
    this.policySince = policySince;
  }

  List<String> violations() {
    synchronized (violations) {
      return List.copyOf(violations);
    }
  }

  void violation(String what) {
    violations.add(what + " [at " + clock.instant() + ", thread " + Thread.currentThread().getName() + "]");
  }

  // ------------------------------------------------------------------ what the host did (test thread)

  void member(String userId, boolean in) {
    memberships.computeIfAbsent(userId, u -> new ArrayList<>()).add(new Membership(clock.instant(), in));
  }

  /** Called just before {@code enroll}: from here on, writes for the mailbox are the engine's right again. */
  void enrolling(MailboxId mailbox) {
    unenrolled.remove(mailbox);
  }

  void enrolled(MailboxId mailbox) {
    mark(mailbox, true);
    lastProbe.remove(mailbox.userObjectId()); // unenroll forgot the access decision: a new enrollment may probe
  }

  /** Called once {@code unenroll} returned. */
  void unenrolled(MailboxId mailbox) {
    unenrolled.add(mailbox);
    mark(mailbox, false);
  }

  boolean isEnrolled(MailboxId mailbox) {
    List<Mark> m = marks.get(mailbox.userObjectId());
    return m != null && m.get(m.size() - 1).enrolled();
  }

  private void mark(MailboxId mailbox, boolean enrolled) {
    marks.computeIfAbsent(mailbox.userObjectId(), u -> new ArrayList<>())
        .add(new Mark(log.all().size(), clock.instant(), enrolled));
  }

  // ------------------------------------------------------------------ the request log (test thread, between steps)

  /** Checks the Graph requests logged since the last scan. */
  void scan() {
    List<RecordedRequest> all = log.all();
    for (int i = scanned; i < all.size(); i++) {
      RecordedRequest r = all.get(i);
      if (!r.isGraph() || r.targetUserId() == null) {
        continue;
      }
      String user = r.targetUserId();
      String what = "Graph request #" + i + " " + r.operation() + " (" + r.mode() + ", " + r.status() + ") at " + r.at();
      if (!enrolledAt(user, i)) {
        violation(what + " for " + user + " while not enrolled (by log position)");
      } else if (insideUnenrolledTime(user, r.at())) {
        violation(what + " for " + user + " while not enrolled (by clock time)");
      }
      if (r.mode() == AuthMode.APPLICATION && r.status() == 200 && outsideScope(user, r.at())) {
        violation(what + ": app-only access to " + user + ", outside the policy scope for longer than "
            + propagation);
      }
      if (r.mode() == AuthMode.APPLICATION && r.status() == 403) {
        Instant last = lastProbe.put(user, r.at());
        if (last != null && Duration.between(last, r.at()).compareTo(ttl) < 0) {
          violation(what + ": a second 403 probe for " + user + " within the access-decision TTL (last at " + last + ")");
        }
      }
    }
    scanned = all.size();
  }

  /** Enrolled at this log position: the last mark at or before it says so. */
  private boolean enrolledAt(String user, int index) {
    boolean enrolled = false;
    for (Mark m : marks.getOrDefault(user, List.of())) {
      if (m.logIndex() <= index) {
        enrolled = m.enrolled();
      }
    }
    return enrolled;
  }

  /** Strictly inside a not-enrolled interval of clock time: before the first enroll, or between an unenroll and the next. */
  private boolean insideUnenrolledTime(String user, Instant at) {
    List<Mark> m = marks.getOrDefault(user, List.of());
    Instant notEnrolledSince = Instant.MIN;
    for (Mark mark : m) {
      if (mark.enrolled()) {
        if (notEnrolledSince != null && at.isAfter(notEnrolledSince) && at.isBefore(mark.at())) {
          return true;
        }
        notEnrolledSince = null;
      } else if (notEnrolledSince == null) {
        notEnrolledSince = mark.at();
      }
    }
    return notEnrolledSince != null && at.isAfter(notEnrolledSince);
  }

  /**
   * Outside the scope for certain: the policy exists and the user has been out of its group for
   * longer than the propagation delay (whether the emulator applies group moves at once or late).
   */
  private boolean outsideScope(String user, Instant at) {
    if (Duration.between(policySince, at).compareTo(propagation) <= 0) {
      return false;
    }
    Membership current = null;
    for (Membership m : memberships.getOrDefault(user, List.of())) {
      if (!m.at().isAfter(at)) {
        current = m;
      }
    }
    return current != null && !current.in() && Duration.between(current.at(), at).compareTo(propagation) > 0;
  }

  // ------------------------------------------------------------------ what the engine does (any thread)

  /**
   * A gateway or CRM call for the mailbox begins; returns whether this call owns its slot. The slot
   * is the mailbox's {@code lane} (a resource on the Graph side, a CRM table, the idle probe): a
   * round reads its resources at once, but each resource's calls one after another, so two calls in
   * one lane at once mean two rounds at once.
   */
  boolean enterCall(MailboxId mailbox, String lane, boolean graph) {
    return enterCall(mailbox, lane, graph, 1);
  }

  /** A call carrying {@code requests} Graph requests for the mailbox at once (a batch's steps). */
  boolean enterCall(MailboxId mailbox, String lane, boolean graph, int requests) {
    Thread me = Thread.currentThread();
    Thread other = inCall.putIfAbsent(mailbox + "|" + lane, me);
    if (other != null && other != me) {
      violation("a call for " + mailbox + " (" + lane + ") while " + other.getName() + " is in one: two rounds at once");
    }
    maybePause(mailbox, graph, requests);
    return other == null;
  }

  void leaveCall(MailboxId mailbox, String lane, boolean owner) {
    if (owner) {
      inCall.remove(mailbox + "|" + lane);
    }
  }

  /** A write for the mailbox to the CRM or the state store. */
  void write(MailboxId mailbox, String what) {
    if (unenrolled.contains(mailbox)) {
      violation(what + " for " + mailbox + " after unenroll returned");
    }
  }

  /** A round claimed its fence. */
  void roundStarted(MailboxId mailbox) {
    Thread other = inRound.putIfAbsent(mailbox, Thread.currentThread());
    if (other != null) {
      violation("a round of " + mailbox + " started while one on " + other.getName() + " had not finished");
    }
  }

  @Override
  public void mailboxSynced(MailboxSyncReport report) {
    inRound.remove(report.mailbox(), Thread.currentThread());
  }

  private void maybePause(MailboxId mailbox, boolean graph, int requests) {
    Pause p = pause;
    if (p == null || !p.mailbox.equals(mailbox) || p.calls.incrementAndGet() != p.at) {
      return;
    }
    p.heldGraphCall = graph;
    p.heldRequests = graph ? requests : 0;
    p.reached.countDown();
    try {
      if (!p.go.await(10, TimeUnit.SECONDS)) {
        violation("the paused round of " + mailbox + " was never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.m365sync.internal.sync;

import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.internal.Fork;
import io.m365sync.internal.sync.DeltaReader.Chain;
import io.m365sync.internal.sync.DeltaReader.Pages;
import io.m365sync.internal.sync.DeltaReader.Read;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.sync.SyncRound;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One sliced read of a calendar's window ({@link DeltaReader}): its lanes each take the next slice as
 * they free up and read it to its end; once no slice is left, a free lane sends again the request of
 * the page awaited longest, if it has been awaited more than {@link #LATE} × the median answer of the
 * read so far (and at least {@link #LATE_AT_LEAST_MS} ms). Whichever answer comes first is the page, and
 * its lane reads the slice on; the other answer is dropped, and the read does not wait for it. Graph's
 * latency has a long tail (a p99 of several times the median), and at the end of a read the slowest
 * answer of the last pages would hold the whole round while the other lanes idle. A page's request is
 * a GET of a delta request or link, which may be sent again; each page is sent at most twice, the
 * second time in a free lane's place, so within the mailbox's request slots (a dropped answer keeps
 * its slot until it comes, and the round ends only then). Thread-safe.
 */
final class SlicedRead<T extends SyncItem> {
  /** A page awaited this many times the read's median answer is late. */
  static final double LATE = 2.0;
  /** ...and at least this long: quicker answers are not Graph's long tail. */
  static final long LATE_AT_LEAST_MS = 100;
  /** A free lane reads the clock again at least this often while it waits for a late page. */
  private static final long RECHECK_MS = 20;

  private final SyncRound round;
  private final ResourceType<T> type;
  private final Slices slices;
  private final int lanes;
  /** The slices being read, each at its page awaited. */
  private final List<Reading<T>> reading = new ArrayList<>();
  private final List<Read<T>> read = new ArrayList<>();
  /** How long each answer took, in milliseconds. */
  private final List<Long> answers = new ArrayList<>();
  private final CompletableFuture<List<Read<T>>> done = new CompletableFuture<>();
  private boolean stopped;

  SlicedRead(SyncRound round, ResourceType<T> type, Slices slices, int lanes) {
    this.round = round;
    this.type = type;
    this.slices = slices;
    this.lanes = lanes;
  }

  /** One slice's chain as it is read: the page awaited, and whether its request was sent twice. */
  private static final class Reading<T extends SyncItem> {
    final Chain chain;
    final Pages<T> pages = new Pages<>();
    /** The page awaited; -1 once the slice ended. */
    int page;
    DeltaRequest request;
    long sentAt;
    /** Requests for the page awaited not answered yet: 1, or 2 once it was sent again. */
    int pending = 1;
    boolean sentTwice;

    Reading(Chain chain, DeltaRequest request, long sentAt) {
      this.chain = chain;
      this.request = request;
      this.sentAt = sentAt;
    }
  }

  /** A lane's turn on a slice: the page it asks for, and the request for it. */
  private record Turn<T extends SyncItem>(Reading<T> slice, int page, DeltaRequest request) {}

  /**
   * Every slice read to its end, in window order. One slice's failure fails the read: no further
   * slice or page is asked for, and the read does not wait for the answers still out.
   */
  List<Read<T>> read() {
    return Fork.until(round.executor(), lanes, this::lane, done);
  }

  private void lane() {
    try {
      for (Turn<T> slice = start(); slice != null; slice = start()) {
        follow(slice);
      }
      for (Turn<T> late = awaitLate(); late != null; late = awaitLate()) {
        follow(late);
      }
      finishIfRead();
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  /**
   * The next slice's first page, or null when the plan has none left. Taken and counted as being read
   * at once, so that no lane finds the read ended while another is about to start a slice.
   */
  private synchronized Turn<T> start() {
    Window slice = stopped ? null : slices.next();
    if (slice == null) {
      return null;
    }
    // one calendar: every slice reads the default one, and keeps no link
    Chain chain = new Chain(null, "", slice);
    Reading<T> r = new Reading<>(chain, chain.request(null, round.pageSize()), now());
    reading.add(r);
    return new Turn<>(r, 0, r.request);
  }

  /** Reads the turn's slice from its page on, until it ends or another lane's answer to a page comes first. */
  private void follow(Turn<T> turn) {
    Reading<T> r = turn.slice();
    int page = turn.page();
    DeltaRequest request = turn.request();
    while (request != null && !isStopped()) {
      long sent = now();
      DeltaPage<T> answer;
      try {
        answer = round.gateway().delta(round.session(), type, request);
      } catch (RuntimeException e) {
        if (otherMayAnswer(r, page)) {
          return;
        }
        throw e;
      }
      request = answered(r, page, answer, sent);
      page++;
    }
  }

  /** The next page's request, or null when the slice ended or another lane's answer to this page came first. */
  private DeltaRequest answered(Reading<T> r, int page, DeltaPage<T> answer, long sent) {
    Read<T> ended;
    synchronized (this) {
      long now = now();
      answers.add(now - sent);
      if (r.page != page) {
        return null; // the other answer came first
      }
      r.pages.add(answer, false);
      notifyAll();
      if (answer.more()) {
        r.page = page + 1;
        r.request = r.chain.request(answer.cursor(), round.pageSize());
        r.sentAt = now;
        r.pending = 1;
        r.sentTwice = false;
        return r.request;
      }
      r.page = -1; // a late answer to its last page finds no page awaited
      reading.remove(r);
      ended = r.pages.read(r.chain);
      read.add(ended);
    }
    slices.read(ended.chain().window(), ended.changes().size() + ended.skipped().size());
    return null;
  }

  /** After a request failed: whether the page's other request may still answer, or did: then the failure is not the read's. */
  private synchronized boolean otherMayAnswer(Reading<T> r, int page) {
    if (r.page != page) {
      return true; // answered already
    }
    r.pending--;
    return r.pending > 0;
  }

  /**
   * A late page to send again, once no slice is left to start: the one awaited longest, not sent twice
   * yet; waits until one is late, or null when every slice ended or the read stopped.
   */
  private synchronized Turn<T> awaitLate() {
    while (!stopped && !reading.isEmpty()) {
      long lateAfter = lateAfterMs();
      Reading<T> oldest = null;
      for (Reading<T> r : reading) {
        if (!r.sentTwice && (oldest == null || r.sentAt < oldest.sentAt)) {
          oldest = r;
        }
      }
      long waited = oldest == null ? 0 : now() - oldest.sentAt;
      if (oldest != null && lateAfter >= 0 && waited >= lateAfter) {
        oldest.sentTwice = true;
        oldest.pending++;
        return new Turn<>(oldest, oldest.page, oldest.request);
      }
      long wait = oldest == null || lateAfter < 0 ? RECHECK_MS : Math.min(RECHECK_MS, lateAfter - waited);
      try {
        wait(Math.max(1, wait));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the host is shutting its pool down: this lane stops helping
        return null;
      }
    }
    return null;
  }

  /** How long a page is awaited before it is late, in milliseconds; -1 before any answer came. */
  private long lateAfterMs() {
    if (answers.isEmpty()) {
      return -1;
    }
    List<Long> sorted = new ArrayList<>(answers);
    sorted.sort(Comparator.naturalOrder());
    return Math.max(LATE_AT_LEAST_MS, Math.round(LATE * sorted.get(sorted.size() / 2)));
  }

  /** Completes the read when every slice ended: called by a lane that found none left to start or to help. */
  private void finishIfRead() {
    List<Read<T>> all;
    synchronized (this) {
      if (stopped || !reading.isEmpty()) {
        return;
      }
      all = new ArrayList<>(read);
    }
    all.sort(Comparator.comparing((Read<T> r) -> r.chain().window().start()));
    done.complete(all);
  }

  private synchronized void stop() {
    stopped = true;
    slices.stop();
    notifyAll();
  }

  private synchronized boolean isStopped() {
    return stopped;
  }

  private long now() {
    return round.clock().millis();
  }
}

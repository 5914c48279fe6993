package io.m365sync.examples.bench;

import io.m365sync.testkit.model.RecordedRequest;
import io.m365sync.testkit.model.TenantModel;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How a run fared against Graph's per-mailbox limits, from the cloud's request log and the tenant's
 * limiter: 429s answered, mailboxes that got a 429 on two of their requests in a row (sustained
 * throttling: the client did not slow down after the first), and how many requests each mailbox had
 * in flight at most.
 *
 * @param peakInFlight mailboxes by the most requests they had in flight at once
 */
record Throttling(long graphRequests, long tokenRequests, long throttled, long mailboxesThrottledTwiceInARow,
                  int maxInFlight, Map<Integer, Long> peakInFlight) {
  /** How long {@link #reset} waits for earlier runs' requests: far beyond any answer the latencies here draw. */
  private static final Duration QUIET_WITHIN = Duration.ofSeconds(30);

  static Throttling of(TenantModel tenant) {
    List<RecordedRequest> log = tenant.cloud().log().all();
    Map<String, Boolean> lastWas429 = new HashMap<>();
    Set<String> twiceInARow = new HashSet<>();
    long graph = 0;
    long throttled = 0;
    for (RecordedRequest r : log) {
      if (!r.isGraph() || r.targetUserId() == null) {
        continue;
      }
      graph++;
      boolean is429 = r.status() == 429;
      throttled += is429 ? 1 : 0;
      if (is429 && Boolean.TRUE.equals(lastWas429.put(r.targetUserId(), true))) {
        twiceInARow.add(r.targetUserId());
      } else if (!is429) {
        lastWas429.put(r.targetUserId(), false);
      }
    }
    Map<Integer, Long> peaks = new TreeMap<>();
    tenant.peakRequestsInFlight().values().forEach(p -> peaks.merge(p, 1L, Long::sum));
    int max = peaks.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
    return new Throttling(graph, log.stream().filter(RecordedRequest::isToken).count(), throttled, twiceInARow.size(), max,
        peaks);
  }

  /**
   * Waits until no request of an earlier run is still in flight, then forgets what earlier runs left in
   * the log and the limiter. A run's engine may end with a read it no longer awaits still at Graph (the
   * late original of a read whose copy answered first): a long-lived engine holds the mailbox's request
   * slot until that answer comes, but each run here is a new engine, which cannot know of it, and its
   * fourth request to that mailbox was refused (429, the mailbox over its concurrency limit: one large
   * mailbox's run in twelve, its retry reading the window as one chain, 24 s instead of 6).
   */
  static void reset(TenantModel tenant) throws InterruptedException {
    long deadline = System.nanoTime() + QUIET_WITHIN.toNanos();
    while (!tenant.requestsInFlight().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    tenant.cloud().log().clear();
    tenant.resetPeakRequestsInFlight();
  }

}

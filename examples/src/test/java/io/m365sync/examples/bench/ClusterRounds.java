package io.m365sync.examples.bench;

import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.SyncListener;
import io.m365sync.state.SyncStateStore;
import io.m365sync.testkit.ForwardingSyncStateStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The witness of a cluster run: every mailbox round per node on this JVM's monotonic clock, from the
 * moment it claims the mailbox's fence (before it reads anything) to {@code mailboxSynced}. Two
 * rounds of one mailbox whose intervals intersect, on any nodes, are an overlap; the cluster
 * scheduler promises none. As the jdbc module's two-node tests count them.
 */
final class ClusterRounds {
  private record Interval(String node, long start, long end) {}

  private final Map<String, Long> running = new ConcurrentHashMap<>();
  private final Map<MailboxId, List<Interval>> done = new ConcurrentHashMap<>();

  /**
   * {@code store} as node {@code node} sees it: a round starts when it claims the fence. Every other
   * call, the batch writes included, is the store's own, so the cluster runs the store it measures.
   */
  SyncStateStore store(SyncStateStore store, String node) {
    return new ForwardingSyncStateStore(store, ForwardingSyncStateStore.Defaults.DELEGATE) {
      @Override
      public long claimFence(MailboxId mailbox) {
        long start = System.nanoTime(); // before the claim, so before the round reads anything
        long fence = delegate.claimFence(mailbox);
        running.put(node + " " + mailbox.key(), start);
        return fence;
      }
    };
  }

  /** Node {@code node}'s listener: a round ends at {@code mailboxSynced}. */
  SyncListener listener(String node) {
    return new SyncListener() {
      @Override
      public void mailboxSynced(MailboxSyncReport report) {
        long end = System.nanoTime();
        Long start = running.remove(node + " " + report.mailbox().key());
        if (start != null) {
          done.computeIfAbsent(report.mailbox(), m -> new CopyOnWriteArrayList<>()).add(new Interval(node, start, end));
        }
      }
    };
  }

  /** Rounds that started and have not ended. */
  int open() {
    return running.size();
  }

  /** Ended rounds per node. */
  Map<String, Integer> perNode() {
    Map<String, Integer> counts = new TreeMap<>();
    done.values().forEach(list -> list.forEach(r -> counts.merge(r.node(), 1, Integer::sum)));
    return counts;
  }

  /** Per node, the most rounds it had running at once. */
  Map<String, Integer> peakConcurrentPerNode() {
    Map<String, List<long[]>> edges = new TreeMap<>();
    done.values().forEach(list -> list.forEach(r -> {
      edges.computeIfAbsent(r.node(), n -> new ArrayList<>()).add(new long[] {r.start(), 1});
      edges.get(r.node()).add(new long[] {r.end(), -1});
    }));
    Map<String, Integer> peaks = new TreeMap<>();
    edges.forEach((node, list) -> {
      list.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1])); // an end before a start at a tie
      int now = 0;
      int peak = 0;
      for (long[] e : list) {
        now += (int) e[1];
        peak = Math.max(peak, now);
      }
      peaks.put(node, peak);
    });
    return peaks;
  }

  /** Each pair of rounds of one mailbox that ran at once, described. */
  List<String> overlaps() {
    List<String> overlaps = new ArrayList<>();
    done.forEach((mailbox, list) -> {
      List<Interval> sorted = list.stream().sorted(Comparator.comparingLong(Interval::start)).toList();
      Interval latest = null; // of the rounds so far, the one that ends last
      for (Interval r : sorted) {
        if (latest != null && r.start() < latest.end()) {
          overlaps.add(mailbox + ": " + latest + " and " + r);
        }
        latest = latest == null || r.end() > latest.end() ? r : latest;
      }
    });
    return overlaps;
  }
}

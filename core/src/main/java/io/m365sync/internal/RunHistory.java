package io.m365sync.internal;

import io.m365sync.state.RunRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One mailbox's newest runs in a ring that grows only up to the number kept, and how many runs there
 * were in all. Sized by what it holds: a mailbox that ran once costs one slot, not the full ring. Not
 * thread-safe.
 */
final class RunHistory {
  private RunRecord[] ring = new RunRecord[1];
  /** Where the next record goes. */
  private int next;
  private long count;

  void add(RunRecord run, int kept) {
    if (count < kept && count == ring.length) {
      int full = ring.length; // filled in order from slot 0, so the next record goes after it
      ring = Arrays.copyOf(ring, (int) Math.min(kept, 2L * full));
      next = full;
    }
    ring[next] = run;
    next = (next + 1) % ring.length;
    count++;
  }

  /** The newest first, at most {@code limit}. */
  List<RunRecord> newest(int limit) {
    int n = (int) Math.min(Math.min(limit, count), ring.length);
    List<RunRecord> result = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      result.add(ring[Math.floorMod(next - i, ring.length)]);
    }
    return result;
  }

  long count() {
    return count;
  }
}

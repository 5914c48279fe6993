package io.m365sync.jdbc;

import io.m365sync.CycleReport;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.NotEnrolledException;
import io.m365sync.schedule.SyncTarget;
import io.m365sync.state.MailboxState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link SyncTarget} per node over one shared {@link World} (enrollments, run counts, run log), as
 * engines on several nodes over one database would be. Records runs and catches overlapping ones.
 */
final class RecordingSyncTarget implements SyncTarget {

  /** What all nodes share. */
  static final class World {
    final Set<MailboxId> enrolled = ConcurrentHashMap.newKeySet();
    final Map<MailboxId, AtomicInteger> runs = new ConcurrentHashMap<>();
    final Map<MailboxId, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    final List<String> overlaps = new CopyOnWriteArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    final AtomicInteger upkeeps = new AtomicInteger();
    /** What {@link #pendingChanges} answers per mailbox; none: no changes wait. */
    final Map<MailboxId, Duration> pending = new ConcurrentHashMap<>();
    /** A mailbox's runs wait here until it is counted down. */
    final Map<MailboxId, CountDownLatch> holds = new ConcurrentHashMap<>();

    int runs(MailboxId mailbox) {
      AtomicInteger n = runs.get(mailbox);
      return n == null ? 0 : n.get();
    }
  }

  private final World world;
  private final String node;
  private final Duration work;

  RecordingSyncTarget(World world, String node, Duration work) {
    this.world = world;
    this.node = node;
    this.work = work;
  }

  @Override
  public CycleReport runCycle() {
    throw new UnsupportedOperationException("a cluster scheduler syncs mailbox by mailbox");
  }

  @Override
  public void upkeep() {
    world.upkeeps.incrementAndGet();
    world.log.add(node + " upkeep");
  }

  @Override
  public Optional<Duration> pendingChanges(MailboxId mailbox) {
    return Optional.ofNullable(world.pending.get(mailbox));
  }

  @Override
  public MailboxSyncReport syncIfDue(MailboxId mailbox) {
    if (!world.enrolled.contains(mailbox)) {
      throw new NotEnrolledException(mailbox);
    }
    AtomicInteger flying = world.inFlight.computeIfAbsent(mailbox, k -> new AtomicInteger());
    if (flying.incrementAndGet() > 1) {
      world.overlaps.add(mailbox + " on " + node);
    }
    try {
      world.log.add(node + " " + mailbox);
      CountDownLatch hold = world.holds.get(mailbox);
      if (hold != null && !hold.await(20, TimeUnit.SECONDS)) {
        throw new IllegalStateException("held too long: " + mailbox);
      }
      if (!work.isZero()) {
        Thread.sleep(work.toMillis());
      }
      world.runs.computeIfAbsent(mailbox, k -> new AtomicInteger()).incrementAndGet();
      return new MailboxSyncReport(mailbox, MailboxState.pending(mailbox, Instant.EPOCH), List.of(), true, work);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      flying.decrementAndGet();
    }
  }
}

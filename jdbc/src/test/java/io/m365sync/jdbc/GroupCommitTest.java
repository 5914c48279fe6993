package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Commits reach the file in groups: nobody returns before the file holds their commit, and the
 * commits made while the file was being written share the next write.
 */
class GroupCommitTest {
  private final ExecutorService threads = Executors.newCachedThreadPool();
  /** What the "database" holds in memory: the last commit made. */
  private final AtomicLong inMemory = new AtomicLong();
  /** What the "file" holds: the last commit in memory when a write started. */
  private final AtomicLong inFile = new AtomicLong();
  private final AtomicInteger writes = new AtomicInteger();

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  @Test
  void commitsMadeDuringAWriteShareTheNextOne() throws Exception {
    CountDownLatch firstWriteStarted = new CountDownLatch(1);
    CountDownLatch finishFirstWrite = new CountDownLatch(1);
    GroupCommit group = new GroupCommit(() -> {
      long upTo = inMemory.get();
      if (writes.incrementAndGet() == 1) {
        firstWriteStarted.countDown();
        await(finishFirstWrite);
      }
      inFile.set(upTo);
    });

    CompletableFuture<Long> first = commitAsync(group);
    assertThat(firstWriteStarted.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Long>> during = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      during.add(commitAsync(group));
    }
    while (inMemory.get() < 6) { // all five committed, now waiting for the file
      Thread.onSpinWait();
    }
    assertThat(during).noneMatch(CompletableFuture::isDone);
    finishFirstWrite.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isLessThanOrEqualTo(inFile.get());
    for (CompletableFuture<Long> commit : during) {
      assertThat(commit.get(10, TimeUnit.SECONDS)).as("the file holds the commit when its call returns")
          .isLessThanOrEqualTo(inFile.get());
    }
    assertThat(writes).as("one write for the first commit, one for the five made during it").hasValue(2);
  }

  @Test
  void noCallerReturnsBeforeTheFileHoldsItsCommit() throws Exception {
    GroupCommit group = new GroupCommit(() -> {
      long upTo = inMemory.get();
      writes.incrementAndGet();
      Thread.yield();
      inFile.set(upTo);
    });
    List<CompletableFuture<Boolean>> callers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      callers.add(CompletableFuture.supplyAsync(() -> {
        for (int i = 0; i < 2_000; i++) {
          long mine = commit(group);
          if (inFile.get() < mine) {
            return false;
          }
        }
        return true;
      }, threads));
    }
    for (CompletableFuture<Boolean> caller : callers) {
      assertThat(caller.get(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(inFile).hasValue(16_000);
    assertThat(writes.get()).isLessThanOrEqualTo(16_000);
  }

  @Test
  void aFailedWriteFailsItsCaller() {
    GroupCommit group = new GroupCommit(() -> {
      throw new IllegalStateException("disk full");
    });
    inMemory.incrementAndGet();
    assertThatThrownBy(group::awaitWritten).hasMessage("disk full");
  }

  /** A commit: changes in memory first (under a writer's lock in the store), then its ticket. */
  private long commit(GroupCommit group) {
    long ticket;
    long mine;
    synchronized (inMemory) {
      mine = inMemory.incrementAndGet();
      ticket = group.committed();
    }
    group.awaitWritten(ticket);
    return mine;
  }

  private CompletableFuture<Long> commitAsync(GroupCommit group) {
    return CompletableFuture.supplyAsync(() -> commit(group), threads);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.m365sync.jdbc;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes commits durable in groups: each caller returns only once its commit is in the file, and one
 * write of the file covers every commit made before it started. On the embedded H2 file a write of
 * the file (a chunk: every page the commits changed, up to each B-tree's root) cost about as much as
 * the transaction that asked for it, and ran under the store's one writer; with dozens of rounds
 * waiting for that writer, one chunk now serves all the commits made while the last one was written,
 * and the next transaction runs meanwhile.
 */
final class GroupCommit {
  /** Writes everything committed so far to the file; returns when it is there. */
  @FunctionalInterface
  interface FileWrite {
    void run();
  }

  private final FileWrite write;
  private final AtomicLong committed = new AtomicLong();
  private final ReentrantLock writing = new ReentrantLock();
  /** The last commit the file holds; guarded by {@link #writing}. */
  private long written;

  GroupCommit(FileWrite write) {
    this.write = write;
  }

  /**
   * Counts a commit that just ended (its changes are in memory), so that the next write covers it.
   *
   * @return its ticket for {@link #awaitWritten(long)}
   */
  long committed() {
    return committed.incrementAndGet();
  }

  /** For a commit that just ended: returns once it is in the file. */
  void awaitWritten() {
    awaitWritten(committed());
  }

  /** Returns once the file holds the commit of {@code ticket}, writing the file if no one else has. */
  void awaitWritten(long ticket) {
    writing.lock();
    try {
      if (written >= ticket) {
        return; // a write that started after this commit covered it
      }
      long upTo = committed.get(); // these commits are all in memory before the write starts
      write.run();
      written = upTo;
    } finally {
      writing.unlock();
    }
  }
}

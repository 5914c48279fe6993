package io.m365sync.sync;

import io.m365sync.Checks;

/**
 * What a round wrote before it failed, so that its FAILED {@link ResourceResult} still counts the records
 * it created, updated and deleted (a large first sync throttled after thousands of creates made them, and
 * the next round finds them linked). A syncer that throws after writing sets it first
 * ({@link SyncRound#written()}); the engine reads it for the failed result. Thread-safe.
 */
public final class WrittenSoFar {
  private int created;
  private int updated;
  private int deleted;
  private ResourceResult.Pushed pushed = ResourceResult.Pushed.NONE;

  /** Sets what the round wrote to the CRM and to Microsoft 365 so far. */
  public synchronized void set(int created, int updated, int deleted, ResourceResult.Pushed pushed) {
    this.created = Checks.requireAtLeast(created, 0, "created");
    this.updated = Checks.requireAtLeast(updated, 0, "updated");
    this.deleted = Checks.requireAtLeast(deleted, 0, "deleted");
    this.pushed = Checks.requireNonNull(pushed, "pushed");
  }

  public synchronized int created() {
    return created;
  }

  public synchronized int updated() {
    return updated;
  }

  public synchronized int deleted() {
    return deleted;
  }

  public synchronized ResourceResult.Pushed pushed() {
    return pushed;
  }

  @Override
  public synchronized String toString() {
    return "WrittenSoFar[created=" + created + ", updated=" + updated + ", deleted=" + deleted + ", pushed=" + pushed
        + "]";
  }
}

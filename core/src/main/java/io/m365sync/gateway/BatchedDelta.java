package io.m365sync.gateway;

import io.m365sync.Checks;
import io.m365sync.model.SyncItem;

/**
 * What {@link MailboxGateway#deltaBatch} read for one {@link DeltaProbe}: exactly one of {@code page}
 * and {@code failure} is set. A failed probe is never an empty page.
 *
 * @param probe the probe answered
 * @param page the page read; null when the probe failed
 * @param failure how the probe failed (as {@link MailboxGateway#delta} would have thrown it); null when it was read
 */
public record BatchedDelta<T extends SyncItem>(DeltaProbe<T> probe, DeltaPage<T> page, GatewayException failure) {
  public BatchedDelta {
    Checks.requireNonNull(probe, "probe");
    if ((page == null) == (failure == null)) {
      throw new IllegalArgumentException("exactly one of 'page' and 'failure' must be set for " + probe.type());
    }
  }

  public static <T extends SyncItem> BatchedDelta<T> read(DeltaProbe<T> probe, DeltaPage<T> page) {
    return new BatchedDelta<>(probe, page, null);
  }

  public static <T extends SyncItem> BatchedDelta<T> failed(DeltaProbe<T> probe, GatewayException failure) {
    return new BatchedDelta<>(probe, null, failure);
  }

  /** Graph's status for a batch step whose dependency failed: it was not run. */
  public static final int FAILED_DEPENDENCY = 424;

  /**
   * A probe that was not sent because an earlier probe of its mailbox under the same token failed
   * (see {@link MailboxGateway#deltaBatch}): a 424 {@code FailedDependency}.
   */
  public static <T extends SyncItem> BatchedDelta<T> dependencyFailed(DeltaProbe<T> probe) {
    return failed(probe, GatewayErrors.toException(probe.session().mailbox().id(), probe.type().resource(),
        FAILED_DEPENDENCY, "FailedDependency", "not sent: an earlier read of the mailbox in the batch failed",
        null, null, null));
  }

  /** Whether the probe was not sent, an earlier one of its mailbox and token having failed. */
  public boolean notSent() {
    return failure != null && failure.status() == FAILED_DEPENDENCY;
  }

  /** Whether the page was read. */
  public boolean ok() {
    return failure == null;
  }
}

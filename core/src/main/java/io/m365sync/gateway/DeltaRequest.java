package io.m365sync.gateway;

import io.m365sync.Checks;
import java.time.Instant;

/**
 * What to read next.
 *
 * @param container folder or list id; null for the default one
 * @param cursor a stored next/delta link; null to start a full round
 * @param windowStart calendar view start for a first events round; else ignored
 * @param windowEnd calendar view end for a first events round; else ignored
 * @param pageSize the page size to ask for ({@code Prefer: odata.maxpagesize})
 * @param fromNow with no cursor: read no items, only a delta link marking the present
 *     ({@code $deltatoken=latest}), from which later rounds read what changes after it; ignored with a
 *     cursor
 */
public record DeltaRequest(String container, String cursor, Instant windowStart, Instant windowEnd, int pageSize,
                           boolean fromNow) {
  public DeltaRequest {
    Checks.requireAtLeast(pageSize, 1, "pageSize");
    if (windowStart != null && windowEnd != null && !windowEnd.isAfter(windowStart)) {
      throw new IllegalArgumentException("'windowEnd' must be after 'windowStart' but was " + windowEnd + " <= " + windowStart);
    }
  }

  /** A request that reads what exists when it has no cursor. */
  public DeltaRequest(String container, String cursor, Instant windowStart, Instant windowEnd, int pageSize) {
    this(container, cursor, windowStart, windowEnd, pageSize, false);
  }

  /** Whether this request starts a round from now: no cursor, and {@link #fromNow} asked. */
  public boolean startsFromNow() {
    return cursor == null && fromNow;
  }
}

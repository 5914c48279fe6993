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
 */
public record DeltaRequest(String container, String cursor, Instant windowStart, Instant windowEnd, int pageSize) {
  public DeltaRequest {
    Checks.requireAtLeast(pageSize, 1, "pageSize");
    if (windowStart != null && windowEnd != null && !windowEnd.isAfter(windowStart)) {
      throw new IllegalArgumentException("'windowEnd' must be after 'windowStart' but was " + windowEnd + " <= " + windowStart);
    }
  }
}

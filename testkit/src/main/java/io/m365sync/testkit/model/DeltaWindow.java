package io.m365sync.testkit.model;

import java.time.Instant;

/** A calendar view window, fixed for the life of a delta token. */
public record DeltaWindow(Instant start, Instant end) {
  public DeltaWindow {
    if (start == null || end == null || !end.isAfter(start)) {
      throw new GraphError(400, "ErrorInvalidParameter",
          "startDateTime and endDateTime are required and endDateTime must be after startDateTime");
    }
  }
}

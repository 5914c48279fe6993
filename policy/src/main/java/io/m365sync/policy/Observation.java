package io.m365sync.policy;

import io.m365sync.Checks;
import io.m365sync.access.AccessDecision;
import java.time.Instant;

/**
 * What Graph actually answered for a mailbox under app-only access (a 403 {@code ErrorAccessDenied}
 * or a success), and when.
 */
public record Observation(AccessDecision decision, Instant at) {
  public Observation {
    Checks.requireNonNull(decision, "decision");
    Checks.requireNonNull(at, "at");
  }
}

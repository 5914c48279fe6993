package io.m365sync.policy;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import java.time.Instant;

/**
 * Declared policy and Graph disagree about a mailbox outside any propagation window.
 *
 * @param declaredGranted what the declared policy in effect predicts
 * @param observed what Graph answered
 * @param detectedAt when the disagreement was first seen
 * @param explanation the declared policy's deciding rule and what was observed
 */
public record PolicyDrift(MailboxId mailbox, boolean declaredGranted, Observation observed, Instant detectedAt, String explanation) {
  public PolicyDrift {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(observed, "observed");
    Checks.requireNonNull(detectedAt, "detectedAt");
    Checks.requireText(explanation, "explanation");
  }
}

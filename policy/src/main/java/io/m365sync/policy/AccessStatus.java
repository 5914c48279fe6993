package io.m365sync.policy;

import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.access.AccessDecision;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The layered view of one mailbox's app-only access, as {@link DeclaredAccessPolicyCheck} last
 * computed it.
 *
 * @param decision what the check answers the engine
 * @param state in effect, pending, drift or configuration error
 * @param declaredGranted what the declared policy predicts once everything has propagated
 * @param effectiveGranted what the declared policy currently in effect predicts
 * @param explanation the deciding rule(s)
 * @param pendingUntil when the pending change takes effect; null unless {@link AccessState#PENDING}
 * @param observed Graph's last answer still relevant; null if none
 * @param drift the disagreement; null unless {@link AccessState#DRIFT}
 * @param notes further facts, e.g. that To Do is not covered by access policies
 * @param computedAt when this status was computed
 */
public record AccessStatus(MailboxId mailbox, AccessDecision decision, AccessState state, boolean declaredGranted,
                           boolean effectiveGranted, String explanation, Instant pendingUntil, Observation observed,
                           PolicyDrift drift, List<String> notes, Instant computedAt) {
  public AccessStatus {
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(decision, "decision");
    Checks.requireNonNull(state, "state");
    Checks.requireText(explanation, "explanation");
    notes = List.copyOf(notes);
    Checks.requireNonNull(computedAt, "computedAt");
  }

  public Optional<Instant> pendingUntilTime() {
    return Optional.ofNullable(pendingUntil);
  }

  public Optional<Observation> observation() {
    return Optional.ofNullable(observed);
  }

  public Optional<PolicyDrift> driftFinding() {
    return Optional.ofNullable(drift);
  }
}

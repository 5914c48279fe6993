package io.m365sync.policy;

import io.m365sync.Checks;
import java.util.List;
import java.util.Optional;

/**
 * One readiness check's outcome.
 *
 * @param summary one sentence
 * @param details one line per finding (permission, mailbox, credential …)
 * @param fix what to do; null when nothing needs doing
 */
public record CheckResult(CheckId id, CheckStatus status, String summary, List<String> details, Fix fix) {
  public CheckResult {
    Checks.requireNonNull(id, "id");
    Checks.requireNonNull(status, "status");
    Checks.requireText(summary, "summary");
    details = List.copyOf(details);
    if (status.problem() && fix == null) {
      throw new IllegalArgumentException("Check " + id + " is " + status + " but has no fix");
    }
  }

  static CheckResult pass(CheckId id, String summary, List<String> details) {
    return new CheckResult(id, CheckStatus.PASS, summary, details, null);
  }

  static CheckResult skipped(CheckId id, String why) {
    return new CheckResult(id, CheckStatus.SKIPPED, why, List.of(), null);
  }

  public Optional<Fix> fixSteps() {
    return Optional.ofNullable(fix);
  }
}

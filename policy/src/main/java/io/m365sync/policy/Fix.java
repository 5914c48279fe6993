package io.m365sync.policy;

import java.util.List;

/**
 * How to fix a failed check: portal steps and PowerShell lines, filled in with this tenant's app id,
 * group and permission names.
 */
public record Fix(List<String> portalSteps, List<String> powerShell) {
  public Fix {
    portalSteps = List.copyOf(portalSteps);
    powerShell = List.copyOf(powerShell);
    if (portalSteps.isEmpty() && powerShell.isEmpty()) {
      throw new IllegalArgumentException("A fix needs at least one portal step or PowerShell line");
    }
  }

  /** Everything as one string, for searching. */
  public String text() {
    return String.join("\n", portalSteps) + "\n" + String.join("\n", powerShell);
  }
}

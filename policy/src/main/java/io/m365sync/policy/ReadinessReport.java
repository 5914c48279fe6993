package io.m365sync.policy;

import io.m365sync.Checks;
import io.m365sync.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The doctor's verdict on one tenant: every check in order, with text and Markdown renderings for
 * an admin. Immutable.
 */
public record ReadinessReport(TenantId tenant, AppId app, Instant checkedAt, List<CheckResult> checks) {
  public ReadinessReport {
    Checks.requireNonNull(tenant, "tenant");
    Checks.requireNonNull(app, "app");
    Checks.requireNonNull(checkedAt, "checkedAt");
    checks = List.copyOf(checks);
  }

  /** The result of {@code id}. */
  public CheckResult check(CheckId id) {
    return find(id).orElseThrow(() -> new IllegalArgumentException("No result for check " + id));
  }

  public Optional<CheckResult> find(CheckId id) {
    return checks.stream().filter(c -> c.id() == id).findFirst();
  }

  /** Checks that failed or warn. */
  public List<CheckResult> problems() {
    return checks.stream().filter(c -> c.status().problem()).toList();
  }

  /** No check failed (warnings allowed). */
  public boolean ready() {
    return checks.stream().noneMatch(c -> c.status() == CheckStatus.FAIL);
  }

  /** Plain text, for logs and consoles. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append("m365sync readiness for tenant ").append(tenant).append(", app ").append(app).append(" (checked ")
        .append(checkedAt).append("): ").append(headline()).append('\n');
    for (CheckResult c : checks) {
      out.append('[').append(c.status()).append("] ").append(c.id().title()).append(": ").append(c.summary()).append('\n');
      c.details().forEach(d -> out.append("    - ").append(d).append('\n'));
      c.fixSteps().ifPresent(fix -> {
        if (!fix.portalSteps().isEmpty()) {
          out.append("    Fix in the portal:\n");
          for (int i = 0; i < fix.portalSteps().size(); i++) {
            out.append("      ").append(i + 1).append(". ").append(fix.portalSteps().get(i)).append('\n');
          }
        }
        if (!fix.powerShell().isEmpty()) {
          out.append("    Fix with PowerShell:\n");
          fix.powerShell().forEach(line -> out.append("      ").append(line).append('\n'));
        }
      });
    }
    return out.toString();
  }

  /** Markdown, for admin pages and tickets. */
  public String toMarkdown() {
    StringBuilder out = new StringBuilder();
    out.append("# m365sync readiness: tenant `").append(tenant).append("`\n\n");
    out.append("App `").append(app).append("`, checked ").append(checkedAt).append(". **").append(headline()).append("**\n\n");
    out.append("| Check | Status | Summary |\n|---|---|---|\n");
    for (CheckResult c : checks) {
      out.append("| ").append(c.id().title()).append(" | ").append(c.status()).append(" | ").append(cell(c.summary())).append(" |\n");
    }
    for (CheckResult c : problems()) {
      out.append("\n## ").append(c.status()).append(": ").append(c.id().title()).append("\n\n").append(c.summary()).append("\n\n");
      c.details().forEach(d -> out.append("- ").append(d).append('\n'));
      Fix fix = c.fix();
      if (!fix.portalSteps().isEmpty()) {
        out.append("\n**Portal**\n\n");
        for (int i = 0; i < fix.portalSteps().size(); i++) {
          out.append(i + 1).append(". ").append(fix.portalSteps().get(i)).append('\n');
        }
      }
      if (!fix.powerShell().isEmpty()) {
        out.append("\n**PowerShell**\n\n```powershell\n");
        fix.powerShell().forEach(line -> out.append(line).append('\n'));
        out.append("```\n");
      }
    }
    return out.toString();
  }

  private String headline() {
    long fails = checks.stream().filter(c -> c.status() == CheckStatus.FAIL).count();
    long warns = checks.stream().filter(c -> c.status() == CheckStatus.WARN).count();
    if (fails == 0 && warns == 0) {
      return "ready, no problems";
    }
    return (fails == 0 ? "ready" : "not ready") + ", " + fails + " failed, " + warns + " warning(s)";
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}

package io.m365sync.policy;

import io.m365sync.AuthMode;
import io.m365sync.Checks;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.access.PermissionReport;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The policy module's richer permission report: everything core's {@link PermissionReport} holds,
 * plus typed findings and the least permission set. {@link #toPermissionReport()} folds it into the
 * core type (over-broad and unneeded grants into {@code overBroad}, the rest into {@code notes}).
 *
 * @param app the application verified
 * @param mode the mode verified
 * @param resources the enabled resources
 * @param required the permission each enabled resource needs in {@code mode}
 * @param granted the permissions that work now: token claims confirmed by the directory
 * @param leastSet what the app registration should hold, no more
 * @param findings what is wrong or worth knowing
 */
public record PermissionInspection(TenantId tenant, AppId app, AuthMode mode, Set<Resource> resources, Map<Resource, String> required,
                                   Set<String> granted, PermissionSet leastSet, List<PermissionFinding> findings) {
  public PermissionInspection {
    Checks.requireNonNull(tenant, "tenant");
    Checks.requireNonNull(app, "app");
    Checks.requireNonNull(mode, "mode");
    resources = resources.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(resources));
    required = required.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(required));
    granted = Set.copyOf(granted);
    Checks.requireNonNull(leastSet, "leastSet");
    findings = List.copyOf(findings);
  }

  /** Findings of {@code kind}. */
  public List<PermissionFinding> findings(PermissionFinding.Kind kind) {
    return findings.stream().filter(f -> f.kind() == kind).toList();
  }

  /** Permission names of findings of {@code kind}, in order. */
  public Set<String> permissions(PermissionFinding.Kind kind) {
    return findings(kind).stream().flatMap(f -> f.permissionName().stream()).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** Whether application mode (or delegated, per {@link #mode()}) can work for every enabled resource. */
  public boolean complete() {
    return toPermissionReport().complete() && findings.stream().noneMatch(PermissionFinding::blocking);
  }

  /** Core's report: {@code overBroad} gets over-broad and unneeded grants, {@code notes} every other finding. */
  public PermissionReport toPermissionReport() {
    Set<String> overBroad = new LinkedHashSet<>(permissions(PermissionFinding.Kind.OVER_BROAD));
    overBroad.addAll(permissions(PermissionFinding.Kind.UNNEEDED));
    List<String> notes = findings.stream()
        .filter(f -> f.kind() != PermissionFinding.Kind.OVER_BROAD && f.kind() != PermissionFinding.Kind.UNNEEDED)
        .map(f -> f.kind() + ": " + f.message()).toList();
    return new PermissionReport(tenant, mode, required, granted, overBroad, notes);
  }
}

package io.m365sync.access;

import io.m365sync.AuthMode;
import io.m365sync.Checks;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which permissions the enabled resources need in one mode, which are granted, and what is wrong.
 *
 * @param required the permission each enabled resource needs
 * @param granted the permissions found (token claims and/or directory)
 * @param overBroad grants that defeat scoping, e.g. tenant-wide grants next to an RBAC scope
 * @param notes further findings for the admin
 */
public record PermissionReport(TenantId tenant, AuthMode mode, Map<Resource, String> required, Set<String> granted,
                               Set<String> overBroad, List<String> notes) {
  public PermissionReport {
    Checks.requireNonNull(tenant, "tenant");
    Checks.requireNonNull(mode, "mode");
    required = required.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(required));
    granted = Set.copyOf(granted);
    overBroad = Set.copyOf(overBroad);
    notes = List.copyOf(notes);
  }

  /** Builds a report for {@code resources} in {@code mode} from the granted permission names. */
  public static PermissionReport of(TenantId tenant, AuthMode mode, Set<Resource> resources, Set<String> granted) {
    Map<Resource, String> required = new EnumMap<>(Resource.class);
    resources.forEach(r -> required.put(r, r.permission(mode)));
    return new PermissionReport(tenant, mode, required, granted, Set.of(), List.of());
  }

  /** Whether {@code resource} may be synced in this mode. A {@code .ReadWrite.All} grant covers {@code .ReadWrite}. */
  public boolean grants(Resource resource) {
    String needed = required.get(resource);
    return needed != null && (granted.contains(needed) || granted.contains(needed + ".All"));
  }

  /** Permission names that are required but not granted, sorted. */
  public Set<String> missing() {
    Set<String> missing = new TreeSet<>();
    required.forEach((resource, permission) -> {
      if (!grants(resource)) {
        missing.add(permission);
      }
    });
    return missing;
  }

  /** The resources this report lets sync. */
  public Set<Resource> grantedResources() {
    Set<Resource> ok = EnumSet.noneOf(Resource.class);
    required.keySet().stream().filter(this::grants).forEach(ok::add);
    return ok;
  }

  public boolean complete() {
    return missing().isEmpty();
  }
}

package io.m365sync.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Tracks one tenant's declared items (policies, scopes, role assignments) over time to tell which
 * are in effect: an item is enforced {@code window} after its creation, and a removed item keeps
 * being enforced until {@code window} after the check first saw it gone. Thread-safe.
 */
final class PolicyPropagation {
  /** What is enforced now, when that last changed, and when it will next change. */
  record Snapshot(AccessPolicySet effective, Instant lastEffectiveChange, Optional<Instant> nextChange) {}

  private record Tracked(Object item, Instant createdAt, Instant removedAt) {}

  private final Duration window;
  private final Map<Object, Tracked> items = new LinkedHashMap<>();
  private Instant lastRetired = Instant.MIN;

  PolicyPropagation(Duration window) {
    this.window = window;
  }

  synchronized Snapshot update(AccessPolicySet declared, Instant now) {
    Set<Object> present = new HashSet<>();
    present.addAll(declared.applicationAccessPolicies());
    present.addAll(declared.managementScopes());
    present.addAll(declared.roleAssignments());
    for (Object item : present) {
      items.compute(item, (k, t) -> t == null || t.removedAt() != null ? new Tracked(k, createdAt(k), null) : t);
    }
    Instant lastChange = lastRetired;
    Instant next = null;
    for (Iterator<Tracked> it = items.values().iterator(); it.hasNext(); ) {
      Tracked t = it.next();
      if (t.removedAt() == null && !present.contains(t.item())) {
        t = new Tracked(t.item(), t.createdAt(), now);
        items.put(t.item(), t);
      }
      if (t.removedAt() != null && !now.isBefore(t.removedAt().plus(window))) {
        lastRetired = max(lastRetired, t.removedAt().plus(window));
        lastChange = max(lastChange, lastRetired);
        it.remove();
        continue;
      }
      Instant effectiveAt = t.createdAt().plus(window);
      if (now.isBefore(effectiveAt)) {
        next = min(next, effectiveAt);
      } else {
        lastChange = max(lastChange, effectiveAt);
      }
      if (t.removedAt() != null) {
        next = min(next, t.removedAt().plus(window));
      }
    }
    return new Snapshot(effectiveSet(now), lastChange, Optional.ofNullable(next));
  }

  private AccessPolicySet effectiveSet(Instant now) {
    List<ApplicationAccessPolicy> policies = new ArrayList<>();
    Map<String, ManagementScope> scopes = new LinkedHashMap<>();
    List<ManagementRoleAssignment> assignments = new ArrayList<>();
    for (Tracked t : items.values()) {
      if (now.isBefore(t.createdAt().plus(window))) {
        continue;
      }
      if (t.item() instanceof ApplicationAccessPolicy p) {
        policies.add(p);
      } else if (t.item() instanceof ManagementScope s) {
        // a changed filter shows up as a new scope of the same name: the newest enforced one wins
        scopes.merge(s.name().toLowerCase(java.util.Locale.ROOT), s,
            (a, b) -> a.createdAt().isAfter(b.createdAt()) ? a : b);
      } else if (t.item() instanceof ManagementRoleAssignment a) {
        assignments.add(a);
      }
    }
    // an assignment cannot take effect before its scope does
    List<ManagementRoleAssignment> usable = assignments.stream()
        .filter(a -> a.organizationWide() || scopes.containsKey(a.customResourceScope().toLowerCase(java.util.Locale.ROOT)))
        .sorted(Comparator.comparing(ManagementRoleAssignment::createdAt)).toList();
    return new AccessPolicySet(policies, List.copyOf(scopes.values()), usable);
  }

  private static Instant createdAt(Object item) {
    if (item instanceof ApplicationAccessPolicy p) {
      return p.createdAt();
    }
    if (item instanceof ManagementScope s) {
      return s.createdAt();
    }
    return ((ManagementRoleAssignment) item).createdAt();
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }
}

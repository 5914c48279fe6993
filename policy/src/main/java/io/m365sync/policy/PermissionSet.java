package io.m365sync.policy;

import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The least set of Microsoft Graph permissions an app registration needs.
 *
 * @param delegated scopes the add-in sign-in needs (they must stay even in application mode)
 * @param application app roles background sync needs in application mode
 */
public record PermissionSet(SortedSet<String> delegated, SortedSet<String> application) {
  public PermissionSet {
    delegated = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(delegated));
    application = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(application));
  }

  public static PermissionSet of(Set<String> delegated, Set<String> application) {
    return new PermissionSet(new TreeSet<>(delegated), new TreeSet<>(application));
  }
}

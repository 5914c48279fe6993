package io.m365sync.policy;

import io.m365sync.Checks;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An Exchange Online application access policy ({@code New-ApplicationAccessPolicy}).
 *
 * @param appIds the apps it applies to; empty when {@code allApps}
 * @param allApps {@code -AppId *}: every application
 * @param scopeGroup {@code -PolicyScopeGroupId}: object id or mail of a mail-enabled security group
 *     (nested groups count) or of a single mailbox
 * @param accessRight restrict to, or deny, the scope group
 * @param description free text; may be empty
 * @param createdAt when the admin created it; Exchange enforces it only after a propagation delay
 */
public record ApplicationAccessPolicy(Set<AppId> appIds, boolean allApps, String scopeGroup, AccessRight accessRight,
                                      String description, Instant createdAt) {
  public ApplicationAccessPolicy {
    appIds = Set.copyOf(Checks.requireNonNull(appIds, "appIds"));
    if (allApps == !appIds.isEmpty()) {
      throw new IllegalArgumentException("An application access policy names either '*' or app ids, but was allApps="
          + allApps + ", appIds=" + appIds);
    }
    Checks.requireText(scopeGroup, "scopeGroup");
    Checks.requireNonNull(accessRight, "accessRight");
    description = description == null ? "" : description;
    Checks.requireNonNull(createdAt, "createdAt");
  }

  /**
   * A policy as {@code New-ApplicationAccessPolicy} takes it: {@code appIds} is {@code *} or
   * comma-separated GUIDs.
   *
   * @throws MalformedAppIdException if an app id is not a GUID
   */
  public static ApplicationAccessPolicy of(String appIds, AccessRight accessRight, String scopeGroup, String description,
                                           Instant createdAt) {
    Checks.requireText(appIds, "appIds");
    if (appIds.strip().equals("*")) {
      return new ApplicationAccessPolicy(Set.of(), true, scopeGroup, accessRight, description, createdAt);
    }
    Set<AppId> ids = Arrays.stream(appIds.split(",", -1)).map(AppId::of).collect(Collectors.toCollection(LinkedHashSet::new));
    return new ApplicationAccessPolicy(ids, false, scopeGroup, accessRight, description, createdAt);
  }

  public static ApplicationAccessPolicy restrict(AppId app, String scopeGroup, Instant createdAt) {
    return new ApplicationAccessPolicy(Set.of(app), false, scopeGroup, AccessRight.RESTRICT_ACCESS, "", createdAt);
  }

  public static ApplicationAccessPolicy deny(AppId app, String scopeGroup, Instant createdAt) {
    return new ApplicationAccessPolicy(Set.of(app), false, scopeGroup, AccessRight.DENY_ACCESS, "", createdAt);
  }

  /** Whether this policy applies to {@code app}. */
  public boolean targets(AppId app) {
    return allApps || appIds.contains(app);
  }

  /** The {@code -AppId} argument as written: {@code *} or comma-separated ids. */
  public String appIdArgument() {
    return allApps ? "*" : appIds.stream().map(AppId::value).sorted().collect(Collectors.joining(","));
  }

  /** A one-line description for reports. */
  public String describe() {
    return accessRight.cmdletValue() + " policy for app " + appIdArgument() + " on scope group " + scopeGroup
        + (description.isBlank() ? "" : " (\"" + description + "\")");
  }
}

package io.m365sync.testkit.model;

import java.time.Instant;
import java.util.Set;

/**
 * An Exchange Online application access policy ({@code New-ApplicationAccessPolicy}).
 *
 * @param appIds the app ids it applies to, or {@code *} for all apps
 * @param scopeGroupId the mail-enabled security group
 * @param createdAt when it was created; Graph enforces it only after the tenant's propagation delay
 */
public record AccessPolicy(String id, AccessRight accessRight, Set<String> appIds, String scopeGroupId,
                           String description, Instant createdAt) {

  public enum AccessRight { RESTRICT_ACCESS, DENY_ACCESS }

  public AccessPolicy {
    appIds = Set.copyOf(appIds);
  }

  public boolean appliesTo(String clientId) {
    return appIds.contains("*") || appIds.stream().anyMatch(a -> a.equalsIgnoreCase(clientId));
  }
}

package io.m365sync.policy;

import io.m365sync.Checks;
import java.time.Instant;

/**
 * An Exchange management scope ({@code New-ManagementScope -Name … -RecipientRestrictionFilter …}),
 * used as a {@code -CustomResourceScope} of RBAC for Applications.
 */
public record ManagementScope(String name, RecipientFilter filter, Instant createdAt) {
  public ManagementScope {
    Checks.requireText(name, "name");
    Checks.requireNonNull(filter, "filter");
    Checks.requireNonNull(createdAt, "createdAt");
  }

  /**
   * @throws InvalidRecipientFilterException if {@code opath} is not understood
   */
  public static ManagementScope of(String name, String opath, Instant createdAt) {
    return new ManagementScope(name, RecipientFilter.parse(opath), createdAt);
  }
}

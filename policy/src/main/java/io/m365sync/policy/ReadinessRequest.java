package io.m365sync.policy;

import io.m365sync.Checks;
import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the doctor needs besides the directory and the declared policies.
 *
 * @param tenant the tenant to examine
 * @param applicationPermissionEnabled the "enable application permission" setting of the CRM
 * @param resources the resources the CRM syncs
 * @param enrolled the enrolled mailboxes of the tenant
 * @param intendedScopeGroup the mail-enabled security group to use in fix lines when no policy exists
 *     yet (e.g. {@code crm-sync@contoso.com}); null for a placeholder
 */
public record ReadinessRequest(TenantId tenant, boolean applicationPermissionEnabled, Set<Resource> resources, List<Mailbox> enrolled,
                               String intendedScopeGroup) {
  public ReadinessRequest {
    Checks.requireNonNull(tenant, "tenant");
    Checks.requireNonNull(resources, "resources");
    if (resources.isEmpty()) {
      throw new IllegalArgumentException("'resources' must name at least one resource");
    }
    resources = Set.copyOf(EnumSet.copyOf(resources));
    enrolled = List.copyOf(enrolled);
    for (Mailbox m : enrolled) {
      if (!m.tenant().equals(tenant)) {
        throw new IllegalArgumentException("Enrolled mailbox " + m.id() + " belongs to tenant " + m.tenant() + ", not " + tenant);
      }
    }
    if (intendedScopeGroup != null) {
      Checks.requireText(intendedScopeGroup, "intendedScopeGroup");
    }
  }

  public Optional<String> scopeGroup() {
    return Optional.ofNullable(intendedScopeGroup);
  }
}

package io.m365sync.policy;

import io.m365sync.TenantId;

/**
 * Where the declared Exchange configuration of a tenant comes from: the host's record of what the
 * admin set up, or a reader of {@code Get-ApplicationAccessPolicy} / {@code Get-ManagementRoleAssignment}
 * output. Thread-safe; returns {@link AccessPolicySet#empty()} when nothing is declared.
 */
@FunctionalInterface
public interface AccessPolicySource {
  AccessPolicySet declared(TenantId tenant);
}

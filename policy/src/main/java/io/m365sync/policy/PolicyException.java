package io.m365sync.policy;

import io.m365sync.M365SyncException;
import io.m365sync.TenantId;

/**
 * Root of the policy module's configuration errors: bad input that no retry will fix (a malformed
 * app id, a scope group that does not exist, a policy that belongs to another app). A policy
 * "deny" is never an exception; it is a value.
 */
public abstract class PolicyException extends M365SyncException {
  private static final long serialVersionUID = 1L;

  protected PolicyException(String message, TenantId tenant) {
    super(message, tenant, null, null, false, null);
  }
}

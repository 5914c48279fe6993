package io.m365sync.access;

import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.auth.AccessToken;
import java.util.Set;

/**
 * Verifies that the granted permissions cover the enabled resources in the token's mode. The
 * policy module adds a verifier that also reads the directory (app-role assignments, grants).
 * Thread-safe.
 */
public interface PermissionVerifier {

  /** Trusts the token's own {@code roles}/{@code scp} claims. */
  static PermissionVerifier fromTokenClaims() {
    return (tenant, resources, token) -> PermissionReport.of(tenant, token.mode(), resources, token.permissions());
  }

  PermissionReport verify(TenantId tenant, Set<Resource> resources, AccessToken token);
}

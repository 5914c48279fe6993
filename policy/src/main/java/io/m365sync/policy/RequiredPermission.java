package io.m365sync.policy;

import io.m365sync.Checks;

/**
 * One entry of the app registration's {@code requiredResourceAccess}: a permission that was added
 * under "API permissions" (added is not consented).
 *
 * @param resourceAppId the resource, e.g. {@link AppId#MICROSOFT_GRAPH}
 * @param id the app role id ({@link Type#ROLE}) or scope id ({@link Type#SCOPE})
 */
public record RequiredPermission(AppId resourceAppId, String id, Type type) {
  /** {@code Role} = application permission, {@code Scope} = delegated permission. */
  public enum Type { ROLE, SCOPE }

  public RequiredPermission {
    Checks.requireNonNull(resourceAppId, "resourceAppId");
    Checks.requireText(id, "id");
    Checks.requireNonNull(type, "type");
  }
}

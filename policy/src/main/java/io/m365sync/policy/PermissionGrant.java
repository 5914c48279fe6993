package io.m365sync.policy;

import io.m365sync.Checks;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A delegated permission grant ({@code oauth2PermissionGrant}).
 *
 * @param clientId the client service principal's object id
 * @param consentType admin consent for everybody, or one user's consent
 * @param principalId the consenting user's object id for {@link ConsentType#PRINCIPAL}; null otherwise
 * @param resourceId the resource service principal's object id
 * @param scopes the granted scope names ({@code scope} split on spaces)
 */
public record PermissionGrant(String clientId, ConsentType consentType, String principalId, String resourceId, Set<String> scopes) {
  /** {@code AllPrincipals} (admin consent on behalf of all users) or {@code Principal} (one user). */
  public enum ConsentType { ALL_PRINCIPALS, PRINCIPAL }

  public PermissionGrant {
    Checks.requireText(clientId, "clientId");
    Checks.requireNonNull(consentType, "consentType");
    Checks.requireText(resourceId, "resourceId");
    if (consentType == ConsentType.PRINCIPAL) {
      Checks.requireText(principalId, "principalId");
    }
    scopes = Set.copyOf(scopes);
  }

  /** Parses Graph's space-separated {@code scope} string. */
  public static Set<String> parseScope(String scope) {
    Set<String> out = new LinkedHashSet<>();
    Arrays.stream(scope.trim().split("\\s+")).filter(s -> !s.isEmpty()).forEach(out::add);
    return out;
  }
}

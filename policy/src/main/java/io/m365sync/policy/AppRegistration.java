package io.m365sync.policy;

import io.m365sync.Checks;
import java.util.List;

/**
 * The app registration (application object): what the developer added under "API permissions" and
 * its credentials. For a multi-tenant app it exists only in the home tenant.
 *
 * @param objectId the application object's id (not the app id, not the service principal id)
 */
public record AppRegistration(String objectId, AppId appId, String displayName, List<RequiredPermission> requiredResourceAccess,
                              List<ClientCredential> credentials) {
  public AppRegistration {
    Checks.requireText(objectId, "objectId");
    Checks.requireNonNull(appId, "appId");
    Checks.requireText(displayName, "displayName");
    requiredResourceAccess = List.copyOf(requiredResourceAccess);
    credentials = List.copyOf(credentials);
  }
}

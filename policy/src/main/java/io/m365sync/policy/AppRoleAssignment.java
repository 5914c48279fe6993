package io.m365sync.policy;

import io.m365sync.Checks;

/**
 * An application permission granted with admin consent: {@code /servicePrincipals/{id}/appRoleAssignments}.
 *
 * @param id the assignment id (needed to remove it)
 * @param principalId the client service principal's object id
 * @param resourceId the resource service principal's object id (Microsoft Graph's in this tenant)
 * @param appRoleId the granted role's id, resolved to a name through the resource's {@code appRoles}
 */
public record AppRoleAssignment(String id, String principalId, String resourceId, String appRoleId) {
  public AppRoleAssignment {
    Checks.requireText(id, "id");
    Checks.requireText(principalId, "principalId");
    Checks.requireText(resourceId, "resourceId");
    Checks.requireText(appRoleId, "appRoleId");
  }
}

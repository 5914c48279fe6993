package io.m365sync.policy;

import io.m365sync.TenantId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/** Builds the portal steps and PowerShell lines of readiness fixes, filled in for one app and tenant. */
final class AdminFixes {
  static final String DEFAULT_SCOPE_NAME = "m365sync CRM users";

  private final TenantId tenant;
  private final AppId app;
  private final String appName;

  AdminFixes(TenantId tenant, AppId app, String appName) {
    this.tenant = tenant;
    this.app = app;
    this.appName = appName;
  }

  String appLabel() {
    return "'" + appName + "' (" + app + ")";
  }

  String adminConsentUrl() {
    return "https://login.microsoftonline.com/" + tenant + "/adminconsent?client_id=" + app;
  }

  Fix registerApp() {
    return new Fix(List.of(
        "As a Global Administrator or Privileged Role Administrator, open " + adminConsentUrl() + " and accept",
        "Check Microsoft Entra admin center > Enterprise applications: app id " + app + " is listed"),
        List.of("Connect-MgGraph -TenantId " + tenant + " -Scopes Application.ReadWrite.All",
            "New-MgServicePrincipal -AppId " + app));
  }

  Fix addPermissions(String kind, Collection<String> names, String registrationObjectId, List<RequiredPermission> fullList) {
    List<String> ps = new ArrayList<>();
    ps.add("Connect-MgGraph -TenantId " + tenant + " -Scopes Application.ReadWrite.All");
    ps.add("# Replaces the Microsoft Graph permissions of app " + app + " with the least set; adds " + String.join(", ", names));
    ps.add("Update-MgApplication -ApplicationId " + registrationObjectId + " -RequiredResourceAccess @{ ResourceAppId = '"
        + AppId.MICROSOFT_GRAPH + "'; ResourceAccess = @(" + fullList.stream()
        .map(p -> "@{ Id = '" + p.id() + "'; Type = '" + (p.type() == RequiredPermission.Type.ROLE ? "Role" : "Scope") + "' }")
        .collect(Collectors.joining(", ")) + ") }");
    return new Fix(List.of(
        "Microsoft Entra admin center > App registrations > " + appLabel() + " > API permissions",
        "Add a permission > Microsoft Graph > " + kind + " permissions > select " + String.join(", ", names) + " > Add permissions",
        "Keep every existing delegated permission: the Outlook add-in needs them"), ps);
  }

  Fix grantConsent(Collection<String> names, String spId, String graphSpId, List<PermissionDefinition> roles) {
    List<String> ps = new ArrayList<>();
    ps.add("Connect-MgGraph -TenantId " + tenant + " -Scopes AppRoleAssignment.ReadWrite.All,Application.Read.All");
    for (PermissionDefinition role : roles) {
      ps.add("New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId " + spId + " -PrincipalId " + spId + " -ResourceId "
          + graphSpId + " -AppRoleId " + role.id() + "  # " + role.value());
    }
    return new Fix(List.of(
        "Microsoft Entra admin center > App registrations > " + appLabel() + " > API permissions > Grant admin consent for "
            + tenant + " (covers " + String.join(", ", names) + ")",
        "Or open " + adminConsentUrl() + " as a Global Administrator"), ps);
  }

  Fix removeAssignments(List<String> lines, Collection<String> names) {
    List<String> ps = new ArrayList<>();
    ps.add("Connect-MgGraph -TenantId " + tenant + " -Scopes AppRoleAssignment.ReadWrite.All");
    ps.addAll(lines);
    return new Fix(List.of(
        "Microsoft Entra admin center > Enterprise applications > " + appLabel() + " > Permissions: review "
            + String.join(", ", names),
        "App registrations > " + appLabel() + " > API permissions: remove " + String.join(", ", names)
            + " (and Revoke admin consent), keeping RBAC for Applications role assignments for scoped access"), ps);
  }

  String removeAssignmentLine(String spId, AppRoleAssignment a, String name) {
    return "Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId " + spId + " -AppRoleAssignmentId " + a.id() + "  # " + name;
  }

  Fix enableApplicationMode(Collection<String> permissions) {
    return new Fix(List.of(
        "In the CRM's Microsoft 365 sync settings for tenant " + tenant + ", tick \"Enable application permission\"",
        "Save; the next sync cycle verifies " + String.join(", ", permissions) + " for app " + app + " and switches background sync to app-only tokens"),
        List.of());
  }

  Fix newSecret(String registrationObjectId, Instant now) {
    return new Fix(List.of(
        "Microsoft Entra admin center > App registrations > " + appLabel() + " > Certificates & secrets > New client secret",
        "Paste the new secret into the CRM's Microsoft 365 sync settings, then delete the old secret"),
        List.of("Connect-MgGraph -TenantId " + tenant + " -Scopes Application.ReadWrite.All",
            "Add-MgApplicationPassword -ApplicationId " + registrationObjectId + " -PasswordCredential @{ DisplayName = 'm365sync "
                + now.toString().substring(0, 10) + "'; EndDateTime = '" + now.plus(java.time.Duration.ofDays(180)) + "' }"));
  }

  /** Create a mail-enabled security group with the enrolled users and restrict the app to it (or the RBAC way). */
  Fix restrictToGroup(String group, List<String> enrolledUpns, Collection<String> permissions, String spId) {
    List<String> ps = new ArrayList<>();
    ps.add("Connect-ExchangeOnline");
    String name = group.contains("@") ? group.substring(0, group.indexOf('@')) : group;
    ps.add("New-DistributionGroup -Name '" + name + "' -Type Security" + (group.contains("@") ? " -PrimarySmtpAddress " + group : "")
        + (enrolledUpns.isEmpty() ? ""
        : " -Members " + String.join(",", enrolledUpns)));
    ps.add(newPolicy(group));
    enrolledUpns.stream().limit(1).forEach(upn -> ps.add(testPolicy(upn)));
    ps.add("# Or, with RBAC for Applications (the successor), instead of the policy:");
    ps.add("New-ServicePrincipal -AppId " + app + " -ObjectId " + spId + " -DisplayName '" + appName + "'");
    ps.add("New-ManagementScope -Name \"" + DEFAULT_SCOPE_NAME + "\" -RecipientRestrictionFilter \"MemberOfGroup -eq '<distinguished name of "
        + group + ">'\"");
    for (String p : permissions) {
      if (PermissionMatrix.scopable(p)) {
        ps.add("New-ManagementRoleAssignment -App " + app + " -Role \"" + PermissionMatrix.rbacRole(p) + "\" -CustomResourceScope \""
            + DEFAULT_SCOPE_NAME + "\"");
      }
    }
    enrolledUpns.stream().limit(1).forEach(upn -> ps.add(testRbac(upn)));
    ps.add("# then remove the tenant-wide Entra consents of those permissions, or the RBAC scope has no effect");
    return new Fix(List.of(
        "Exchange admin center > Recipients > Groups > Add a group > Mail-enabled security: name it " + group
            + " and add the enrolled users",
        "Exchange Online PowerShell: create an application access policy restricting app " + app + " to " + group
            + " (RestrictAccess), see below",
        "Wait up to an hour, then verify with Test-ApplicationAccessPolicy"), ps);
  }

  String newPolicy(String group) {
    return "New-ApplicationAccessPolicy -AccessRight RestrictAccess -AppId " + app + " -PolicyScopeGroupId " + group
        + " -Description 'm365sync: restrict " + appName.replace("'", "''") + " to enrolled CRM users'";
  }

  String testPolicy(String upn) {
    return "Test-ApplicationAccessPolicy -Identity " + upn + " -AppId " + app;
  }

  String testRbac(String upn) {
    return "Test-ServicePrincipalAuthorization -Identity " + app + " -Resource " + upn;
  }
}

package io.m365sync.policy;

import io.m365sync.AuthMode;
import io.m365sync.Resource;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which Microsoft Graph permission each resource needs in each auth mode, and which application
 * permissions Exchange's application access policies and RBAC for Applications can scope.
 *
 * <p>Names only: permission ids come from Graph's service principal at runtime. Stateless.
 */
public final class PermissionMatrix {
  /** Delegated scope needed for refresh tokens; not tied to a resource. */
  public static final String OFFLINE_ACCESS = "offline_access";

  /**
   * Graph application permissions that application access policies and RBAC for Applications cover
   * (Exchange Online's "Limiting application permissions to specific mailboxes" and "RBAC for
   * Applications" documentation). {@code Tasks.*} is absent: app-only To Do is tenant-wide.
   */
  public static final Set<String> SCOPABLE_APPLICATION_PERMISSIONS = Set.of(
      "Mail.Read", "Mail.ReadBasic", "Mail.ReadBasic.All", "Mail.ReadWrite", "Mail.Send",
      "MailboxSettings.Read", "MailboxSettings.ReadWrite", "Calendars.Read", "Calendars.ReadWrite",
      "Contacts.Read", "Contacts.ReadWrite");

  /**
   * Application permissions that reach far beyond a mailbox sync; flagged as over-broad when
   * consented to this app.
   */
  public static final Set<String> HIGH_PRIVILEGE_APPLICATION_PERMISSIONS = Set.of(
      "Directory.ReadWrite.All", "User.ReadWrite.All", "Group.ReadWrite.All", "Application.ReadWrite.All",
      "AppRoleAssignment.ReadWrite.All", "RoleManagement.ReadWrite.Directory", "Sites.FullControl.All",
      "Files.ReadWrite.All", "full_access_as_app");

  private PermissionMatrix() {}

  /** The permission {@code resource} needs in {@code mode}; {@code Tasks.ReadWrite.All} for app-only To Do. */
  public static String permission(Resource resource, AuthMode mode) {
    return resource.permission(mode);
  }

  /** The permission per resource for {@code resources} in {@code mode}. */
  public static Map<Resource, String> required(Set<Resource> resources, AuthMode mode) {
    Map<Resource, String> out = new EnumMap<>(Resource.class);
    resources.forEach(r -> out.put(r, r.permission(mode)));
    return out;
  }

  /** Delegated scopes the add-in needs for {@code resources}, plus {@code offline_access}. */
  public static Set<String> delegatedScopes(Set<Resource> resources) {
    Set<String> out = new TreeSet<>(required(resources, AuthMode.DELEGATED).values());
    out.add(OFFLINE_ACCESS);
    return out;
  }

  /** Application permissions background sync needs for {@code resources}. */
  public static Set<String> applicationPermissions(Set<Resource> resources) {
    return new TreeSet<>(required(resources, AuthMode.APPLICATION).values());
  }

  /**
   * The least set for {@code resources}: delegated always (the add-in signs users in), application
   * only when application mode is wanted.
   */
  public static PermissionSet leastSet(Set<Resource> resources, boolean applicationMode) {
    return PermissionSet.of(delegatedScopes(resources), applicationMode ? applicationPermissions(resources) : Set.of());
  }

  /** Whether application access policies / RBAC for Applications can limit {@code applicationPermission} to some mailboxes. */
  public static boolean scopable(String applicationPermission) {
    return SCOPABLE_APPLICATION_PERMISSIONS.contains(applicationPermission);
  }

  /** The RBAC for Applications role for an application permission, e.g. {@code Application Mail.ReadWrite}. */
  public static String rbacRole(String applicationPermission) {
    return "Application " + applicationPermission;
  }

  /** Whether {@code granted} satisfies {@code needed} (a {@code .All} variant satisfies the plain one). */
  public static boolean satisfies(Set<String> granted, String needed) {
    return granted.contains(needed) || granted.contains(needed + ".All");
  }
}

package io.m365sync.testkit.model;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Microsoft Graph as a resource of the identity platform: the identifiers a scope may name it by, and
 * the app roles and delegated scopes it publishes in a tenant (the standard ones plus whatever an app
 * registration of the tenant declares, so tests may invent permissions). The token rules judge scopes
 * by it, and the directory serves Graph's service principal from it.
 */
public final class GraphResource {
  /** Graph's application id. */
  public static final String APP_ID = "00000003-0000-0000-c000-000000000000";
  /** Graph's application id URI. */
  public static final String URI = "https://graph.microsoft.com";
  private static final List<String> APP_ROLES = List.of("Calendars.Read", "Calendars.ReadWrite", "Contacts.Read",
      "Contacts.ReadWrite", "Mail.Read", "Mail.ReadBasic", "Mail.ReadBasic.All", "Mail.ReadWrite", "Mail.Send",
      "MailboxSettings.Read", "MailboxSettings.ReadWrite", "Tasks.Read.All", "Tasks.ReadWrite.All", "User.Read.All",
      "Group.Read.All", "GroupMember.Read.All", "Directory.Read.All", "Application.Read.All");
  private static final List<String> SCOPES = List.of("Calendars.Read", "Calendars.ReadWrite", "Contacts.Read",
      "Contacts.ReadWrite", "Mail.Read", "Mail.ReadWrite", "Mail.Send", "MailboxSettings.Read",
      "MailboxSettings.ReadWrite", "Tasks.Read", "Tasks.ReadWrite", "User.Read", "offline_access", "openid", "profile",
      "email");

  private GraphResource() {}

  /** Whether {@code resource} (an application id URI or app id, trailing slashes ignored) names Graph. */
  public static boolean isGraph(String resource) {
    String r = resource;
    while (r.endsWith("/")) {
      r = r.substring(0, r.length() - 1);
    }
    return r.equalsIgnoreCase(URI) || r.equalsIgnoreCase(APP_ID);
  }

  /** The resource part of a scope ({@code https://graph.microsoft.com/Mail.Read}); null for a bare name, which means Graph. */
  public static String resourceOf(String scope) {
    int slash = scope.lastIndexOf('/');
    return slash < 0 ? null : scope.substring(0, slash);
  }

  /** The permission part of a scope: {@code Mail.Read}, {@code .default}, {@code openid}. */
  public static String nameOf(String scope) {
    return scope.substring(scope.lastIndexOf('/') + 1);
  }

  /** Sign-in scopes, which name no resource's permission. */
  public static boolean isSignInScope(String name) {
    return TokenRequest.OIDC_SCOPES.contains(name.toLowerCase(Locale.ROOT));
  }

  /** The app roles Graph publishes in {@code tenant}, case-insensitive. */
  public static Set<String> appRoles(TenantModel tenant) {
    Set<String> roles = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    roles.addAll(APP_ROLES);
    tenant.apps().forEach(a -> roles.addAll(a.applicationPermissions()));
    return roles;
  }

  /** The delegated scopes Graph publishes in {@code tenant}, case-insensitive. */
  public static Set<String> scopes(TenantModel tenant) {
    Set<String> scopes = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    scopes.addAll(SCOPES);
    tenant.apps().forEach(a -> scopes.addAll(a.delegatedPermissions()));
    return scopes;
  }
}

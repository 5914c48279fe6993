package io.m365sync;

/**
 * A kind of Microsoft 365 data that m365sync keeps in step with the CRM, with the Microsoft Graph
 * permissions each auth mode needs for it.
 */
public enum Resource {
  EVENTS("Calendars.ReadWrite", "Calendars.ReadWrite", true),
  CONTACTS("Contacts.ReadWrite", "Contacts.ReadWrite", true),
  MAIL("Mail.ReadWrite", "Mail.ReadWrite", true),
  /** Graph has no app-only {@code Tasks.ReadWrite}; application mode needs the tenant-wide {@code .All}. */
  TASKS("Tasks.ReadWrite", "Tasks.ReadWrite.All", false),
  MAILBOX_SETTINGS("MailboxSettings.ReadWrite", "MailboxSettings.ReadWrite", true);

  private final String delegatedPermission;
  private final String applicationPermission;
  private final boolean coveredByAccessPolicies;

  Resource(String delegatedPermission, String applicationPermission, boolean coveredByAccessPolicies) {
    this.delegatedPermission = delegatedPermission;
    this.applicationPermission = applicationPermission;
    this.coveredByAccessPolicies = coveredByAccessPolicies;
  }

  /** The delegated scope the add-in sign-in must grant, e.g. {@code Calendars.ReadWrite}. */
  public String delegatedPermission() {
    return delegatedPermission;
  }

  /** The application permission (app role) the admin must consent, e.g. {@code Tasks.ReadWrite.All}. */
  public String applicationPermission() {
    return applicationPermission;
  }

  /** The permission this resource needs in {@code mode}. */
  public String permission(AuthMode mode) {
    return mode == AuthMode.APPLICATION ? applicationPermission : delegatedPermission;
  }

  /**
   * Whether Exchange application access policies and RBAC for Applications can scope app-only
   * access to this resource. False for To Do: app-only {@code Tasks.ReadWrite.All} is tenant-wide,
   * so the engine's enrollment gate is the only guard there.
   */
  public boolean coveredByAccessPolicies() {
    return coveredByAccessPolicies;
  }
}

package io.m365sync.policy;

/** The readiness checks, in the order the doctor walks them. */
public enum CheckId {
  APP_REGISTRATION("App registration found"),
  DELEGATED_PERMISSIONS("Delegated permissions present"),
  APPLICATION_PERMISSIONS("Application permissions added"),
  ADMIN_CONSENT("Admin consent granted"),
  OVER_BROAD_GRANTS("No over-broad grants"),
  APPLICATION_MODE_ENABLED("Application permission enabled in sync settings"),
  CLIENT_CREDENTIALS("Client secret or certificate valid"),
  ACCESS_POLICY("Mailbox access limited by an access policy"),
  ENROLLED_OUT_OF_SCOPE("Enrolled users inside the policy scope"),
  SCOPE_NOT_ENROLLED("Policy scope limited to enrolled users"),
  TODO_COVERAGE("To Do coverage");

  private final String title;

  CheckId(String title) {
    this.title = title;
  }

  public String title() {
    return title;
  }
}

package io.m365sync.policy;

/** A role assignment whose {@code -CustomResourceScope} names a management scope that is not declared. */
public final class UnknownManagementScopeException extends PolicyException {
  private static final long serialVersionUID = 1L;

  private final String scope;

  public UnknownManagementScopeException(String scope) {
    super("Management scope '" + scope + "' is not declared; create it with New-ManagementScope first", null);
    this.scope = scope;
  }

  public String scope() {
    return scope;
  }
}

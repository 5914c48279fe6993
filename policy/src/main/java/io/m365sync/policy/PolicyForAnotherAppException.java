package io.m365sync.policy;

/** A policy or role assignment handed to a component bound to one app, but written for another app. */
public final class PolicyForAnotherAppException extends PolicyException {
  private static final long serialVersionUID = 1L;

  private final AppId expected;
  private final String found;

  public PolicyForAnotherAppException(AppId expected, String found, String what) {
    super(what + " targets app " + found + ", not this app " + expected, null);
    this.expected = expected;
    this.found = found;
  }

  public AppId expected() {
    return expected;
  }

  /** The app id(s) the policy names, as written. */
  public String found() {
    return found;
  }
}

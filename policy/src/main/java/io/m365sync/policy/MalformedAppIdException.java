package io.m365sync.policy;

/** An application id that is not a GUID (Exchange and Entra accept only GUIDs; {@code *} only as a policy wildcard). */
public final class MalformedAppIdException extends PolicyException {
  private static final long serialVersionUID = 1L;

  private final String value;

  public MalformedAppIdException(String value) {
    super("'appId' must be a GUID like 11111111-2222-3333-4444-555555555555 but was '" + value + "'", null);
    this.value = value;
  }

  /** The rejected input, as given. */
  public String value() {
    return value;
  }
}

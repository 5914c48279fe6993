package io.m365sync.testkit.model;

import java.util.Locale;

/**
 * The token endpoint refused a request, in Entra's terms: OAuth {@code error}, the AADSTS number
 * and description, an optional {@code suberror}, and the HTTP status it is sent with.
 */
public final class EntraError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;
  private final int code;
  private final String suberror;

  public EntraError(int status, String error, int code, String description, String suberror) {
    super("AADSTS" + code + ": " + description);
    this.status = status;
    this.error = error;
    this.code = code;
    this.suberror = suberror;
  }

  public static EntraError invalidGrant(int code, String description, String suberror) {
    return new EntraError(400, "invalid_grant", code, description, suberror);
  }

  public static EntraError invalidClient(int code, String description) {
    return new EntraError(401, "invalid_client", code, description, null);
  }

  public static EntraError badRequest(String error, int code, String description) {
    return new EntraError(400, error, code, description, null);
  }

  public int status() {
    return status;
  }

  /** OAuth error, e.g. {@code invalid_grant}. */
  public String error() {
    return error;
  }

  /** The AADSTS number, e.g. 700082. */
  public int code() {
    return code;
  }

  /** {@code AADSTS700082}. */
  public String aadsts() {
    return "AADSTS" + code;
  }

  /** e.g. {@code consent_required}; may be null. */
  public String suberror() {
    return suberror;
  }

  /** The {@code error_description} Entra sends: "AADSTSnnnn: text". */
  public String description() {
    return getMessage();
  }

  @Override
  public String toString() {
    return "EntraError[" + status + " " + error.toLowerCase(Locale.ROOT) + " " + getMessage() + "]";
  }
}

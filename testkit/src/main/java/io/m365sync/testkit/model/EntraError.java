package io.m365sync.testkit.model;

import java.util.Locale;

/**
 * The token endpoint refused a request, in Entra's terms: OAuth {@code error}, the AADSTS number
 * and description, an optional {@code suberror} and {@code claims} challenge, and the HTTP status it
 * is sent with. Injected faults ({@link TenantModel#failNextTokenRequests}) can also be answers that
 * are not Entra's JSON at all — an empty 5xx, a gateway's HTML page, a 200 whose body is no token
 * response — as {@link #answer()} says; those carry no OAuth error and no AADSTS number.
 */
public final class EntraError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What goes over the wire. */
  public enum Answer {
    /** Entra's error JSON ({@code error}, {@code error_description}, {@code error_codes}, ...). */
    ERROR_JSON,
    /** The status alone, no body (a load balancer's 503). */
    EMPTY_BODY,
    /** A gateway's HTML error page (e.g. 502 Bad Gateway). */
    HTML_PAGE,
    /** 200 with a body that is not a token response (cut off mid-way). */
    UNREADABLE_BODY
  }

  private final int status;
  private final String error;
  private final int code;
  private final String suberror;
  private final String claims;
  private final Answer answer;

  public EntraError(int status, String error, int code, String description, String suberror) {
    this(status, error, code, description, suberror, null, Answer.ERROR_JSON);
  }

  private EntraError(int status, String error, int code, String description, String suberror, String claims, Answer answer) {
    super(answer == Answer.ERROR_JSON ? "AADSTS" + code + ": " + description : description);
    this.status = status;
    this.error = error;
    this.code = code;
    this.suberror = suberror;
    this.claims = claims;
    this.answer = answer;
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

  /**
   * A Conditional Access refusal with a {@code claims} challenge, e.g. AADSTS53003 (blocked) or
   * AADSTS50076 (MFA required) with {@code {"access_token":{"capolids":{"essential":true,"values":[...]}}}}.
   */
  public static EntraError claimsChallenge(String error, int code, String description, String claims) {
    return new EntraError(400, error, code, description, null, claims, Answer.ERROR_JSON);
  }

  /** {@code status} with no body at all. */
  public static EntraError emptyBody(int status) {
    return new EntraError(status, null, 0, "HTTP " + status + " with an empty body", null, null, Answer.EMPTY_BODY);
  }

  /** A gateway's HTML page sent with {@code status}. */
  public static EntraError htmlPage(int status) {
    return new EntraError(status, null, 0, "HTTP " + status + " with a gateway's HTML page", null, null, Answer.HTML_PAGE);
  }

  /** 200 with a body cut off before it became a token response. */
  public static EntraError unreadableBody() {
    return new EntraError(200, null, 0, "HTTP 200 with a body that is not a token response", null, null,
        Answer.UNREADABLE_BODY);
  }

  public int status() {
    return status;
  }

  /** OAuth error, e.g. {@code invalid_grant}; null when the answer is not Entra's JSON. */
  public String error() {
    return error;
  }

  /** The AADSTS number, e.g. 700082; 0 when the answer is not Entra's JSON. */
  public int code() {
    return code;
  }

  /**
   * {@code AADSTS700082}; for an answer that is not Entra's JSON, what it was instead
   * ({@code empty_body}, {@code html_page}, {@code unreadable_body}), as the request log records it.
   */
  public String aadsts() {
    return answer == Answer.ERROR_JSON ? "AADSTS" + code : answer.name().toLowerCase(Locale.ROOT);
  }

  /** e.g. {@code consent_required}; may be null. */
  public String suberror() {
    return suberror;
  }

  /** The Conditional Access {@code claims} challenge (JSON); null when none is sent. */
  public String claims() {
    return claims;
  }

  public Answer answer() {
    return answer;
  }

  /** The {@code error_description} Entra sends: "AADSTSnnnn: text". */
  public String description() {
    return getMessage();
  }

  @Override
  public String toString() {
    return "EntraError[" + status + " " + (error == null ? answer.name().toLowerCase(Locale.ROOT) : error.toLowerCase(Locale.ROOT))
        + " " + getMessage() + "]";
  }
}

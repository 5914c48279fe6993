package io.m365sync.auth;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.TenantId;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies identity-platform errors (OAuth {@code error}, AADSTS number, {@code suberror}, HTTP
 * status) into the typed {@link TokenException}s, so every token strategy maps them the same way.
 */
public final class TokenFailures {
  private TokenFailures() {}

  /** Who has to act. */
  public enum Kind { REAUTHENTICATE, CONSENT, CREDENTIALS, TRANSIENT }

  private static final Set<Integer> REAUTH = Set.of(700082, 70008, 700084, 70043, 50173, 50132, 50133, 50057, 50089,
      9002313);
  /**
   * Conditional Access and MFA: the user must satisfy a policy at sign-in (blocked, compliant device,
   * approved app, MFA, external challenge); a delegated grant signs in again, an app cannot.
   */
  private static final Set<Integer> CONDITIONAL_ACCESS = Set.of(53000, 53001, 53002, 53003, 53004, 530032, 530035,
      50076, 50078, 50079, 50097, 50131, 50158);
  private static final Set<Integer> CONSENT = Set.of(65001, 90094, 90095, 650056, 650057);
  /** The app's own proof or registration: secret, certificate assertion (700021/700023/700024/700027), app, tenant, resource. */
  private static final Set<Integer> CREDENTIALS = Set.of(7000215, 7000222, 700021, 700023, 700024, 700027, 700016,
      700011, 90002, 500011, 50001, 70011);
  private static final Set<Integer> TRANSIENT = Set.of(50033, 50087, 90006, 90090, 90024, 90033, 90055, 50196);
  /** OAuth errors (RFC 6749 5.2 and Entra's) that refuse the request itself: configuration, never an outage. */
  private static final Set<String> REQUEST_ERRORS = Set.of("invalid_request", "invalid_scope", "invalid_resource",
      "unsupported_grant_type", "access_denied");
  private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d{4,7})");

  /** The AADSTS number in {@code text}, or -1. */
  public static int aadstsCode(String text) {
    if (text == null) {
      return -1;
    }
    Matcher m = AADSTS.matcher(text);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /**
   * @param httpStatus the token endpoint's status, or 0 if unknown (no answer, or the client does not say)
   * @param error OAuth {@code error} from the endpoint's JSON; null when the answer carried none
   * @param code AADSTS number, or -1
   * @param suberror may be null
   */
  public static Kind classify(int httpStatus, String error, int code, String suberror) {
    String e = error == null ? "" : error.toLowerCase(Locale.ROOT);
    if (CONSENT.contains(code) || "consent_required".equalsIgnoreCase(suberror) || e.equals("consent_required")) {
      return Kind.CONSENT;
    }
    if (REAUTH.contains(code) || CONDITIONAL_ACCESS.contains(code)) {
      return Kind.REAUTHENTICATE;
    }
    if (CREDENTIALS.contains(code) || e.equals("invalid_client") || e.equals("unauthorized_client")) {
      return Kind.CREDENTIALS;
    }
    if (TRANSIENT.contains(code) || e.equals("temporarily_unavailable") || e.equals("server_error")
        || httpStatus == 429 || httpStatus >= 500) {
      return Kind.TRANSIENT;
    }
    if (e.equals("invalid_grant") || e.equals("interaction_required")) {
      return Kind.REAUTHENTICATE;
    }
    // only the identity platform's own answer (an AADSTS code or an OAuth error) says the request or the
    // credentials are wrong; no answer, an empty or unreadable body or a gateway's page is an outage
    return code > 0 || REQUEST_ERRORS.contains(e) ? Kind.CREDENTIALS : Kind.TRANSIENT;
  }

  /**
   * The typed exception for a failure while acquiring a token for {@code mailbox} ({@code mode}
   * APPLICATION when the failure concerns the app's own credentials).
   *
   * @param description a human description, without any secret
   */
  public static TokenException toException(Mailbox mailbox, boolean applicationMode, String clientId, int httpStatus,
                                           String error, int code, String suberror, String description,
                                           Duration retryAfter, Throwable cause) {
    return toException(mailbox, applicationMode, clientId, httpStatus, error, code, suberror, description, retryAfter,
        null, cause);
  }

  /**
   * As {@link #toException(Mailbox, boolean, String, int, String, int, String, String, Duration, Throwable)},
   * with the answer's {@code claims} challenge, which a delegated re-authentication carries.
   *
   * @param claimsChallenge the {@code claims} JSON of the answer; may be null
   */
  public static TokenException toException(Mailbox mailbox, boolean applicationMode, String clientId, int httpStatus,
                                           String error, int code, String suberror, String description,
                                           Duration retryAfter, String claimsChallenge, Throwable cause) {
    String codeText = code > 0 ? "AADSTS" + code : error != null ? error : "HTTP " + httpStatus;
    TenantId tenant = mailbox.tenant();
    MailboxId id = mailbox.id();
    return switch (classify(httpStatus, error, code, suberror)) {
      case REAUTHENTICATE -> applicationMode
          ? new CredentialsInvalidException(tenant, clientId, codeText, description, cause)
          : new ReauthenticationRequiredException(id, codeText, description, claimsChallenge, cause);
      case CONSENT -> new ConsentRequiredException(tenant, applicationMode ? null : id, codeText, description, cause);
      case CREDENTIALS -> new CredentialsInvalidException(tenant, clientId, codeText, description, cause);
      case TRANSIENT -> new TransientAuthFailureException(tenant, applicationMode ? null : id, codeText, description,
          retryAfter, cause);
    };
  }
}

package io.m365sync.gateway;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import java.time.Duration;
import java.util.Locale;

/**
 * Maps a Graph error response to the typed {@link GatewayException}, so every gateway classifies
 * errors the same way: 429 and 503 with {@code Retry-After} are throttling, 410 {@code SyncStateNotFound}
 * is an expired delta link, 403 {@code ErrorAccessDenied} is an access policy or RBAC scope, and an
 * unlicensed or on-premises mailbox answers {@code MailboxNotEnabledForRESTAPI} (Microsoft Graph's
 * throttling, delta query and application access policy documentation).
 */
public final class GatewayErrors {
  private GatewayErrors() {}

  private static final Duration DEFAULT_THROTTLE = Duration.ofSeconds(30);

  /**
   * @param status HTTP status; 0 when no response arrived
   * @param code Graph's {@code error.code}; may be null
   * @param message Graph's {@code error.message}; may be null
   * @param retryAfter the {@code Retry-After} header; may be null
   */
  public static GatewayException toException(MailboxId mailbox, Resource resource, int status, String code,
                                             String message, Duration retryAfter, String requestId, Throwable cause) {
    String c = code == null ? "" : code.toLowerCase(Locale.ROOT);
    String m = message == null ? "" : message;
    String text = (code == null ? "" : code + ": ") + m;
    if (c.equals("syncstatenotfound") || c.equals("resyncrequired") || c.equals("syncstateinvalid") || status == 410) {
      return new SyncStateExpiredException("Delta state expired: " + text, mailbox, resource, status, code, requestId, cause);
    }
    if (status == 429 || (status == 503 && retryAfter != null)) {
      return new ThrottledException("Throttled: " + text, mailbox, resource, status, code, requestId,
          retryAfter != null ? retryAfter : DEFAULT_THROTTLE, cause);
    }
    if (status == 403 && m.toLowerCase(Locale.ROOT).contains("access to odata is disabled")
        && (c.equals("erroraccessdenied") || c.equals("extensionerror"))) {
      return new AccessDeniedByPolicyException("App-only access denied by policy: " + text, mailbox, resource, status,
          code, requestId, cause);
    }
    if (c.equals("mailboxnotenabledforrestapi") || c.equals("mailboxnotsupportedforrestapi")) {
      return new MailboxUnavailableException("Mailbox not reachable through REST: " + text, mailbox, resource, status,
          code, requestId, cause);
    }
    if (status == 404 || c.equals("erroritemnotfound") || c.equals("itemnotfound")) {
      return new ItemNotFoundException("Item not found: " + text, mailbox, resource, status, code, requestId, cause);
    }
    if (status == 412) {
      return new PreconditionFailedException("Item changed concurrently: " + text, mailbox, resource, status, code,
          requestId, cause);
    }
    if (status == 401) {
      return new TokenRejectedException("Access token rejected: " + text, mailbox, resource, status, code, requestId, cause);
    }
    if (status == 0 || status >= 500 || status == 408) {
      return new RemoteUnavailableException("Graph unavailable: " + text, mailbox, resource, status, code, requestId, cause);
    }
    return new RequestRejectedException("Request rejected: " + text, mailbox, resource, status, code, requestId, cause);
  }
}

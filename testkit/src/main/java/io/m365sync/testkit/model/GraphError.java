package io.m365sync.testkit.model;

import java.time.Duration;

/** Microsoft Graph answered with an error: HTTP status, {@code error.code}, message, optional Retry-After. */
public final class GraphError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final Duration retryAfter;

  public GraphError(int status, String code, String message, Duration retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  public GraphError(int status, String code, String message) {
    this(status, code, message, null);
  }

  public static GraphError accessDeniedByPolicy() {
    return new GraphError(403, "ErrorAccessDenied", "Access to OData is disabled.");
  }

  public static GraphError invalidToken(String message) {
    return new GraphError(401, "InvalidAuthenticationToken", message);
  }

  public static GraphError syncStateNotFound(String detail) {
    return new GraphError(410, "SyncStateNotFound", "The sync state generation is not found; " + detail);
  }

  public static GraphError itemNotFound() {
    return new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  }

  /** 429 as Outlook answers a request over the app's 4 concurrent requests to one mailbox. */
  public static GraphError throttled(Duration retryAfter) {
    return new GraphError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.", retryAfter);
  }

  /** 503: Graph (or the mailbox server behind it) is briefly unavailable; {@code retryAfter} may be null. */
  public static GraphError serviceUnavailable(Duration retryAfter) {
    return new GraphError(503, "ServiceUnavailable", "The service is temporarily unavailable.", retryAfter);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** Retry-After, for 429 and 503; else null. */
  public Duration retryAfter() {
    return retryAfter;
  }
}

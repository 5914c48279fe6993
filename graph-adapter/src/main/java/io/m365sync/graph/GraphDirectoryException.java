package io.m365sync.graph;

import io.m365sync.TenantId;

/**
 * A directory read that Graph refused or that never got an answer (anything but "not found", which
 * {@link GraphDirectoryReader} reports as empty). Carries the tenant, the request (method and path,
 * never a token) and Graph's status and error code when there was a response.
 */
public final class GraphDirectoryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient TenantId tenant;
  private final int status;
  private final String code;

  private final String requestId;

  GraphDirectoryException(TenantId tenant, String request, int status, String code, String message,
                          String requestId, Throwable cause) {
    super("Directory read " + request + " in tenant " + tenant + " failed"
        + (status > 0 ? ": " + status + (code != null ? " " + code : "") : ": no answer")
        + (message != null && !message.isBlank() ? ": " + message : "")
        + (requestId != null ? " [request-id " + requestId + "]" : ""), cause);
    this.tenant = tenant;
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }

  /** Graph's {@code request-id}, for a support ticket; null when no answer carried one. */
  public String requestId() {
    return requestId;
  }

  public TenantId tenant() {
    return tenant;
  }

  /** Graph's HTTP status; 0 when no response arrived. */
  public int status() {
    return status;
  }

  /** Graph's error code (e.g. {@code Authorization_RequestDenied}); null when unknown. */
  public String code() {
    return code;
  }
}

package io.m365sync.spring;

import io.m365sync.AccessAudit;
import io.m365sync.SyncEngine;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code m365syncaudit} actuator endpoint: the access audit's summary of the last {@code days}
 * (default 30) — the mailboxes touched with application permissions, their rounds and requests, and
 * any touched while not enrolled (a defect), for an admin to compare with the enrollment list
 * ({@code GET /actuator/m365syncaudit?days=7}). Expose it to admins only.
 */
@Endpoint(id = "m365syncaudit")
public class M365SyncAuditEndpoint {
  static final int MAX_DAYS = 3660;
  private final SyncEngine engine;

  public M365SyncAuditEndpoint(SyncEngine engine) {
    this.engine = engine;
  }

  @ReadOperation
  public AccessAudit.Summary audit(@Nullable Integer days) {
    int d = days == null ? 30 : days;
    if (d < 1 || d > MAX_DAYS) {
      throw new InvalidEndpointRequestException("'days' must be 1 to " + MAX_DAYS + " but was " + d, "bad days"); // 400
    }
    return engine.audit().summary(Duration.ofDays(d));
  }
}

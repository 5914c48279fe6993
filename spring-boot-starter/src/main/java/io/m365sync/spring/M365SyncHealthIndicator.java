package io.m365sync.spring;

import io.m365sync.SyncEngine;
import io.m365sync.TenantId;
import io.m365sync.TenantStatus;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.StatusCount;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * UP while every tenant with enrolled mailboxes has working application mode (or does not use it);
 * {@link #DEGRADED} (or DOWN with {@code m365sync.health.down-on-inactive-tenant}) naming each tenant
 * whose application mode fails and why (an invalid or expired credential, withdrawn consent). The
 * state store being unreachable is DOWN. Details: mailbox count and how many need a sign-in.
 */
public class M365SyncHealthIndicator implements HealthIndicator {
  /** Sync works for most mailboxes but a tenant needs its admin; HTTP 200 unless the host maps it. */
  public static final Status DEGRADED = new Status("DEGRADED", "a tenant's application mode is failing");

  private final SyncEngine engine;
  private final boolean downOnInactiveTenant;

  public M365SyncHealthIndicator(SyncEngine engine, boolean downOnInactiveTenant) {
    this.engine = engine;
    this.downOnInactiveTenant = downOnInactiveTenant;
  }

  @Override
  public Health health() {
    List<StatusCount> counts = engine.monitor().counts(); // one grouped query, not every row
    Map<String, Map<String, Object>> inactive = new LinkedHashMap<>();
    for (String tenant : new TreeSet<>(counts.stream().map(c -> c.tenant().value()).toList())) {
      TenantStatus t = engine.tenantStatus(TenantId.of(tenant));
      if (t.appMode() == TenantStatus.AppMode.INACTIVE) {
        Map<String, Object> why = new LinkedHashMap<>();
        why.put("reasonCode", t.reasonCode());
        why.put("reason", t.reason());
        why.put("retryAt", t.retryAt() == null ? null : t.retryAt().toString());
        inactive.put(tenant, why);
      }
    }
    Health.Builder b = inactive.isEmpty() ? Health.up() : downOnInactiveTenant ? Health.down() : Health.status(DEGRADED);
    b.withDetail("mailboxes", counts.stream().mapToLong(StatusCount::count).sum())
        .withDetail("needingSignIn", counts.stream().filter(c -> c.status() == MailboxStatus.NEEDS_SIGN_IN)
            .mapToLong(StatusCount::count).sum());
    if (!inactive.isEmpty()) {
      b.withDetail("inactiveTenants", inactive);
    }
    return b.build();
  }
}

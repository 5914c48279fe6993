package io.m365sync.spring;

import io.m365sync.SyncEngine;
import io.m365sync.SyncMonitor;
import io.m365sync.TenantId;
import io.m365sync.TenantStatus;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code m365sync} actuator endpoint, the admins' view of {@link SyncMonitor}: mailboxes counted
 * by status and by tenant with each tenant's application-mode readiness
 * ({@code GET /actuator/m365sync}), and paged lists of the mailboxes that need someone
 * ({@code GET /actuator/m365sync/{list}?page=0&size=50}, list = {@code needing-sign-in},
 * {@code denied}, {@code failing}, {@code quarantined} or {@code never-synced}).
 */
@Endpoint(id = "m365sync")
public class M365SyncEndpoint {
  static final int MAX_PAGE_SIZE = 500;
  private static final Map<String, Function<SyncMonitor, List<MailboxState>>> LISTS = Map.of(
      "needing-sign-in", SyncMonitor::needingSignIn,
      "denied", SyncMonitor::deniedByPolicy,
      "failing", SyncMonitor::failing,
      "quarantined", m -> m.withStatus(MailboxStatus.QUARANTINED),
      "never-synced", SyncMonitor::neverSynced);

  private final SyncEngine engine;

  public M365SyncEndpoint(SyncEngine engine) {
    this.engine = engine;
  }

  /** Mailboxes by status, by tenant and status, and each tenant's readiness. */
  public record Overview(int mailboxes, Map<MailboxStatus, Long> byStatus, Map<String, Map<MailboxStatus, Long>> byTenant,
                         List<Tenant> tenants) {}

  /** One tenant's application mode, as {@link TenantStatus} says. */
  public record Tenant(String tenant, boolean applicationEnabled, TenantStatus.AppMode appMode, String reasonCode,
                       String reason, Instant since, Instant retryAt, Set<String> missingPermissions) {
    static Tenant of(TenantStatus s) {
      return new Tenant(s.tenant().value(), s.applicationEnabled(), s.appMode(), s.reasonCode(), s.reason(), s.since(),
          s.retryAt(), s.permissions() == null ? Set.of() : s.permissions().missing());
    }
  }

  /** One page of a list, in mailbox-key order. */
  public record Page(String list, int page, int size, int total, List<Mailbox> mailboxes) {}

  /** A mailbox's sync state, without personal data beyond its ids. */
  public record Mailbox(String tenant, String userObjectId, MailboxStatus status, String mode, String reasonCode,
                        String reason, Instant since, Instant nextAttempt, Instant lastSuccessAt, int consecutiveFailures) {
    static Mailbox of(MailboxState s) {
      return new Mailbox(s.mailbox().tenant().value(), s.mailbox().userObjectId(), s.status(),
          s.mode() == null ? null : s.mode().name(), s.reasonCode(), s.reason(), s.since(), s.nextAttempt(),
          s.lastSuccessAt(), s.consecutiveFailures());
    }
  }

  @ReadOperation
  public Overview overview() {
    List<MailboxState> all = engine.monitor().all();
    Map<MailboxStatus, Long> byStatus = new EnumMap<>(MailboxStatus.class);
    Map<String, Map<MailboxStatus, Long>> byTenant = new TreeMap<>();
    for (MailboxState s : all) {
      byStatus.merge(s.status(), 1L, Long::sum);
      byTenant.computeIfAbsent(s.mailbox().tenant().value(), t -> new EnumMap<>(MailboxStatus.class))
          .merge(s.status(), 1L, Long::sum);
    }
    List<Tenant> tenants = byTenant.keySet().stream().map(t -> Tenant.of(engine.tenantStatus(TenantId.of(t)))).toList();
    return new Overview(all.size(), byStatus, byTenant, tenants);
  }

  @ReadOperation
  public Page list(@Selector String list, @Nullable Integer page, @Nullable Integer size) {
    Function<SyncMonitor, List<MailboxState>> query = LISTS.get(list);
    if (query == null) {
      String known = new TreeMap<>(LISTS).keySet().toString();
      throw new InvalidEndpointRequestException("unknown list '" + list + "'; one of " + known, "unknown list"); // 400
    }
    int p = Math.max(0, page == null ? 0 : page);
    int n = Math.min(MAX_PAGE_SIZE, Math.max(1, size == null ? 50 : size));
    List<MailboxState> rows = query.apply(engine.monitor()).stream()
        .sorted(Comparator.comparing((MailboxState s) -> s.mailbox().key())).toList();
    int from = (int) Math.min((long) p * n, rows.size());
    int to = Math.min(from + n, rows.size());
    return new Page(list, p, n, rows.size(), rows.subList(from, to).stream().map(Mailbox::of).toList());
  }
}

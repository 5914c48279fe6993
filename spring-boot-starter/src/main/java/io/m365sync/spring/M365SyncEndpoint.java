package io.m365sync.spring;

import io.m365sync.MailboxId;
import io.m365sync.SyncEngine;
import io.m365sync.SyncMonitor;
import io.m365sync.TenantId;
import io.m365sync.TenantStatus;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.StatusCount;
import io.m365sync.state.StatusPage;
import io.m365sync.state.StatusQuery;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code m365sync} actuator endpoint, the admins' view of {@link SyncMonitor}: mailboxes counted
 * by status and by tenant with each tenant's application-mode readiness
 * ({@code GET /actuator/m365sync}), and paged lists of the mailboxes that need someone
 * ({@code GET /actuator/m365sync/{list}?after=<mailbox key>&size=50}, list = {@code needing-sign-in},
 * {@code denied}, {@code failing}, {@code quarantined} or {@code never-synced}).
 */
@Endpoint(id = "m365sync")
public class M365SyncEndpoint {
  static final int MAX_PAGE_SIZE = 500;
  /** The lists, by the statuses they hold (never-synced: any status, no success yet). */
  private static final Map<String, Set<MailboxStatus>> LISTS = Map.of(
      "needing-sign-in", Set.of(MailboxStatus.NEEDS_SIGN_IN),
      "denied", Set.of(MailboxStatus.DENIED_BY_POLICY),
      "failing", SyncMonitor.FAILING,
      "quarantined", Set.of(MailboxStatus.QUARANTINED),
      "never-synced", EnumSet.allOf(MailboxStatus.class));

  private final SyncEngine engine;

  public M365SyncEndpoint(SyncEngine engine) {
    this.engine = engine;
  }

  /** Mailboxes by status, by tenant and status, and each tenant's readiness. */
  public record Overview(long mailboxes, Map<MailboxStatus, Long> byStatus, Map<String, Map<MailboxStatus, Long>> byTenant,
                         List<Tenant> tenants) {}

  /** One tenant's application mode, as {@link TenantStatus} says. */
  public record Tenant(String tenant, boolean applicationEnabled, TenantStatus.AppMode appMode, String reasonCode,
                       String reason, Instant since, Instant retryAt, Set<String> missingPermissions) {
    static Tenant of(TenantStatus s) {
      return new Tenant(s.tenant().value(), s.applicationEnabled(), s.appMode(), s.reasonCode(), s.reason(), s.since(),
          s.retryAt(), s.permissions() == null ? Set.of() : s.permissions().missing());
    }
  }

  /**
   * One page of a list, in mailbox-key order; {@code next} is the key to pass as {@code after} for
   * the following page (null on the last). {@code total} counts the list's statuses (null for
   * never-synced, which no count answers).
   */
  public record Page(String list, int size, Long total, List<Mailbox> mailboxes, String next) {}

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
    Map<MailboxStatus, Long> byStatus = new EnumMap<>(MailboxStatus.class);
    Map<String, Map<MailboxStatus, Long>> byTenant = new TreeMap<>();
    long mailboxes = 0;
    for (StatusCount c : engine.monitor().counts()) { // one grouped query, not every row
      byStatus.merge(c.status(), c.count(), Long::sum);
      byTenant.computeIfAbsent(c.tenant().value(), t -> new EnumMap<>(MailboxStatus.class)).merge(c.status(), c.count(), Long::sum);
      mailboxes += c.count();
    }
    List<Tenant> tenants = byTenant.keySet().stream().map(t -> Tenant.of(engine.tenantStatus(TenantId.of(t)))).toList();
    return new Overview(mailboxes, byStatus, byTenant, tenants);
  }

  /** {@code GET /actuator/m365sync/{list}?after=<mailbox key>&size=50}: a keyset page, never a scan. */
  @ReadOperation
  public Page list(@Selector String list, @Nullable String after, @Nullable Integer size) {
    Set<MailboxStatus> statuses = LISTS.get(list);
    if (statuses == null) {
      String known = new TreeMap<>(LISTS).keySet().toString();
      throw new InvalidEndpointRequestException("unknown list '" + list + "'; one of " + known, "unknown list"); // 400
    }
    int n = Math.min(MAX_PAGE_SIZE, Math.max(1, size == null ? 50 : size));
    boolean neverSynced = list.equals("never-synced");
    StatusQuery q = neverSynced ? StatusQuery.all(n).neverSynced() : StatusQuery.withStatus(statuses, n);
    if (after != null && !after.isBlank()) {
      int slash = after.indexOf('/');
      if (slash <= 0 || slash == after.length() - 1) {
        throw new InvalidEndpointRequestException("'after' must be a mailbox key tenant/userObjectId", "bad after");
      }
      q = q.after(MailboxId.of(after.substring(0, slash), after.substring(slash + 1)));
    }
    StatusPage page = engine.monitor().page(q);
    Long total = neverSynced ? null
        : engine.monitor().counts().stream().filter(c -> statuses.contains(c.status())).mapToLong(StatusCount::count).sum();
    return new Page(list, n, total, page.items().stream().map(Mailbox::of).toList(),
        page.next() == null ? null : page.next().key());
  }
}

package io.m365sync.internal;

import io.m365sync.Mailbox;
import io.m365sync.Purpose;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.TenantStatus;
import io.m365sync.TenantStatus.AppMode;
import io.m365sync.access.PermissionReport;
import io.m365sync.auth.AccessToken;
import io.m365sync.auth.ConsentRequiredException;
import io.m365sync.auth.CredentialsInvalidException;
import io.m365sync.auth.TokenException;
import io.m365sync.auth.TransientAuthFailureException;
import io.m365sync.state.TenantSettings;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides per tenant whether application mode can run now: enabled by the tenant, an app-only token
 * obtainable, permissions verified. A tenant-wide failure (credentials, consent) switches application
 * mode off for the tenant once, with one log line and one listener call, until the retry interval
 * passes or the tenant's setting is changed.
 */
final class ApplicationModeGate {
  private static final Logger log = LoggerFactory.getLogger(ApplicationModeGate.class);

  /** What a round may expect of application mode. */
  record Availability(boolean enabled, boolean healthy, String unhealthyReason, AccessToken token,
                      PermissionReport permissions) {
    boolean permits(Resource resource) {
      return permissions != null && permissions.grants(resource);
    }
  }

  private static final class TenantEntry {
    TenantStatus status;
    Instant retryAt;
    Instant reportForExpiry;
  }

  private final EngineContext ctx;
  private final Set<Resource> resources;
  private final ConcurrentHashMap<TenantId, TenantEntry> tenants = new ConcurrentHashMap<>();

  ApplicationModeGate(EngineContext ctx) {
    this.ctx = ctx;
    this.resources = ctx.syncers().isEmpty() ? EnumSet.noneOf(Resource.class) : EnumSet.copyOf(ctx.syncers().keySet());
  }

  boolean enabled(TenantId tenant) {
    return ctx.store().tenantSettings(tenant).map(TenantSettings::applicationPermissionEnabled).orElse(false);
  }

  Availability check(Mailbox mailbox) {
    TenantId tenant = mailbox.tenant();
    TenantEntry entry = tenants.computeIfAbsent(tenant, t -> new TenantEntry());
    synchronized (entry) {
      Instant now = ctx.clock().instant();
      if (!enabled(tenant)) {
        update(entry, tenant, AppMode.NOT_ENABLED, null, null, null, null, now);
        return new Availability(false, false, "not enabled", null, null);
      }
      if (ctx.application() == null) {
        update(entry, tenant, AppMode.INACTIVE, "NO_APPLICATION_STRATEGY",
            "application permission is enabled but the engine has no application token strategy", null, null, now);
        return unhealthy(entry);
      }
      if (entry.retryAt != null && now.isBefore(entry.retryAt)) {
        return unhealthy(entry);
      }
      AccessToken token;
      try {
        token = ctx.application().acquire(mailbox, Purpose.BACKGROUND_SYNC);
      } catch (CredentialsInvalidException | ConsentRequiredException e) {
        fail(entry, tenant, e, now.plus(ctx.options().applicationRetryInterval()), now);
        return unhealthy(entry);
      } catch (TransientAuthFailureException e) {
        fail(entry, tenant, e, now.plus(e.retryAfter().orElse(ctx.options().failureBackoff())), now);
        return unhealthy(entry);
      } catch (TokenException e) {
        fail(entry, tenant, e, now.plus(ctx.options().applicationRetryInterval()), now);
        return unhealthy(entry);
      }
      PermissionReport report = entry.status != null && entry.status.permissions() != null
          && token.expiresAt().equals(entry.reportForExpiry) ? entry.status.permissions()
          : ctx.verifier().verify(tenant, resources, token);
      entry.reportForExpiry = token.expiresAt();
      entry.retryAt = null;
      String missing = report.complete() ? null : "not consented: " + String.join(", ", report.missing());
      update(entry, tenant, AppMode.ACTIVE, report.complete() ? null : "MISSING_PERMISSION", missing, report, null, now);
      return new Availability(true, true, null, token, report);
    }
  }

  private Availability unhealthy(TenantEntry entry) {
    return new Availability(true, false, entry.status.reason(), null, null);
  }

  private void fail(TenantEntry entry, TenantId tenant, TokenException e, Instant retryAt, Instant now) {
    entry.retryAt = retryAt;
    boolean first = entry.status == null || entry.status.appMode() != AppMode.INACTIVE
        || !java.util.Objects.equals(entry.status.reasonCode(), e.errorCode());
    if (first) {
      log.warn("Application mode off for tenant {} until {}: {}", tenant, retryAt, e.getMessage());
    }
    update(entry, tenant, AppMode.INACTIVE, e.errorCode(), e.getMessage(), null, retryAt, now);
  }

  private void update(TenantEntry entry, TenantId tenant, AppMode mode, String code, String reason,
                      PermissionReport report, Instant retryAt, Instant now) {
    TenantStatus previous = entry.status;
    boolean changed = previous == null || previous.appMode() != mode || !java.util.Objects.equals(previous.reasonCode(), code);
    entry.status = new TenantStatus(tenant, mode != AppMode.NOT_ENABLED, mode, code, reason,
        changed ? now : previous.since(), report != null ? report : previous == null ? null : previous.permissions(), retryAt);
    if (changed) {
      ctx.listener().tenantStatusChanged(previous, entry.status);
    }
  }

  /** The admin changed the tenant's setting: forget past failures so the next round tries again. */
  void reset(TenantId tenant) {
    TenantEntry entry = tenants.computeIfAbsent(tenant, t -> new TenantEntry());
    synchronized (entry) {
      entry.retryAt = null;
      boolean on = enabled(tenant);
      update(entry, tenant, on ? AppMode.UNVERIFIED : AppMode.NOT_ENABLED, null, null, null, null, ctx.clock().instant());
    }
  }

  TenantStatus status(TenantId tenant) {
    TenantEntry entry = tenants.get(tenant);
    if (entry == null) {
      return new TenantStatus(tenant, enabled(tenant), enabled(tenant) ? AppMode.UNVERIFIED : AppMode.NOT_ENABLED,
          null, null, ctx.clock().instant(), null, null);
    }
    synchronized (entry) {
      return entry.status;
    }
  }

}

package io.m365sync.internal;

import io.m365sync.AuthMode;
import io.m365sync.ReasonCode;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides per tenant whether application mode can run now: enabled by the tenant, an app-only token
 * obtainable, permissions verified. A tenant-wide failure (credentials, consent, an outage of the
 * permission check or the directory) switches application mode off for the tenant once, with one log
 * line and one listener call, until the retry interval passes or the tenant's setting is changed.
 *
 * <p>It also holds the tenant's delegated token requests when the app registration's credentials are
 * refused while refreshing a user's token (an expired client secret): one tenant error, then no
 * token request for any mailbox of the tenant until the retry interval passes. After application
 * mode's credentials were refused, delegated requests go one at a time until one tells whether the
 * shared credentials work, so a dead secret costs one request, not one per mailbox.
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
    CredentialsInvalidException delegatedRefused;
    Instant delegatedRetryAt;
    boolean delegatedSuspect;
    /** Serializes delegated probes while the credentials are in doubt, without blocking {@code check}. */
    final Object probe = new Object();
    /** Raised by {@link #reset} under the entry's monitor: a setting read before it may be stale. */
    final AtomicLong settingChanges = new AtomicLong();
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
    // every round of the tenant passes here: its setting is read before the monitor, so that a read
    // waiting on the store (an embedded store queues it behind page writes) holds no other round up
    long changes = entry.settingChanges.get();
    boolean enabled = enabled(tenant);
    synchronized (entry) {
      if (changes != entry.settingChanges.get()) {
        enabled = enabled(tenant); // the admin changed it meanwhile
      }
      Instant now = ctx.clock().instant();
      if (!enabled) {
        update(entry, tenant, AppMode.NOT_ENABLED, null, null, null, null, now);
        return new Availability(false, false, "not enabled", null, null);
      }
      if (ctx.application() == null) {
        update(entry, tenant, AppMode.INACTIVE, ReasonCode.NO_APPLICATION_STRATEGY.code(),
            "application permission is enabled but the engine has no application token strategy", null, null, now);
        return unhealthy(entry);
      }
      if (entry.retryAt != null && now.isBefore(entry.retryAt)) {
        return unhealthy(entry);
      }
      AccessToken token;
      try {
        token = requested(mailbox, AuthMode.APPLICATION, () -> ctx.application().acquire(mailbox, Purpose.BACKGROUND_SYNC));
      } catch (CredentialsInvalidException e) {
        entry.delegatedSuspect = true;
        fail(entry, tenant, e.errorCode(), e.getMessage(), now.plus(ctx.options().applicationRetryInterval()), now);
        return unhealthy(entry);
      } catch (ConsentRequiredException e) {
        fail(entry, tenant, e.errorCode(), e.getMessage(), now.plus(ctx.options().applicationRetryInterval()), now);
        return unhealthy(entry);
      } catch (TransientAuthFailureException e) {
        fail(entry, tenant, e.errorCode(), e.getMessage(),
            now.plus(e.retryAfter().orElse(ctx.options().failureBackoff())), now);
        return unhealthy(entry);
      } catch (TokenException e) {
        fail(entry, tenant, e.errorCode(), e.getMessage(), now.plus(ctx.options().applicationRetryInterval()), now);
        return unhealthy(entry);
      }
      entry.delegatedSuspect = false; // the app's own credentials work
      PermissionReport report;
      try {
        report = entry.status != null && entry.status.permissions() != null
            && token.expiresAt().equals(entry.reportForExpiry) ? entry.status.permissions()
            : ctx.verifier().verify(tenant, resources, token);
      } catch (RuntimeException e) {
        // the directory or the permission check is down: delegated sync goes on, app mode retries soon
        fail(entry, tenant, ReasonCode.PERMISSION_CHECK_UNAVAILABLE.code(), "the permission check failed: " + e.getMessage(),
            now.plus(ctx.options().failureBackoff()), now);
        return unhealthy(entry);
      }
      entry.reportForExpiry = token.expiresAt();
      entry.retryAt = null;
      String missing = report.complete() ? null : "not consented: " + String.join(", ", report.missing());
      update(entry, tenant, AppMode.ACTIVE, report.complete() ? null : ReasonCode.MISSING_PERMISSION.code(), missing, report, null, now);
      return new Availability(true, true, null, token, report);
    }
  }

  private Availability unhealthy(TenantEntry entry) {
    return new Availability(true, false, entry.status.reason(), null, null);
  }

  /**
   * The access check could not reach what it reads (the directory): application mode is off for the
   * tenant until the failure backoff passes; the mailbox's round goes on with delegated tokens.
   */
  Availability accessCheckFailed(Mailbox mailbox, RuntimeException e) {
    TenantEntry entry = tenants.computeIfAbsent(mailbox.tenant(), t -> new TenantEntry());
    synchronized (entry) {
      Instant now = ctx.clock().instant();
      fail(entry, mailbox.tenant(), ReasonCode.ACCESS_CHECK_UNAVAILABLE.code(), "the access-policy check failed: " + e.getMessage(),
          now.plus(ctx.options().failureBackoff()), now);
      return unhealthy(entry);
    }
  }

  private void fail(TenantEntry entry, TenantId tenant, String code, String message, Instant retryAt, Instant now) {
    entry.retryAt = retryAt;
    boolean first = entry.status == null || entry.status.appMode() != AppMode.INACTIVE
        || !java.util.Objects.equals(entry.status.reasonCode(), code);
    if (first) {
      log.warn("Application mode off for tenant {} until {}: {}", tenant, retryAt, message);
    }
    update(entry, tenant, AppMode.INACTIVE, code, message, null, retryAt, now);
  }

  /**
   * Acquires a user's delegated token unless the tenant's credentials are known to be refused (then
   * the stored refusal is thrown and no request is sent). A refusal of the credentials themselves is
   * tenant-wide: it is recorded once and holds every mailbox of the tenant until the retry interval.
   */
  AccessToken acquireDelegated(Mailbox mailbox, Supplier<AccessToken> acquire) {
    TenantEntry entry = tenants.computeIfAbsent(mailbox.tenant(), t -> new TenantEntry());
    CredentialsInvalidException held = delegatedHeld(entry);
    if (held != null) {
      throw held;
    }
    boolean suspect;
    synchronized (entry) {
      suspect = entry.delegatedSuspect;
    }
    if (!suspect) {
      return delegatedAttempt(entry, mailbox, acquire);
    }
    synchronized (entry.probe) { // one probe at a time while the shared credentials are in doubt
      held = delegatedHeld(entry);
      if (held != null) {
        throw held;
      }
      AccessToken token = delegatedAttempt(entry, mailbox, acquire);
      synchronized (entry) {
        entry.delegatedSuspect = false;
      }
      return token;
    }
  }

  private CredentialsInvalidException delegatedHeld(TenantEntry entry) {
    synchronized (entry) {
      if (entry.delegatedRetryAt != null && ctx.clock().instant().isBefore(entry.delegatedRetryAt)) {
        return entry.delegatedRefused;
      }
      return null;
    }
  }

  /** Asks a strategy for a token and tells the listener whether it was granted. */
  private AccessToken requested(Mailbox mailbox, AuthMode mode, Supplier<AccessToken> acquire) {
    boolean granted = false;
    try {
      AccessToken token = acquire.get();
      granted = true;
      return token;
    } finally {
      ctx.listener().tokenRequested(mailbox, mode, granted);
    }
  }

  private AccessToken delegatedAttempt(TenantEntry entry, Mailbox mailbox, Supplier<AccessToken> acquire) {
    try {
      return requested(mailbox, AuthMode.DELEGATED, acquire);
    } catch (CredentialsInvalidException e) {
      synchronized (entry) {
        Instant now = ctx.clock().instant();
        boolean first = entry.delegatedRefused == null || entry.delegatedRetryAt == null
            || !now.isBefore(entry.delegatedRetryAt);
        entry.delegatedRefused = e;
        entry.delegatedRetryAt = now.plus(ctx.options().applicationRetryInterval());
        entry.delegatedSuspect = false;
        if (first) {
          log.warn("Delegated token requests held for tenant {} until {}: the app registration's credentials were"
              + " refused: {}", mailbox.tenant(), entry.delegatedRetryAt, e.getMessage());
          if (entry.status == null || entry.status.appMode() != AppMode.INACTIVE) {
            // an inactive application mode already names the refused credentials
            AppMode mode = entry.status != null ? entry.status.appMode()
                : enabled(mailbox.tenant()) ? AppMode.UNVERIFIED : AppMode.NOT_ENABLED;
            update(entry, mailbox.tenant(), mode, null, null, null, null, now);
          }
        }
      }
      throw e;
    }
  }

  private void update(TenantEntry entry, TenantId tenant, AppMode mode, String code, String reason,
                      PermissionReport report, Instant retryAt, Instant now) {
    if (code == null && entry.delegatedRetryAt != null && now.isBefore(entry.delegatedRetryAt)) {
      code = entry.delegatedRefused.errorCode();
      reason = "delegated token requests held: the app registration's credentials were refused: "
          + entry.delegatedRefused.getMessage();
      retryAt = entry.delegatedRetryAt;
    }
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
      entry.settingChanges.incrementAndGet();
      entry.retryAt = null;
      entry.delegatedRetryAt = null;
      entry.delegatedSuspect = false;
      boolean on = enabled(tenant);
      update(entry, tenant, on ? AppMode.UNVERIFIED : AppMode.NOT_ENABLED, null, null, null, null, ctx.clock().instant());
    }
  }

  TenantStatus status(TenantId tenant) {
    TenantEntry entry = tenants.get(tenant);
    if (entry == null || entry.status == null) {
      return new TenantStatus(tenant, enabled(tenant), enabled(tenant) ? AppMode.UNVERIFIED : AppMode.NOT_ENABLED,
          null, null, ctx.clock().instant(), null, null);
    }
    synchronized (entry) {
      return entry.status;
    }
  }

}

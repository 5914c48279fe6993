package io.m365sync.internal;

import io.m365sync.TenantId;
import io.m365sync.auth.AppRegistrations;
import io.m365sync.auth.CredentialExpiry;
import io.m365sync.auth.RegisteredApp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns the host ahead of each tenant's known app credential expiry. Each tenant's registration is
 * looked up at most once a day (the host's vault is not asked every cycle), so the warning comes at
 * most once per tenant per day and stops once the host rotates the credential.
 */
public final class CredentialExpiryWatch {
  private static final Logger log = LoggerFactory.getLogger(CredentialExpiryWatch.class);
  private static final Duration EVERY = Duration.ofDays(1);

  private final EngineContext ctx;
  private final AppRegistrations<?> registrations;
  private final ConcurrentHashMap<TenantId, Instant> checkedAt = new ConcurrentHashMap<>();

  /** @param registrations the host's registrations; null when the engine was given none (nothing to watch) */
  public CredentialExpiryWatch(EngineContext ctx, AppRegistrations<?> registrations) {
    this.ctx = ctx;
    this.registrations = registrations;
  }

  /** Checks the tenants not checked in the last day. Never throws. */
  void check(Collection<TenantId> tenants) {
    if (registrations == null) {
      return;
    }
    Instant now = ctx.clock().instant();
    for (TenantId tenant : tenants) {
      Instant last = checkedAt.get(tenant);
      if (last != null && now.isBefore(last.plus(EVERY))) {
        continue;
      }
      checkedAt.put(tenant, now);
      expiry(tenant).filter(e -> !now.isBefore(e.expiresAt().minus(ctx.options().credentialExpiryWarning())))
          .ifPresent(e -> warn(e, now));
    }
  }

  private void warn(CredentialExpiry e, Instant now) {
    log.warn("The app credential of client {} for tenant {} {} {}; add a new secret or certificate and rotate it in the vault",
        e.clientId(), e.tenant(), e.expiredAt(now) ? "expired" : "expires", e.expiresAt());
    ctx.listener().credentialExpiringSoon(e);
  }

  /** The tenant's known credential expiry, looked up now; empty when unknown or the lookup fails. */
  public Optional<CredentialExpiry> expiry(TenantId tenant) {
    if (registrations == null) {
      return Optional.empty();
    }
    RegisteredApp<?> app;
    try {
      app = registrations.forTenant(tenant);
    } catch (RuntimeException e) {
      log.warn("The app registration of tenant {} could not be looked up: {}", tenant, e.toString());
      return Optional.empty();
    }
    return app == null ? Optional.empty()
        : app.credentialExpiry().map(at -> new CredentialExpiry(tenant, app.clientId(), at));
  }
}

package io.m365sync.policy;

import io.m365sync.Checks;
import io.m365sync.TenantId;
import io.m365sync.auth.AppRegistrations;
import java.util.function.Function;

/** Which application id the checks look for in a tenant: one app everywhere, or each tenant's own. */
final class AppIds {
  private AppIds() {}

  static Function<TenantId, AppId> single(AppId app) {
    Checks.requireNonNull(app, "app");
    return tenant -> app;
  }

  /** Each tenant's client id, read from the host's registrations when the check runs. */
  static Function<TenantId, AppId> of(AppRegistrations<?> registrations) {
    Checks.requireNonNull(registrations, "registrations");
    return tenant -> AppId.of(registrations.forTenant(tenant).clientId());
  }
}

package io.m365sync.auth;

import io.m365sync.Checks;
import io.m365sync.TenantId;

/**
 * Which app registration serves a tenant: one multi-tenant app for every tenant ({@link #single}),
 * or each customer tenant's own registration with its own client id and secret or certificate.
 *
 * <p>Looked up when needed (each token request the strategies cannot serve from memory, each
 * readiness or policy check, the engine's daily expiry check), so the host may keep the credentials
 * in its vault and rotate them without a restart: a changed credential is used from the next token
 * request on. Keep it fast (cache in the host if the vault is slow) and thread-safe.
 *
 * <pre>{@code
 * AppRegistrations<AppCredential> apps = tenant -> {
 *   VaultEntry v = vault.read("m365/" + tenant.value());
 *   return RegisteredApp.of(v.clientId(), AppCredential.secret(v.secret())).expiringAt(v.expiresAt());
 * };
 * }</pre>
 *
 * @param <C> the credential type the token strategies take
 */
@FunctionalInterface
public interface AppRegistrations<C> {

  /**
   * The registration serving {@code tenant}.
   *
   * @throws RuntimeException when the host cannot tell (its vault is down, the tenant is unknown);
   *     token strategies turn that into a transient failure of that tenant alone
   */
  RegisteredApp<C> forTenant(TenantId tenant);

  /** One app registration for every tenant (a multi-tenant app): the common setup. */
  static <C> AppRegistrations<C> single(RegisteredApp<C> app) {
    Checks.requireNonNull(app, "app");
    return new AppRegistrations<>() {
      @Override
      public RegisteredApp<C> forTenant(TenantId tenant) {
        return app;
      }

      @Override
      public String toString() {
        return "AppRegistrations.single[" + app + "]";
      }
    };
  }

  /** One app registration, {@code clientId} with {@code credential}, for every tenant. */
  static <C> AppRegistrations<C> single(String clientId, C credential) {
    return single(RegisteredApp.of(clientId, credential));
  }
}

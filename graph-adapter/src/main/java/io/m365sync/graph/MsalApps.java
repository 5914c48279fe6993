package io.m365sync.graph;

import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import io.m365sync.Mailbox;
import io.m365sync.TenantId;
import io.m365sync.auth.AppRegistrations;
import io.m365sync.auth.RegisteredApp;
import io.m365sync.auth.TransientAuthFailureException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * One MSAL confidential client per tenant, for the registration the host's {@link AppRegistrations}
 * names now: reused while client id and credential stay the same (MSAL's cache and connections
 * survive), rebuilt on the first request after the host rotated them (no restart).
 */
final class MsalApps {
  private record Built(String clientId, AppCredential credential, ConfidentialClientApplication app) {}

  private final AppRegistrations<AppCredential> registrations;
  private final BiFunction<RegisteredApp<AppCredential>, TenantId, ConfidentialClientApplication> factory;
  private final ConcurrentHashMap<TenantId, Built> built = new ConcurrentHashMap<>();

  MsalApps(AppRegistrations<AppCredential> registrations,
           BiFunction<RegisteredApp<AppCredential>, TenantId, ConfidentialClientApplication> factory) {
    this.registrations = registrations;
    this.factory = factory;
  }

  /**
   * The client for the mailbox's tenant.
   *
   * @throws TransientAuthFailureException when the host's registrations cannot answer (tenant alone)
   */
  ConfidentialClientApplication app(Mailbox mailbox) {
    TenantId tenant = mailbox.tenant();
    RegisteredApp<AppCredential> now = registration(mailbox);
    return built.compute(tenant, (t, old) -> old != null && old.clientId.equals(now.clientId())
        && old.credential.equals(now.credential()) ? old
        : new Built(now.clientId(), now.credential(), factory.apply(now, t))).app;
  }

  /**
   * A new client for one call, never kept: its MSAL cache starts empty, so what it loads and
   * learns belongs to that call alone (the delegated strategy's per-user isolation).
   *
   * @throws TransientAuthFailureException when the host's registrations cannot answer (tenant alone)
   */
  ConfidentialClientApplication fresh(Mailbox mailbox) {
    RegisteredApp<AppCredential> now = registration(mailbox);
    return factory.apply(now, mailbox.tenant());
  }

  /** The client id last used for {@code tenant}, for error messages; looked up if none was used yet. */
  String clientId(TenantId tenant) {
    Built b = built.get(tenant);
    if (b != null) {
      return b.clientId;
    }
    try {
      return registrations.forTenant(tenant).clientId();
    } catch (RuntimeException e) {
      return "(unknown)";
    }
  }

  private RegisteredApp<AppCredential> registration(Mailbox mailbox) {
    RegisteredApp<AppCredential> r;
    try {
      r = registrations.forTenant(mailbox.tenant());
    } catch (RuntimeException e) {
      throw new TransientAuthFailureException(mailbox.tenant(), null, "APP_REGISTRATION_LOOKUP_FAILED",
          "the host's app registrations could not be read: " + e.getClass().getSimpleName(), null, null);
    }
    if (r == null) {
      throw new TransientAuthFailureException(mailbox.tenant(), null, "APP_REGISTRATION_LOOKUP_FAILED",
          "the host's app registrations named no app for this tenant", null, null);
    }
    return r;
  }

  @Override
  public String toString() {
    return registrations.toString();
  }
}

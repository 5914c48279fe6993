package io.m365sync.testkit.model;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The CRM's app registration in a tenant, with its service principal's state: client secrets and
 * certificates, the permissions added to the registration, which application permissions have admin
 * consent (app-role assignments) and which delegated scopes are granted to all users.
 */
public final class AppRegistration {
  private final String clientId;
  private final String displayName;
  private final String applicationObjectId;
  private final String servicePrincipalId;
  private final List<ClientSecret> secrets = new CopyOnWriteArrayList<>();
  private final List<X509Certificate> certificates = new CopyOnWriteArrayList<>();
  private final Set<String> delegatedPermissions = new CopyOnWriteArraySet<>();
  private final Set<String> applicationPermissions = new CopyOnWriteArraySet<>();
  private final Set<String> consentedApplicationPermissions = new CopyOnWriteArraySet<>();
  private final Set<String> adminGrantedDelegated = new CopyOnWriteArraySet<>();

  AppRegistration(String clientId, String displayName) {
    this(clientId, displayName, UUID.randomUUID().toString(), UUID.randomUUID().toString());
  }

  AppRegistration(String clientId, String displayName, String applicationObjectId, String servicePrincipalId) {
    this.clientId = clientId;
    this.displayName = displayName;
    this.applicationObjectId = applicationObjectId;
    this.servicePrincipalId = servicePrincipalId;
  }

  /** Restores consent state from a snapshot. */
  void restoreConsent(Set<String> consentedApplication, Set<String> adminGrantedDelegatedScopes) {
    consentedApplicationPermissions.addAll(consentedApplication);
    adminGrantedDelegated.addAll(adminGrantedDelegatedScopes);
  }

  public String clientId() {
    return clientId;
  }

  public String displayName() {
    return displayName;
  }

  public String applicationObjectId() {
    return applicationObjectId;
  }

  public String servicePrincipalId() {
    return servicePrincipalId;
  }

  public AppRegistration addSecret(String value, Instant endDateTime) {
    secrets.add(new ClientSecret(UUID.randomUUID().toString(), value, endDateTime, "secret-" + (secrets.size() + 1)));
    return this;
  }

  public List<ClientSecret> secrets() {
    return List.copyOf(secrets);
  }

  public AppRegistration addCertificate(X509Certificate certificate) {
    certificates.add(certificate);
    return this;
  }

  public List<X509Certificate> certificates() {
    return List.copyOf(certificates);
  }

  /** Adds delegated permissions to the registration (users consent to them at sign-in). */
  public AppRegistration addDelegatedPermissions(String... permissions) {
    delegatedPermissions.addAll(List.of(permissions));
    return this;
  }

  public AppRegistration removeDelegatedPermission(String permission) {
    delegatedPermissions.remove(permission);
    adminGrantedDelegated.remove(permission);
    return this;
  }

  public Set<String> delegatedPermissions() {
    return Set.copyOf(delegatedPermissions);
  }

  /** Adds application permissions; they take effect only after {@link #grantAdminConsent()}. */
  public AppRegistration addApplicationPermissions(String... permissions) {
    applicationPermissions.addAll(List.of(permissions));
    return this;
  }

  public Set<String> applicationPermissions() {
    return Set.copyOf(applicationPermissions);
  }

  /** The admin grants consent: every added application and delegated permission becomes granted. */
  public AppRegistration grantAdminConsent() {
    consentedApplicationPermissions.addAll(applicationPermissions);
    adminGrantedDelegated.addAll(delegatedPermissions);
    return this;
  }

  /** Removes consent for one application permission (the app-role assignment). */
  public AppRegistration revokeApplicationConsent(String permission) {
    consentedApplicationPermissions.remove(permission);
    return this;
  }

  /** Application permissions with admin consent: what app-only tokens carry in {@code roles}. */
  public Set<String> consentedApplicationPermissions() {
    return Set.copyOf(consentedApplicationPermissions);
  }

  /** Delegated scopes granted tenant-wide by the admin ({@code consentType AllPrincipals}). */
  public Set<String> adminGrantedDelegatedPermissions() {
    return Set.copyOf(adminGrantedDelegated);
  }
}

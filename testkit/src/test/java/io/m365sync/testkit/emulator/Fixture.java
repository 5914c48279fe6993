package io.m365sync.testkit.emulator;

import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/** A tenant with two licensed users, the CRM app (secret, certificate, all permissions consented) and a running emulator. */
final class Fixture implements AutoCloseable {
  static final String CLIENT_ID = "11111111-2222-3333-4444-555555555555";
  static final String SECRET = "s3cr3t~value";
  static final String[] PERMISSIONS = {"Calendars.ReadWrite", "Contacts.ReadWrite", "Mail.ReadWrite",
      "MailboxSettings.ReadWrite"};

  final MutableClock clock = MutableClock.startingNow();
  final CloudModel cloud = new CloudModel(clock);
  final TenantModel tenant = cloud.addTenant("contoso.com");
  final ModelUser alice = tenant.addUser("alice");
  final ModelUser bob = tenant.addUser("bob");
  final SelfSignedCertificate cert = SelfSignedCertificate.create("crm-sync", clock.instant().minus(Duration.ofDays(1)),
      clock.instant().plus(Duration.ofDays(365)));
  final AppRegistration app = tenant.registerApp(CLIENT_ID, "CRM Sync")
      .addSecret(SECRET, clock.instant().plus(Duration.ofDays(180)))
      .addCertificate(cert.certificate())
      .addDelegatedPermissions(PERMISSIONS).addDelegatedPermissions("Tasks.ReadWrite")
      .addApplicationPermissions(PERMISSIONS).addApplicationPermissions("Tasks.ReadWrite.All")
      .grantAdminConsent();
  final M365Emulator emulator = new M365Emulator(cloud).start();
  final RawHttp http = new RawHttp();

  String graph(String path) {
    return emulator.graphBaseUrl() + path;
  }

  String tokenUrl() {
    return emulator.tokenUrl(tenant.tenantId());
  }

  /** An app-only access token over HTTP. */
  String appToken() {
    RawHttp.Response r = http.form(tokenUrl(), Map.of("grant_type", "client_credentials", "client_id", CLIENT_ID,
        "client_secret", SECRET, "scope", "https://graph.microsoft.com/.default"));
    if (r.status() != 200) {
      throw new IllegalStateException("token request failed: " + r.text());
    }
    return r.json().get("access_token").asText();
  }

  /** The delegated token response of {@code user} signing in (authorization code). */
  RawHttp.Response signIn(ModelUser user) {
    return http.form(tokenUrl(), Map.of("grant_type", "authorization_code", "client_id", CLIENT_ID, "client_secret", SECRET,
        "code", emulator.authorizationCode(tenant, user, CLIENT_ID), "redirect_uri", "https://crm.example/auth",
        "scope", "https://graph.microsoft.com/.default offline_access openid profile"));
  }

  String delegatedToken(ModelUser user) {
    return signIn(user).json().get("access_token").asText();
  }

  static String jwtPayload(String jwt) {
    return new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    emulator.close();
  }
}

package io.m365sync.examples;

import io.m365sync.Resource;
import io.m365sync.resource.CalendarEvent;
import io.m365sync.resource.Contact;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The quickstart's Microsoft 365: Contoso with the CRM's app registration and five users holding
 * calendar events and contacts, served over HTTP on 127.0.0.1 by the testkit's emulator.
 */
final class DemoWorld implements AutoCloseable {
  static final String CLIENT_ID = "4a7c9e21-5b3d-4f6a-9c8e-2d1f0b3a5c7e";
  /** A demo secret for the emulator only; real secrets come from configuration, never from code. */
  static final String CLIENT_SECRET = "quickstart-demo-secret";
  static final Instant START = Instant.parse("2026-01-05T09:00:00Z");

  final MutableClock clock = new MutableClock(START);
  final CloudModel cloud = new CloudModel(clock);
  final TenantModel tenant = cloud.addTenant("contoso.com");
  final AppRegistration app;
  final Map<String, ModelUser> users = new LinkedHashMap<>();
  final M365Emulator emulator;

  DemoWorld(String... aliases) {
    app = tenant.registerApp(CLIENT_ID, "Contoso CRM").addSecret(CLIENT_SECRET, START.plus(Duration.ofDays(730)));
    for (Resource r : Resource.values()) {
      app.addDelegatedPermissions(r.delegatedPermission());
    }
    app.addDelegatedPermissions("offline_access", "User.Read");
    for (String alias : aliases) {
      ModelUser u = tenant.addUser(alias);
      for (int i = 1; i <= 3; i++) {
        Instant start = START.plus(Duration.ofDays(i)).plus(Duration.ofHours(i));
        tenant.mailbox(u).calendar().create(CalendarEvent.simple(alias + " customer meeting " + i, start,
            start.plus(Duration.ofMinutes(45))));
      }
      tenant.mailbox(u).contacts().create(Contact.of("Ada", "Lovelace", "ada." + alias + "@example.com"));
      users.put(alias, u);
    }
    emulator = new M365Emulator(cloud).start();
  }

  ModelUser user(String alias) {
    return users.get(alias);
  }

  /** The admin adds the application permissions and grants admin consent. */
  void grantApplicationPermissions(Resource... resources) {
    for (Resource r : resources) {
      app.addApplicationPermissions(r.applicationPermission());
    }
    app.grantAdminConsent();
  }

  @Override
  public void close() {
    emulator.close();
  }
}

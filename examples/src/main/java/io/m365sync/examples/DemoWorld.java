package io.m365sync.examples;

import io.m365sync.Resource;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.CloudSnapshot;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The quickstart's Microsoft 365: Contoso with the CRM's app registration and five users holding
 * calendar events and contacts, served over HTTP on 127.0.0.1 by the testkit's emulator.
 */
final class DemoWorld implements AutoCloseable {
  static final String CLIENT_ID = "4a7c9e21-5b3d-4f6a-9c8e-2d1f0b3a5c7e";
  /** A demo secret for the emulator only; real secrets come from configuration, never from code. */
  static final String CLIENT_SECRET = "quickstart-demo-secret";
  static final Instant START = Instant.parse("2026-01-05T09:00:00Z");

  final MutableClock clock;
  final CloudModel cloud;
  final TenantModel tenant;
  final AppRegistration app;
  final M365Emulator emulator;

  private DemoWorld(CloudModel cloud, int port) {
    this.cloud = cloud;
    this.clock = (MutableClock) cloud.clock();
    this.tenant = cloud.findTenant("contoso.com").orElseGet(() -> cloud.addTenant("contoso.com"));
    this.app = tenant.app(CLIENT_ID).orElseGet(() -> tenant.registerApp(CLIENT_ID, "Contoso CRM")
        .addSecret(CLIENT_SECRET, START.plus(Duration.ofDays(730))));
    // stored delta links are absolute URLs: a resumed world listens where the saved one did
    this.emulator = new M365Emulator(cloud).start(port);
  }

  /** A new Contoso whose users each hold three events and a contact. */
  static DemoWorld seed(String... aliases) {
    DemoWorld w = new DemoWorld(new CloudModel(new MutableClock(START)), 0);
    for (Resource r : Resource.values()) {
      w.app.addDelegatedPermissions(r.delegatedPermission());
    }
    w.app.addDelegatedPermissions("offline_access", "User.Read");
    for (String alias : aliases) {
      ModelUser u = w.tenant.addUser(alias);
      for (int i = 1; i <= 3; i++) {
        Instant start = START.plus(Duration.ofDays(i)).plus(Duration.ofHours(i));
        w.tenant.mailbox(u).calendar().create(CalendarEvent.simple(alias + " customer meeting " + i, start,
            start.plus(Duration.ofMinutes(45))));
      }
      w.tenant.mailbox(u).contacts().create(Contact.of("Ada", "Lovelace", "ada." + alias + "@example.com"));
    }
    return w;
  }

  /** The world a previous run saved with {@link #save}, served again. */
  static DemoWorld load(Path snapshot) {
    try {
      int port = Integer.parseInt(Files.readString(portFile(snapshot)).trim());
      return new DemoWorld(CloudSnapshot.load(snapshot), port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + portFile(snapshot) + ": " + e.getMessage(), e);
    }
  }

  void save(Path snapshot) {
    CloudSnapshot.save(cloud, snapshot);
    try {
      Files.writeString(portFile(snapshot), Integer.toString(URI.create(emulator.baseUrl()).getPort()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + portFile(snapshot) + ": " + e.getMessage(), e);
    }
  }

  private static Path portFile(Path snapshot) {
    return snapshot.resolveSibling("emulator.port");
  }

  ModelUser user(String alias) {
    return tenant.user(alias + "@" + tenant.domain());
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

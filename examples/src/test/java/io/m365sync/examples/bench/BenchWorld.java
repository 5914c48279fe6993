package io.m365sync.examples.bench;

import io.m365sync.Resource;
import io.m365sync.model.Attendee;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.EmailAddress;
import io.m365sync.testkit.model.AppRegistration;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.TenantModel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One tenant for the benchmarks: the CRM's app registration with admin consent for events and
 * contacts, and mailboxes seeded with calendar events of ~2.2 KB of JSON each (and, on request, a
 * contact each). The calendar window every path reads is fixed at creation.
 */
final class BenchWorld {
  private static final String BODY = "Agenda: pipeline review, renewal terms, next steps and owners. ".repeat(20);

  final Clock clock;
  final CloudModel cloud;
  final TenantModel tenant;
  final Instant from;
  final Instant to;

  BenchWorld(Clock clock) {
    this.clock = clock;
    this.cloud = new CloudModel(clock);
    this.tenant = cloud.addTenant("contoso.com");
    tenant.accessTokenLifetime(Duration.ofHours(2));
    AppRegistration app = tenant.registerApp(SyncBenchmark.CLIENT_ID, "Benchmark CRM")
        .addSecret(SyncBenchmark.SECRET, clock.instant().plus(Duration.ofDays(365)));
    app.addApplicationPermissions(Resource.EVENTS.applicationPermission(), Resource.CONTACTS.applicationPermission())
        .grantAdminConsent();
    this.from = clock.instant().minus(Duration.ofDays(30));
    this.to = clock.instant().plus(Duration.ofDays(365));
  }

  /** {@code mailboxes} new users named {@code prefix0, prefix1, …}, each with {@code events} events 40 minutes apart. */
  List<ModelUser> addMailboxes(String prefix, int mailboxes, int events) {
    return seed(tenant, clock.instant(), prefix, mailboxes, events);
  }

  static List<ModelUser> seed(TenantModel tenant, Instant now, String prefix, int mailboxes, int events) {
    List<ModelUser> users = new ArrayList<>(mailboxes);
    for (int m = 0; m < mailboxes; m++) {
      ModelUser u = tenant.addUser(prefix + m);
      for (int i = 0; i < events; i++) {
        Instant s = now.plus(Duration.ofMinutes(40L * i + 60));
        tenant.mailbox(u).calendar().create(new CalendarEvent("Customer meeting " + i + " with Fabrikam", BODY, s,
            s.plus(Duration.ofMinutes(30)), "Pacific Standard Time", false, "Room " + (i % 40),
            new EmailAddress(u.userPrincipalName(), u.displayName()),
            List.of(new Attendee(EmailAddress.of("buyer@fabrikam.com"), "required", "accepted"),
                new Attendee(EmailAddress.of("cfo@fabrikam.com"), "optional", "none")),
            CalendarEvent.EventType.SINGLE_INSTANCE, null, null, "uid-" + prefix + m + "-" + i, Map.of()));
      }
      users.add(u);
    }
    return users;
  }

  void addContact(ModelUser u) {
    tenant.mailbox(u).contacts().create(Contact.of("Ada", "Lovelace", "ada@example.com"));
  }
}

package io.m365sync.examples;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncListener;
import io.m365sync.resource.CalendarEvent;
import io.m365sync.resource.Contact;
import io.m365sync.resource.ResourceSyncers;
import io.m365sync.resource.ResourceType;
import io.m365sync.state.MailboxState;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelUser;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The story m365sync exists for, on an in-memory Microsoft 365 tenant (no Microsoft account needed):
 * delegated sync stops at the 90-day cliff; application permissions keep it going, but only for
 * mailboxes whose owner signed in once and only where the tenant's access policy allows.
 */
public final class Quickstart {
  private static final Set<Resource> RESOURCES = EnumSet.of(Resource.EVENTS, Resource.CONTACTS);

  private final PrintStream out;
  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final InMemoryCrmStore<CalendarEvent> crmEvents = new InMemoryCrmStore<>("event");
  private final InMemoryCrmStore<Contact> crmContacts = new InMemoryCrmStore<>("contact");
  private final List<Mailbox> enrolled = new ArrayList<>();
  private final List<String> neverSignedIn = new ArrayList<>();
  private SyncEngine engine;

  Quickstart(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    new Quickstart(System.out).run();
  }

  void run() {
    engine = SyncEngine.builder()
        .clock(m365.clock())
        .gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens())
        .applicationTokens(m365.applicationTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crmEvents))
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crmContacts))
        .listener(new SyncListener() {
          @Override
          public void signInRequired(Mailbox mailbox, MailboxState state) {
            out.printf("  -> notify %s: please sign in to the CRM add-in again (%s)%n", mailbox.userPrincipalName(),
                state.reasonCode());
          }
        })
        .build();

    ModelUser alice = seededUser("alice");
    ModelUser bob = seededUser("bob");
    ModelUser carol = seededUser("carol");
    ModelUser dave = seededUser("dave");
    ModelUser erin = seededUser("erin");
    for (ModelUser u : List.of(alice, bob, carol, dave)) {
      Mailbox m = m365.signIn(u, RESOURCES);
      enrolled.add(m);
      engine.enroll(m);
    }
    neverSignedIn.add(erin.userPrincipalName());

    step(1, "Delegated sync of the four users who signed in to the add-in (erin never did)");
    engine.runCycle();
    table();

    step(2, "91 days pass without anyone signing in: the delegated refresh tokens die");
    m365.clock().advance(Duration.ofDays(91));
    engine.runCycle();
    table();

    step(3, "The admin adds application permissions, grants consent and enables them for the tenant");
    m365.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
    engine.setApplicationPermissionEnabled(m365.tenantId(), true);
    m365.mailbox(alice).calendar().create(CalendarEvent.simple("Renewal call",
        m365.clock().instant().plus(Duration.ofDays(3)), m365.clock().instant().plus(Duration.ofDays(3)).plusSeconds(1800)));
    m365.clock().advance(Duration.ofMinutes(15));
    engine.runCycle();
    table();
    out.printf("  tenant application mode: %s; missing permissions: %s%n",
        engine.tenantStatus(m365.tenantId()).appMode(), engine.tenantStatus(m365.tenantId()).permissions().missing());

    step(4, "A RestrictAccess policy limits the app to the 'crm-sync-users' group (dave is outside; he signs in again)");
    ModelGroup group = m365.tenant().addGroup("crm-sync-users", true).add(alice).add(bob).add(carol);
    m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, FakeMicrosoft365.CLIENT_ID, group,
        "CRM sync for CRM users only");
    Mailbox daveAgain = m365.signIn(dave, RESOURCES);
    engine.enroll(daveAgain);
    m365.clock().advance(Duration.ofMinutes(15));
    engine.runCycle();
    table();
    out.printf("  requests that reached erin's mailbox (never signed in): %d%n",
        m365.cloud().log().requestsAbout(erin.objectId()));
  }

  private ModelUser seededUser(String alias) {
    ModelUser u = m365.addUser(alias);
    Instant now = m365.clock().instant();
    for (int i = 1; i <= 3; i++) {
      m365.mailbox(u).calendar().create(CalendarEvent.simple(alias + " customer meeting " + i,
          now.plus(Duration.ofDays(i)), now.plus(Duration.ofDays(i)).plus(Duration.ofHours(1))));
    }
    m365.mailbox(u).contacts().create(Contact.of("Ada", "Lovelace", "ada." + alias + "@example.com"));
    return u;
  }

  private void step(int n, String title) {
    out.printf("%nStep %d: %s%n", n, title);
  }

  private void table() {
    StatusTable.print(out, engine, enrolled, neverSignedIn,
        id -> crmEvents.list(id).size() + crmContacts.list(id).size());
  }
}

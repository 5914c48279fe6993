package io.m365sync.examples;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncListener;
import io.m365sync.TenantId;
import io.m365sync.graph.AppCredential;
import io.m365sync.graph.GraphMailboxGateway;
import io.m365sync.graph.MsalApplicationTokenStrategy;
import io.m365sync.graph.MsalDelegatedTokenStrategy;
import io.m365sync.graph.TokenCacheCipher;
import io.m365sync.jdbc.JdbcSyncStateStore;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.state.MailboxState;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelUser;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The story m365sync exists for, end to end with no Microsoft account: the real MSAL4J and Graph SDK
 * adapters talk HTTP to the testkit's Microsoft 365 emulator on 127.0.0.1; state goes to an H2 file
 * and the CRM to JSON files under the given directory.
 *
 * <ol>
 *   <li>delegated sync of the enrolled users;
 *   <li>91 days without sign-in: delegated sync stops ({@code NEEDS_SIGN_IN}), users notified;
 *   <li>the admin grants application permissions and enables them: sync goes on ({@code ACTIVE},
 *       application mode);
 *   <li>a RestrictAccess policy: the user outside its group becomes {@code DENIED_BY_POLICY} (and
 *       falls back to delegated once he signs in again); the user who never signed in was never touched;
 *   <li>change notifications on (the engine restarted with {@code changeNotifications}, a JDK HTTP
 *       receiver and the in-process scheduler): a meeting created in Outlook reaches the CRM seconds
 *       later, through one debounced delta read; the step prints the measured delay.
 * </ol>
 */
public final class Quickstart {
  static final URI REDIRECT = URI.create("https://crm.example.com/addin/callback");
  private static final Set<Resource> RESOURCES = EnumSet.of(Resource.EVENTS, Resource.CONTACTS);

  private final PrintStream out;
  private final Path dir;
  private final List<Mailbox> enrolled = new ArrayList<>();

  Quickstart(PrintStream out, Path dir) {
    this.out = out;
    this.dir = dir;
  }

  public static void main(String[] args) {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/quickstart");
    new Quickstart(System.out, dir).run();
  }

  void run() {
    Path snapshot = dir.resolve("microsoft365.json");
    boolean resume = Files.exists(snapshot);
    try (DemoWorld world = resume ? DemoWorld.load(snapshot) : DemoWorld.seed("alice", "bob", "carol", "dave", "erin");
         JdbcSyncStateStore store = JdbcSyncStateStore.h2File(dir.resolve("state"))) {
      JsonFileCrmStore<CalendarEvent> crmEvents = JsonFileCrmStore.open(dir.resolve("crm-events.json"), CalendarEvent.class, "event");
      JsonFileCrmStore<Contact> crmContacts = JsonFileCrmStore.open(dir.resolve("crm-contacts.json"), Contact.class, "contact");
      URI login = URI.create(world.emulator.loginBaseUrl());
      MsalDelegatedTokenStrategy delegated = MsalDelegatedTokenStrategy.builder()
          .clientId(DemoWorld.CLIENT_ID).credential(AppCredential.secret(DemoWorld.CLIENT_SECRET))
          .store(store).cipher(TokenCacheCipher.aesGcm("quickstart-1", demoKey()))
          .clock(world.clock).routeTokenRequestsTo(login).build();
      MsalApplicationTokenStrategy application = MsalApplicationTokenStrategy.builder().clientId(DemoWorld.CLIENT_ID)
          .credential(AppCredential.secret(DemoWorld.CLIENT_SECRET)).clock(world.clock).routeTokenRequestsTo(login).build();
      // step 5 restarts the engine with notifications on: the same settings, built again
      Supplier<SyncEngine.Builder> engines = () -> SyncEngine.builder()
          .clock(world.clock)
          .stateStore(store)
          .gateway(GraphMailboxGateway.builder().baseUrl(world.emulator.graphBaseUrl()).build())
          .delegatedTokens(delegated)
          .applicationTokens(application)
          .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crmEvents))
          .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crmContacts))
          .listener(new SyncListener() {
            @Override
            public void signInRequired(Mailbox mailbox, MailboxState state) {
              out.printf("  -> notify %s: please sign in to the CRM add-in again (%s)%n", mailbox.userPrincipalName(),
                  state.reasonCode());
            }
          });
      SyncEngine engine = engines.get().build();
      Story story = new Story(world, engine, delegated, TenantId.of(world.tenant.tenantId()),
          new StatusTable(out, engine, id -> crmEvents.list(id).size() + crmContacts.list(id).size()),
          new NotificationsStep(out, world, engines, crmEvents));
      if (resume) {
        story.resume(store);
      } else {
        story.tell();
      }
      long graphRequests = world.cloud.log().count(r -> r.isGraph());
      out.printf("  Graph requests in this run: %d; CRM records: %d, duplicates: %d%n", graphRequests,
          crmEvents.size() + crmContacts.size(), crmEvents.duplicates() + crmContacts.duplicates());
      world.save(snapshot);
      out.printf("  Microsoft 365, sync state and CRM saved in %s: run again to resume%n", dir.toAbsolutePath());
    }
  }

  /** The five steps, then what a second run does. */
  private final class Story {
    private final DemoWorld world;
    private final SyncEngine engine;
    private final MsalDelegatedTokenStrategy delegated;
    private final TenantId tenant;
    private final StatusTable table;
    private final NotificationsStep notifications;
    private final List<String> neverSignedIn;

    Story(DemoWorld world, SyncEngine engine, MsalDelegatedTokenStrategy delegated, TenantId tenant, StatusTable table,
          NotificationsStep notifications) {
      this.world = world;
      this.engine = engine;
      this.delegated = delegated;
      this.tenant = tenant;
      this.table = table;
      this.notifications = notifications;
      this.neverSignedIn = List.of(world.user("erin").userPrincipalName());
    }

    void tell() {
      for (String alias : List.of("alice", "bob", "carol", "dave")) {
        Mailbox m = signIn(world, delegated, tenant, world.user(alias));
        enrolled.add(m);
        engine.enroll(m);
      }

      step(1, "Delegated sync of the four users who signed in to the add-in (erin never did)");
      engine.runCycle();
      table.print(enrolled, neverSignedIn);

      step(2, "91 days pass without anyone signing in: the delegated refresh tokens die");
      world.clock.advance(Duration.ofDays(91));
      engine.runCycle();
      table.print(enrolled, neverSignedIn);

      step(3, "The admin adds application permissions, grants consent and enables them for the tenant");
      world.grantApplicationPermissions(Resource.EVENTS, Resource.CONTACTS);
      engine.setApplicationPermissionEnabled(tenant, true);
      world.tenant.mailbox(world.user("alice")).calendar().create(CalendarEvent.simple("Renewal call",
          world.clock.instant().plus(Duration.ofDays(3)), world.clock.instant().plus(Duration.ofDays(3)).plusSeconds(1800)));
      world.clock.advance(Duration.ofMinutes(15));
      engine.runCycle();
      table.print(enrolled, neverSignedIn);
      out.printf("  tenant application mode: %s; missing permissions: %s%n",
          engine.tenantStatus(tenant).appMode(), engine.tenantStatus(tenant).permissions().missing());

      step(4, "A RestrictAccess policy limits the app to 'crm-sync-users' (dave is outside; he signs in again)");
      ModelGroup group = world.tenant.addGroup("crm-sync-users", true)
          .add(world.user("alice")).add(world.user("bob")).add(world.user("carol"));
      world.tenant.addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, DemoWorld.CLIENT_ID, group,
          "CRM sync for CRM users only");
      engine.enroll(signIn(world, delegated, tenant, world.user("dave")));
      world.clock.advance(Duration.ofMinutes(15));
      engine.runCycle();
      table.print(enrolled, neverSignedIn);
      out.printf("  requests that reached erin's mailbox (never signed in): %d%n",
          world.cloud.log().requestsAbout(world.user("erin").objectId()));

      notifications.run(enrolled);
      table.print(enrolled, neverSignedIn);
    }

    void resume(JdbcSyncStateStore store) {
      enrolled.addAll(store.enrollments());
      step(6, "A second run: Microsoft 365, the sync state (H2 file) and the CRM (JSON) come back; bob has a new meeting");
      world.tenant.mailbox(world.user("bob")).calendar().create(CalendarEvent.simple("Follow-up",
          world.clock.instant().plus(Duration.ofDays(1)), world.clock.instant().plus(Duration.ofDays(1)).plusSeconds(1800)));
      world.clock.advance(Duration.ofMinutes(15));
      engine.runCycle();
      table.print(enrolled, neverSignedIn);
    }
  }

  /** The add-in sign-in: the browser brings back an authorization code, the CRM redeems it. */
  private static Mailbox signIn(DemoWorld world, MsalDelegatedTokenStrategy delegated, TenantId tenant, ModelUser user) {
    String code = world.emulator.authorizationCode(world.tenant, user, DemoWorld.CLIENT_ID);
    return delegated.signIn(tenant, code, REDIRECT, "crm-user-" + user.displayName(), RESOURCES);
  }

  private void step(int n, String title) {
    step(out, n, title);
  }

  static void step(PrintStream out, int n, String title) {
    out.printf("%nStep %d: %s%n", n, title);
  }

  /** A fixed demo key: real hosts load theirs from a key vault and pass it with a key id. */
  private static byte[] demoKey() {
    try {
      return MessageDigest.getInstance("SHA-256").digest("m365sync quickstart demo key".getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

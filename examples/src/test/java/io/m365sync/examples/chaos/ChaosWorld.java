package io.m365sync.examples.chaos;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.TenantId;
import io.m365sync.graph.AppCredential;
import io.m365sync.graph.GraphMailboxGateway;
import io.m365sync.graph.MsalApplicationTokenStrategy;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.EmailAddress;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.MailboxStatus;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.MutableClock;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.StoredItem;
import io.m365sync.testkit.model.TenantModel;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A tenant of small mailboxes (events and contacts) synced one way into an in-memory CRM by the
 * production stack — {@link SyncEngine} in application mode, MSAL4J and the Graph SDK gateway — over
 * HTTP against the emulator. Everything random (the seed items, the changes between cycles, the
 * faults) comes from one seed, so two worlds built from the same seed see the same mailboxes and the
 * same changes.
 */
final class ChaosWorld implements AutoCloseable {
  static final String CLIENT_ID = "4c1e9a2b-7f3d-4b6a-9e8c-2d1f0a3b5c7e";
  static final Instant START = Instant.parse("2026-03-02T09:00:00Z");
  /** The time between cycles: the default cycle interval, which Retry-After and a first backoff fit in. */
  static final Duration CYCLE = SyncOptions.defaults().cycleInterval();
  /** How long the gateway waits for an answer; a "timeout" fault answers later than that. */
  static final Duration READ_TIMEOUT = Duration.ofMillis(500);

  final MutableClock clock = new MutableClock(START);
  final CloudModel cloud = new CloudModel(clock);
  final TenantModel tenant = cloud.addTenant("contoso.com");
  final M365Emulator emulator;
  final SyncEngine engine;
  final InMemoryCrmStore<CalendarEvent> eventCrm = new InMemoryCrmStore<>("evt");
  final InMemoryCrmStore<Contact> contactCrm = new InMemoryCrmStore<>("con");
  final List<Mailbox> mailboxes = new ArrayList<>();
  /** The named fault rules added by {@link #unleash}, in the order they apply. */
  final Map<String, FaultRule> faults = new LinkedHashMap<>();
  private final List<ModelUser> users = new ArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(SyncOptions.defaults().maxConcurrentMailboxes());
  private final Random random;
  private final long seed;
  private int serial;

  ChaosWorld(long seed, int mailboxCount, int eventsEach, int contactsEach) {
    this.seed = seed;
    this.random = new Random(seed);
    String secret = "chaos~" + Long.toHexString(seed);
    tenant.registerApp(CLIENT_ID, "Chaos CRM").addSecret(secret, START.plus(Duration.ofDays(365)))
        .addApplicationPermissions(Resource.EVENTS.applicationPermission(), Resource.CONTACTS.applicationPermission())
        .grantAdminConsent();
    // timed-out requests hold a handler thread until their answer is late: room for them
    emulator = new M365Emulator(cloud).threads(24).maxRecordedRequests(0).start();
    GraphMailboxGateway gateway = GraphMailboxGateway.builder().baseUrl(emulator.graphBaseUrl()).clock(clock)
        .httpClient(GraphMailboxGateway.defaultHttpClient().newBuilder().readTimeout(READ_TIMEOUT).build()).build();
    engine = SyncEngine.builder().clock(clock).executor(pool).gateway(gateway)
        .applicationTokens(MsalApplicationTokenStrategy.builder().clientId(CLIENT_ID).credential(AppCredential.secret(secret))
            .clock(clock).routeTokenRequestsTo(URI.create(emulator.loginBaseUrl())).build())
        // small pages, so that a fault can hit a resource in the middle of its round
        .options(SyncOptions.defaults().withPageSize(2))
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, eventCrm))
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, contactCrm))
        .build();
    TenantId t = TenantId.of(tenant.tenantId());
    engine.setApplicationPermissionEnabled(t, true);
    for (int m = 0; m < mailboxCount; m++) {
      ModelUser u = tenant.addUser("user" + m);
      users.add(u);
      for (int i = 0; i < eventsEach; i++) {
        events(m).create(event(m));
      }
      for (int i = 0; i < contactsEach; i++) {
        contacts(m).create(contact());
      }
      Mailbox mailbox = new Mailbox(new MailboxId(t, u.objectId()), u.userPrincipalName(), "crm-" + u.displayName(),
          clock.instant(), Set.of(Resource.EVENTS, Resource.CONTACTS));
      mailboxes.add(mailbox);
      engine.enroll(mailbox);
    }
  }

  ItemCollection<CalendarEvent> events(int mailbox) {
    return tenant.mailbox(users.get(mailbox)).calendar();
  }

  ItemCollection<Contact> contacts(int mailbox) {
    return tenant.mailbox(users.get(mailbox)).contacts();
  }

  /**
   * About {@code percent} % of Graph requests fail, in equal parts: 429 with Retry-After, 503,
   * dropped connections and timeouts; and {@code evictedPercent} % of delta requests answer 410
   * {@code SyncStateNotFound}. Each kind draws from its own seeded random source.
   */
  void unleash(double percent, double evictedPercent) {
    double each = percent / 100 / 4;
    String graph = "^GET /users/";
    // the emulator drops and delays before the model answers; the model then applies errors in order
    faults.put("dropped connection", FaultRule.dropRandomly(graph, null, each, seed + 1));
    faults.put("timeout", FaultRule.delayRandomly(graph, null, each, seed + 2, READ_TIMEOUT.multipliedBy(3)));
    faults.put("410 SyncStateNotFound", FaultRule.failRandomly("/delta(\\(\\))?$", null, evictedPercent / 100, seed + 3,
        GraphError.syncStateNotFound("chaos")));
    faults.put("429 Retry-After 30 s", FaultRule.failRandomly(graph, null, each, seed + 4,
        GraphError.throttled(Duration.ofSeconds(30))));
    faults.put("503", FaultRule.failRandomly(graph, null, each, seed + 5, GraphError.serviceUnavailable(null)));
    faults.values().forEach(tenant::addFault);
  }

  void calm() {
    tenant.clearFaults();
  }

  /** One cycle, a cycle interval after the last. */
  CycleReport cycle() {
    clock.advance(CYCLE);
    return engine.runCycle();
  }

  /** Changes in Microsoft 365 between cycles: in about half the mailboxes, one create, update or delete. */
  void change() {
    for (int m = 0; m < users.size(); m++) {
      if (random.nextBoolean()) {
        continue;
      }
      boolean onEvents = random.nextBoolean();
      ItemCollection<? extends SyncItem> items = onEvents ? events(m) : contacts(m);
      // by content, not by id (ids are random): both worlds pick the same item
      List<String> ids = items.all().stream().sorted(Comparator.comparing(i -> i.item().toString()))
          .map(StoredItem::id).toList();
      int op = ids.isEmpty() ? 0 : random.nextInt(3);
      if (op == 0) {
        if (onEvents) {
          events(m).create(event(m));
        } else {
          contacts(m).create(contact());
        }
      } else if (op == 1) {
        String id = ids.get(random.nextInt(ids.size()));
        if (onEvents) {
          events(m).patch(id, null, e -> e.toBuilder().subject(e.subject() + " (moved)")
              .start(e.start().plus(Duration.ofHours(1))).end(e.end().plus(Duration.ofHours(1))).build());
        } else {
          contacts(m).patch(id, null, c -> c.withJobTitle("Buyer " + serial++));
        }
      } else {
        items.delete(ids.get(random.nextInt(ids.size())), null);
      }
    }
  }

  /** An event as Graph shows it: the owner organises it, and an empty body reads as "". */
  private CalendarEvent event(int mailbox) {
    Instant start = START.plus(Duration.ofHours(24 + random.nextInt(24 * 60)));
    ModelUser owner = users.get(mailbox);
    return CalendarEvent.simple("Meeting " + serial++, start, start.plus(Duration.ofMinutes(30))).toBuilder().body("")
        .organizer(new EmailAddress(owner.userPrincipalName(), owner.displayName())).build();
  }

  private Contact contact() {
    int n = serial++;
    return Contact.of("Contact" + n, "Fabrikam", "c" + n + "@fabrikam.example");
  }

  /** Mailboxes whose CRM does not hold exactly their items (each once, same content). */
  List<String> diverged() {
    List<String> out = new ArrayList<>();
    for (int m = 0; m < users.size(); m++) {
      MailboxId id = mailboxes.get(m).id();
      if (!same(eventCrm.items(id), events(m)) || !same(contactCrm.items(id), contacts(m))) {
        out.add(users.get(m).displayName());
      }
    }
    return out;
  }

  private static <T extends SyncItem> boolean same(List<T> crm, ItemCollection<T> m365) {
    Comparator<T> order = Comparator.comparing(Object::toString);
    return crm.stream().sorted(order).toList().equals(m365.all().stream().map(StoredItem::item).sorted(order).toList());
  }

  long duplicates() {
    return mailboxes.stream().mapToLong(m -> eventCrm.duplicates(m.id()) + contactCrm.duplicates(m.id())).sum();
  }

  /** Each mailbox not ACTIVE: its status, reason, failures in a row and next attempt. */
  List<String> notActive() {
    return mailboxes.stream().map(m -> engine.monitor().mailbox(m.id()).orElseThrow())
        .filter(s -> s.status() != MailboxStatus.ACTIVE)
        .map(s -> s.mailbox() + " " + s.status() + " " + s.reasonCode() + " (" + s.reason() + "), "
            + s.consecutiveFailures() + " failures in a row, next attempt " + s.nextAttempt() + ", now " + clock.instant())
        .toList();
  }

  /** Graph requests sent: every one the model answered, and the connections the emulator dropped before it could. */
  long graphRequests() {
    FaultRule drops = faults.get("dropped connection");
    return cloud.log().count(r -> r.isGraph()) + (drops == null ? 0 : drops.fired());
  }

  /** First pages of full rounds: delta requests without a delta or skip token (the SDK's {@code delta()}). */
  long fullRoundStarts() {
    return cloud.log().count(r -> r.isGraph() && r.operation().endsWith("/delta()"));
  }

  @Override
  public void close() {
    engine.close();
    pool.shutdownNow();
    emulator.close();
  }
}

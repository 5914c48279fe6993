package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.m365sync.AuthMode;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncListener;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.notify.ChangeNotifications;
import io.m365sync.notify.NotificationResponse;
import io.m365sync.notify.Subscription;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.ForwardingSyncStateStore;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ModelUser;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, acceptance 3: two CRM nodes (two engines, each with its own state store, db-scheduler and
 * notification receiver) over one PostgreSQL database and one Microsoft 365 (the in-process fake).
 * After every mailbox's first round, 1,000 notifications for 100 mailboxes, each after a change in
 * that mailbox, go to either node at random. The polling interval is an hour, so only notifications
 * bring the later rounds. Every change reaches the CRM, nothing twice, and no mailbox's rounds ever
 * overlap across nodes (start at the fence claim, end at {@code mailboxSynced}).
 */
class NotificationsOnTwoNodesTest {
  private static final int MAILBOXES = 100;
  private static final int NOTIFICATIONS = 1_000;
  private static final Duration DEBOUNCE = Duration.ofMillis(200);
  private static final URI NOTIFICATION_URL = URI.create("http://127.0.0.1:1/n");

  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("event");
  private final Rounds rounds = new Rounds();
  private final List<SyncEngine> engines = new ArrayList<>();
  private final List<HikariDataSource> pools = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    engines.forEach(SyncEngine::close);
    pools.forEach(HikariDataSource::close);
  }

  @Test
  void notificationsToEitherNodeReachTheCrmOnceWithoutOverlappingRounds() throws Exception {
    DataSource database = TestDatabases.postgresSchema();
    List<ModelUser> users = new ArrayList<>();
    List<MailboxId> ids = new ArrayList<>();
    for (int i = 0; i < MAILBOXES; i++) {
      ModelUser u = m365.addUser("user" + i);
      users.add(u);
      ids.add(m365.mailboxId(u));
      m365.mailbox(u).calendar().create(event("seed-" + i, i));
    }
    List<SyncEngine> nodes = List.of(node("node-a", database), node("node-b", database));
    SyncStateStore store = JdbcSyncStateStore.create(database);
    Instant expiry = m365.clock().instant().plus(Duration.ofDays(2));
    for (int i = 0; i < MAILBOXES; i++) {
      nodes.get(i % 2).enroll(m365.signIn(users.get(i), EnumSet.of(Resource.EVENTS)));
      store.putSubscription(new Subscription("sub-" + i, ids.get(i), Resource.EVENTS,
          Subscription.hashClientState("state-" + i), expiry, AuthMode.DELEGATED));
    }
    nodes.forEach(SyncEngine::start);
    await(() -> ids.stream().allMatch(id -> crm.items(id).size() == 1), Duration.ofSeconds(30),
        "every mailbox's first round");
    int roundsBefore = rounds.completed();

    long t0 = System.nanoTime();
    ExecutorService senders = Executors.newFixedThreadPool(4);
    AtomicInteger accepted = new AtomicInteger();
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        Random random = new Random(15 + s);
        sent.add(senders.submit(() -> {
          for (int n = 0; n < NOTIFICATIONS / 4; n++) {
            int i = random.nextInt(MAILBOXES);
            m365.mailbox(users.get(i)).calendar().create(event("change-" + i + "-" + n + "-" + random.nextInt(), n));
            m365.clock().advance(Duration.ofMillis(1)); // the notification comes after the change
            NotificationResponse answer = nodes.get(random.nextInt(2)).notificationReceiver()
                .handle("POST", NOTIFICATION_URL.getPath(), Map.of(), Map.of(), body(i, ids.get(i)));
            if (answer.status() == 202) {
              accepted.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : sent) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      senders.shutdownNow();
    }
    assertThat(accepted.get()).isEqualTo(NOTIFICATIONS);

    await(() -> ids.stream().allMatch(id -> crm.items(id).size() == m365.mailbox(users.get(ids.indexOf(id)))
        .calendar().all().size() && store.dirtyMarks(id).isEmpty()), Duration.ofSeconds(40), "the CRM catches up");
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    for (int i = 0; i < MAILBOXES; i++) {
      List<String> remote = m365.mailbox(users.get(i)).calendar().all().stream().map(x -> x.item().subject()).sorted()
          .toList();
      List<String> local = crm.items(ids.get(i)).stream().map(CalendarEvent::subject).sorted().toList();
      assertThat(local).as("CRM of mailbox %d mirrors Microsoft 365", i).isEqualTo(remote);
      assertThat(crm.duplicates(ids.get(i))).as("duplicates in mailbox %d", i).isZero();
    }
    assertThat(rounds.open()).as("rounds that never ended").isEmpty();
    assertThat(rounds.overlaps()).as("rounds of one mailbox on two nodes at once").isEmpty();
    System.out.printf("two nodes: %d notifications for %d mailboxes reached the CRM in %d ms; rounds per node %s"
        + " (%d before the notifications, %d after), 0 overlaps%n", NOTIFICATIONS, MAILBOXES, tookMs,
        rounds.perNode(), roundsBefore, rounds.completed() - roundsBefore);
    assertThat(rounds.perNode().keySet()).as("both nodes ran rounds").containsExactlyInAnyOrder("node-a", "node-b");
  }

  /** One node: its own pool, store, scheduler and receiver over the shared database. */
  private SyncEngine node(String name, DataSource database) {
    HikariDataSource pool = TestDatabases.pooled(database, 6);
    pools.add(pool);
    SyncStateStore store = new RoundStarts(JdbcSyncStateStore.create(pool), name, rounds, m365);
    DbSchedulerSyncScheduler scheduler = DbSchedulerSyncScheduler.builder(pool)
        .interval(Duration.ofHours(1))
        .jitter(Duration.ofSeconds(1))
        .pollingInterval(Duration.ofMillis(100))
        .threads(4)
        .lockAndFetch(true)
        .shutdownMaxWait(Duration.ofSeconds(5))
        .nodeName(name)
        .build();
    SyncEngine engine = SyncEngine.builder()
        .clock(m365.clock())
        .stateStore(store)
        .gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm))
        .changeNotifications(ChangeNotifications.to(NOTIFICATION_URL).withDebounce(DEBOUNCE))
        .listener(new RoundEnds(name, rounds, store))
        .scheduler(scheduler)
        .build();
    engines.add(engine);
    return engine;
  }

  private CalendarEvent event(String subject, int day) {
    Instant start = m365.clock().instant().plus(Duration.ofDays(1 + day % 300));
    return CalendarEvent.simple(subject, start, start.plus(Duration.ofMinutes(30)));
  }

  /** Graph's notification collection for a created event in mailbox {@code i}. */
  private byte[] body(int i, MailboxId mailbox) {
    return ("{\"value\":[{\"subscriptionId\":\"sub-" + i + "\",\"clientState\":\"state-" + i + "\","
        + "\"changeType\":\"created\",\"resource\":\"Users/" + mailbox.userObjectId() + "/Events/x\","
        + "\"tenantId\":\"" + mailbox.tenant().value() + "\"}]}").getBytes(StandardCharsets.UTF_8);
  }

  private static void await(BooleanSupplier condition, Duration wait, String what) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  /** Every round's interval per node and mailbox, on this JVM's monotonic clock. */
  private static final class Rounds {
    private record Interval(String node, long start, long end) {}

    private final Map<String, Long> running = new ConcurrentHashMap<>();
    private final Map<String, Instant> startedAt = new ConcurrentHashMap<>();
    private final Map<MailboxId, List<Interval>> done = new ConcurrentHashMap<>();

    void start(String node, MailboxId mailbox, Instant engineTime) {
      running.put(node + " " + mailbox, System.nanoTime());
      startedAt.put(node + " " + mailbox, engineTime);
    }

    /** The engine-clock start of the round that ends now. */
    Instant end(String node, MailboxId mailbox) {
      long end = System.nanoTime();
      Long start = running.remove(node + " " + mailbox);
      if (start != null) {
        done.computeIfAbsent(mailbox, m -> new CopyOnWriteArrayList<>()).add(new Interval(node, start, end));
      }
      return startedAt.remove(node + " " + mailbox);
    }

    int completed() {
      return done.values().stream().mapToInt(List::size).sum();
    }

    List<String> open() {
      return List.copyOf(running.keySet());
    }

    Map<String, Integer> perNode() {
      Map<String, Integer> counts = new TreeMap<>();
      done.values().forEach(list -> list.forEach(r -> counts.merge(r.node(), 1, Integer::sum)));
      return counts;
    }

    List<String> overlaps() {
      List<String> overlaps = new ArrayList<>();
      done.forEach((mailbox, list) -> {
        List<Interval> sorted = list.stream().sorted((a, b) -> Long.compare(a.start(), b.start())).toList();
        for (int i = 1; i < sorted.size(); i++) {
          if (sorted.get(i).start() < sorted.get(i - 1).end()) {
            overlaps.add(mailbox + ": " + sorted.get(i - 1) + " and " + sorted.get(i));
          }
        }
      });
      return overlaps;
    }
  }

  /** A round starts when it claims the mailbox's fence. */
  private static final class RoundStarts extends ForwardingSyncStateStore {
    private final String node;
    private final Rounds rounds;
    private final FakeMicrosoft365 m365;

    RoundStarts(SyncStateStore delegate, String node, Rounds rounds, FakeMicrosoft365 m365) {
      super(delegate, Defaults.DELEGATE); // the store's own batch writes, as a node runs them
      this.node = node;
      this.rounds = rounds;
      this.m365 = m365;
    }

    @Override
    public long claimFence(MailboxId mailbox) {
      Instant now = m365.clock().instant(); // before the claim, so before the round reads anything
      long fence = delegate.claimFence(mailbox);
      rounds.start(node, mailbox, now);
      return fence;
    }
  }

  /**
   * A round ends at {@code mailboxSynced}. A successful round also clears the marks it read (those
   * not newer than its start), as the engine's rounds do once they read only dirty resources; until
   * then this stands in for that step, and is harmless after it.
   */
  private record RoundEnds(String node, Rounds rounds, SyncStateStore store) implements SyncListener {
    @Override
    public void mailboxSynced(MailboxSyncReport report) {
      Instant start = rounds.end(node, report.mailbox());
      if (start != null && report.state().status() == MailboxStatus.ACTIVE) {
        store.clearDirty(report.mailbox(), Resource.EVENTS, start);
      }
    }
  }
}

package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.ForwardingCrmStore;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.StoredItem;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 5, bad input: the database connection drops in the middle of a round — at every
 * statement of the round in turn. The round fails; the next round, on a working connection,
 * converges: the CRM holds exactly Microsoft 365's items, none lost, none created twice, and no delta
 * cursor was committed past changes that had not reached the CRM.
 *
 * <p>The hardest window is a drop after the CRM created a record and before the id map linked it:
 * the sweeps tell those points apart (the CRM and the store are watched), check that they hit some,
 * and hold them to zero duplicates like every other point: the syncer's write-ahead note of the
 * create sends the replay to a content match. Every statement of a first (full) round and of an
 * incremental round, on H2 and on PostgreSQL.
 */
class LostConnectionMidRoundTest {
  private static final int PAGE_SIZE = 3;

  /** One CRM, one Microsoft 365, one engine over a database whose connection can be cut. */
  private static final class World implements AutoCloseable {
    final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    final InMemoryCrmStore<CalendarEvent> crmEvents = new InMemoryCrmStore<>("event");
    final InMemoryCrmStore<Contact> crmContacts = new InMemoryCrmStore<>("contact");
    final DataSource raw;
    final FlakyDataSource db;
    final SyncStateStore store;
    /** A CRM record was created and its id-map link not yet written. */
    final AtomicBoolean createUnlinked = new AtomicBoolean();
    volatile Boolean droppedInCreateWindow;
    final SyncEngine engine;
    final ModelUser alice;
    final MailboxId id;
    final Instant now;
    final List<String> createdEvents = new ArrayList<>();
    final List<String> createdContacts = new ArrayList<>();

    World(DataSource dataSource) {
      raw = dataSource;
      db = new FlakyDataSource(dataSource);
      db.onDrop(() -> droppedInCreateWindow = createUnlinked.get());
      store = watchLinks(JdbcSyncStateStore.create(db));
      engine = SyncEngine.builder()
          .clock(m365.clock())
          .stateStore(store)
          .gateway(m365.gateway())
          .delegatedTokens(m365.delegatedTokens())
          .options(SyncOptions.defaults().withPageSize(PAGE_SIZE))
          .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, new WatchedCrm<>(crmEvents, createUnlinked)))
          .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, new WatchedCrm<>(crmContacts, createUnlinked)))
          .build();
      alice = m365.addUser("alice");
      id = m365.mailboxId(alice);
      now = m365.clock().instant();
      for (int i = 1; i <= 7; i++) {
        createdEvents.add(events().create(event("meeting " + i, i)).id());
      }
      for (int i = 1; i <= 4; i++) {
        createdContacts.add(contacts().create(Contact.of("Ada" + i, "Lovelace", "ada" + i + "@example.com")).id());
      }
      Mailbox mailbox = m365.signIn(alice, EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
      engine.enroll(mailbox);
    }

    /** The store, noticing when the id map catches up with the CRM. */
    private SyncStateStore watchLinks(SyncStateStore real) {
      return (SyncStateStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SyncStateStore.class},
          (proxy, method, args) -> {
            Object result;
            try {
              result = method.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
            if (method.getName().startsWith("putLink")) { // putLink, putLinks, putLinksAndCursors
              createUnlinked.set(false);
            }
            return result;
          });
    }

    @Override
    public void close() throws Exception {
      if (raw instanceof AutoCloseable pool) {
        pool.close();
      }
    }

    ItemCollection<CalendarEvent> events() {
      return m365.mailbox(alice).calendar();
    }

    ItemCollection<Contact> contacts() {
      return m365.mailbox(alice).contacts();
    }

    CalendarEvent event(String subject, int day) {
      return CalendarEvent.simple(subject, now.plus(Duration.ofDays(day)), now.plus(Duration.ofDays(day)).plusSeconds(3600));
    }

    /** Creates, updates and deletes on both resources, spread over several delta pages. */
    void changeMicrosoft365() {
      for (int i = 20; i < 26; i++) {
        createdEvents.add(events().create(event("new " + i, i)).id());
      }
      StoredItem<CalendarEvent> first = events().get(createdEvents.get(0)).orElseThrow();
      events().update(first.id(), null, first.item().withSubject("moved"));
      StoredItem<CalendarEvent> second = events().get(createdEvents.get(1)).orElseThrow();
      events().update(second.id(), null, second.item().withSubject("renamed"));
      events().delete(createdEvents.get(2), null);
      events().delete(createdEvents.get(3), null);
      for (int i = 5; i <= 7; i++) {
        createdContacts.add(contacts().create(Contact.of("Grace" + i, "Hopper", "grace" + i + "@example.com")).id());
      }
      contacts().delete(createdContacts.get(0), null);
      m365.clock().advance(Duration.ofMinutes(5));
    }

    /** Runs a round that may die with the connection; returns what escaped, if anything. */
    Optional<RuntimeException> syncTolerantly() {
      try {
        MailboxSyncReport report = engine.syncMailbox(id);
        assertThat(report).isNotNull();
        return Optional.empty();
      } catch (RuntimeException e) {
        return Optional.of(e);
      }
    }

    void sync() {
      engine.syncMailbox(id);
    }

    /** The CRM mirrors Microsoft 365: nothing lost, nothing created twice, every item linked. */
    void assertConverged(String when) {
      mirror(when, events(), crmEvents, Resource.EVENTS, createdEvents.size());
      mirror(when, contacts(), crmContacts, Resource.CONTACTS, createdContacts.size());
    }

    private <T extends SyncItem> void mirror(String when, ItemCollection<T> remote, InMemoryCrmStore<T> crm,
                                             Resource resource, int everCreated) {
      List<String> expected = remote.all().stream().map(s -> s.item().matchKey()).sorted().toList();
      List<String> actual = crm.items(id).stream().map(SyncItem::matchKey).sorted().toList();
      assertThat(actual.stream().distinct().toList())
          .as("%s: CRM %s mirror Microsoft 365 (nothing lost, nothing extra)", when, resource).isEqualTo(expected);
      assertThat(crm.items(id)).as("%s: CRM %s content", when, resource)
          .containsAll(remote.all().stream().map(StoredItem::item).toList());
      assertThat(crm.duplicates(id)).as("%s: duplicated %s", when, resource).isZero();
      assertThat(crm.creates()).as("%s: %s CRM records created (once per Microsoft 365 item, never twice)", when,
          resource).isEqualTo(everCreated);
      assertThat(store.links(id, resource).stream().map(IdLink::remoteId).sorted().toList())
          .as("%s: %s id map", when, resource)
          .isEqualTo(remote.all().stream().map(StoredItem::id).sorted().toList());
    }

    Optional<String> cursor(Resource resource) {
      return store.cursor(new CursorKey(id, resource, ""));
    }
  }

  /** Statements a healthy incremental round executes, measured on a twin world. */
  private static long statementsOfIncrementalRound(Supplier<DataSource> databases) throws Exception {
    try (World twin = new World(databases.get())) {
      twin.sync();
      twin.changeMicrosoft365();
      long before = twin.db.executed();
      twin.sync();
      long statements = twin.db.executed() - before;
      twin.assertConverged("healthy twin");
      return statements;
    }
  }

  private static long statementsOfFirstRound(Supplier<DataSource> databases) throws Exception {
    try (World twin = new World(databases.get())) {
      long before = twin.db.executed();
      twin.sync();
      long statements = twin.db.executed() - before;
      twin.assertConverged("healthy twin");
      return statements;
    }
  }

  /** Drops the connection at the {@code dropAt}-th statement of an incremental round; true if it fell between a create and its link. */
  private static boolean dropMidIncrementalRound(Supplier<DataSource> databases, long dropAt) throws Exception {
    try (World w = new World(databases.get())) {
      w.sync();
      w.assertConverged("after the first round");
      w.changeMicrosoft365();
      Optional<String> eventsCursor = w.cursor(Resource.EVENTS);

      w.db.dropAfter(dropAt);
      Optional<RuntimeException> escaped = w.syncTolerantly();
      if (!w.db.isDown()) {
        // this round needed fewer statements than the twin's (pages batch their writes): nothing dropped
        w.db.heal();
        w.assertConverged("round shorter than " + dropAt + " statements");
        return false;
      }
      w.db.heal();
      boolean window = w.droppedInCreateWindow;

      // whatever the round managed before the drop, a cursor it committed covers only applied changes:
      // one more round with a working connection brings everything over, once
      w.sync();
      w.assertConverged("drop at statement " + dropAt + escaped.map(e -> " (" + e.getClass().getSimpleName() + " escaped)")
          .orElse("") + inWindow(window));
      assertThat(w.cursor(Resource.EVENTS)).isPresent().isNotEqualTo(eventsCursor);
      return window;
    }
  }

  private static boolean dropMidFirstRound(Supplier<DataSource> databases, long dropAt) throws Exception {
    try (World w = new World(databases.get())) {
      w.db.dropAfter(dropAt);
      w.syncTolerantly();
      assertThat(w.db.isDown()).as("the connection dropped at statement %d", dropAt).isTrue();
      w.db.heal();
      boolean window = w.droppedInCreateWindow;
      w.sync();
      w.assertConverged("first round, drop at statement " + dropAt + inWindow(window));
      return window;
    }
  }

  private static String inWindow(boolean window) {
    return window ? " between a CRM create and its id-map link" : "";
  }

  /** Drops at every statement of an incremental round in turn; returns how many drops fell between a create and its link. */
  private static int sweepIncrementalRound(Supplier<DataSource> databases) throws Exception {
    long statements = statementsOfIncrementalRound(databases);
    assertThat(statements).isGreaterThan(20);
    int windows = 0;
    for (long n = 1; n <= statements; n++) {
      windows += dropMidIncrementalRound(databases, n) ? 1 : 0;
    }
    return windows;
  }

  private static int sweepFirstRound(Supplier<DataSource> databases) throws Exception {
    long statements = statementsOfFirstRound(databases);
    int windows = 0;
    for (long n = 1; n <= statements; n++) {
      windows += dropMidFirstRound(databases, n) ? 1 : 0;
    }
    return windows;
  }

  // 9 records are created in an incremental round (6 events, 3 contacts), 11 in the first (7 and 4);
  // each one's link write takes a few statements

  @Test
  void onH2aDropAtAnyStatementOfAnIncrementalRoundLosesNothingAndDuplicatesNothing() throws Exception {
    assertThat(sweepIncrementalRound(TestDatabases::h2Memory)).as("drop points between a CRM create and its link")
        .isPositive().isLessThanOrEqualTo(9 * 4);
  }

  @Test
  void onH2aDropAtAnyStatementOfTheFirstFullRoundLosesNothingAndDuplicatesNothing() throws Exception {
    assertThat(sweepFirstRound(TestDatabases::h2Memory)).as("drop points between a CRM create and its link")
        .isPositive().isLessThanOrEqualTo(11 * 4);
  }

  @Test
  void onPostgresADropAtAnyStatementOfAnIncrementalRoundLosesNothingAndDuplicatesNothing() throws Exception {
    assertThat(sweepIncrementalRound(TestDatabases::postgresSchemaPooled))
        .as("drop points between a CRM create and its link").isPositive().isLessThanOrEqualTo(9 * 4);
  }

  @Test
  void onPostgresADropAtAnyStatementOfTheFirstFullRoundLosesNothingAndDuplicatesNothing() throws Exception {
    assertThat(sweepFirstRound(TestDatabases::postgresSchemaPooled))
        .as("drop points between a CRM create and its link").isPositive().isLessThanOrEqualTo(11 * 4);
  }

  /** Passes CRM calls through, noting creates whose link the store has not written yet. */
  private static final class WatchedCrm<T extends SyncItem> extends ForwardingCrmStore<T> {
    private final AtomicBoolean createUnlinked;

    WatchedCrm(CrmStore<T> crm, AtomicBoolean createUnlinked) {
      super(crm);
      this.createUnlinked = createUnlinked;
    }

    @Override
    public CrmRecord<T> save(MailboxId mailbox, String crmId, T item) {
      CrmRecord<T> saved = super.save(mailbox, crmId, item);
      if (crmId == null) {
        createUnlinked.set(true);
      }
      return saved;
    }
  }
}

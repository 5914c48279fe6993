package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.crm.CrmRecord;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.RemoteUnavailableException;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.CursorKey;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.ForwardingGateway;
import io.m365sync.testkit.ForwardingSyncStateStore;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.RecordingSyncStateStore;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.GraphLimits;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The first full read of a calendar larger than two delta pages (its first request asks for two at
 * once) reads it again as time slices of its window, 4 at once (the mailbox's request cap), each worth
 * a request or more, keeping no link; the round after it reads the
 * window whole and keeps its one link, so later rounds and idle probes cost one request. Other full
 * reads (a 410, a slide) and smaller calendars stay one chain. The CRM sees one calendar throughout:
 * every event once, one that spans boundaries too, and what changed while the slices were read, or
 * moved across a boundary between two slices' reads, comes with the round after.
 */
class SlicedCalendarTest {
  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final ModelUser user = m365.addUser("big");
  private final ItemCollection<CalendarEvent> calendar = m365.mailbox(user).calendar();
  private final InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("event");
  private final Hooked gateway = new Hooked(m365.gateway());
  private final ExecutorService pool = Executors.newFixedThreadPool(8);
  private final Instant now = m365.clock().instant();
  private SyncStateStore store = SyncStateStore.inMemory();
  private SyncEngine engine;
  private MailboxId id;

  @AfterEach
  void close() {
    pool.shutdownNow();
  }

  private void start(Executor executor, int pageSize) {
    start(executor, SyncOptions.defaults().withPageSize(pageSize));
  }

  private void start(Executor executor, SyncOptions options) {
    engine = SyncEngine.builder().clock(m365.clock()).gateway(gateway).executor(executor)
        .delegatedTokens(m365.delegatedTokens()).stateStore(store)
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm))
        .options(options)
        .build();
    id = enroll(user);
  }

  private MailboxId enroll(ModelUser u) {
    Mailbox mailbox = m365.signIn(u, Set.of(Resource.EVENTS));
    engine.enroll(mailbox);
    return mailbox.id();
  }

  /** {@code n} meetings 9 hours apart from 29 days ago: spread over the default window [-30 days, +365 days). */
  private List<String> meetings(int n) {
    return meetings(calendar, n);
  }

  private List<String> meetings(ItemCollection<CalendarEvent> in, int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(in.create(meeting("Meeting " + i, now.minus(Duration.ofDays(29)).plus(Duration.ofHours(9L * i)))).id());
    }
    return ids;
  }

  private static CalendarEvent meeting(String subject, Instant start) {
    Instant s = start.truncatedTo(ChronoUnit.MINUTES);
    return CalendarEvent.simple(subject, s, s.plus(Duration.ofHours(1)));
  }

  private ResourceResult sync() {
    m365.clock().advance(Duration.ofMinutes(1));
    ResourceResult r = engine.syncMailbox(id).resource(Resource.EVENTS).orElseThrow();
    if (r.outcome() == ResourceResult.Outcome.QUARANTINED) {
      engine.releaseQuarantine(id, Resource.EVENTS);
      r = engine.syncMailbox(id).resource(Resource.EVENTS).orElseThrow();
    }
    assertThat(r.outcome()).isEqualTo(ResourceResult.Outcome.SYNCED);
    return r;
  }

  /** The events' delta link: the whole window's, the only one a round keeps. */
  private Optional<String> link() {
    return engine.stateStore().cursor(new CursorKey(id, Resource.EVENTS, ""));
  }

  /** CRM records by subject; asserts that no remote id is held twice. */
  private Map<String, CrmRecord<CalendarEvent>> crmBySubject() {
    List<CrmRecord<CalendarEvent>> all = crm.list(id);
    assertThat(crm.duplicates(id)).isZero();
    return all.stream().collect(Collectors.toMap(r -> r.item().subject(), r -> r, (a, b) -> {
      throw new AssertionError("two CRM records for " + a.item().subject());
    }));
  }

  private long graphRequests() {
    return m365.cloud().log().graphRequests(user.objectId());
  }

  @Test
  void aLargeCalendarIsReadAsSlicesFourInFlightAtOnceAndKeepsNoLinkUntilTheNextRound() {
    m365.tenant().graphLimits(GraphLimits.OUTLOOK);
    meetings(1_000);
    start(pool, 100);
    CyclicBarrier four = new CyclicBarrier(4);
    AtomicInteger started = new AtomicInteger();
    AtomicInteger met = new AtomicInteger();
    gateway.before(gateway::firstOfASlice, () -> {
      if (started.incrementAndGet() > 4) {
        return; // later slices start as lanes free up
      }
      try {
        four.await(10, TimeUnit.SECONDS);
        met.incrementAndGet();
      } catch (Exception alone) {
        // not met: the slices were not in flight together
      }
    });

    sync();

    assertThat(crmBySubject()).hasSize(1_000);
    assertThat(met.get()).as("first slices whose first page met three others in flight").isEqualTo(4);
    assertThat(gateway.slices()).as("slices of 10 pages' worth").hasSizeBetween(5, 12);
    assertThat(m365.tenant().peakRequestsInFlight().get(user.objectId())).isLessThanOrEqualTo(4);
    assertThat(m365.cloud().log().count(r -> r.isGraph() && r.status() == 429)).isZero();
    assertThat(link()).isEmpty();
    assertThat(engine.stateStore().cursor(new CursorKey(id, Resource.EVENTS, "m365sync:event-slicing"))).isEmpty();

    gateway.before(r -> false, null);
    gateway.forget();
    m365.cloud().log().clear();
    sync();
    assertThat(gateway.slices()).isEmpty();
    assertThat(graphRequests()).as("the whole window's 10 pages").isEqualTo(10);
    assertThat(link()).isPresent();
    assertThat(crmBySubject()).hasSize(1_000);
  }

  @Test
  void aMirrorWritesTheSlicesReadToTheCrmWhileLaterSlicesAreStillRead() {
    meetings(1_000);
    start(pool, 100);
    AtomicInteger started = new AtomicInteger();
    AtomicInteger heldSaw = new AtomicInteger(-1);
    gateway.before(gateway::firstOfASlice, () -> {
      if (started.incrementAndGet() == 1) {
        heldSaw.set(untilTheCrmHoldsRecords()); // the first slice answers only once others are in the CRM
      }
    });

    ResourceResult first = sync();

    assertThat(heldSaw.get()).as("CRM records while the first slice was still being read").isPositive();
    assertThat(crmBySubject()).hasSize(1_000);
    assertThat(first.created()).isEqualTo(1_000);
    assertThat(first.updated() + first.unchanged()).isZero();

    gateway.before(r -> false, null);
    gateway.forget();
    ResourceResult next = sync();
    assertThat(gateway.slices()).isEmpty();
    assertThat(next.created() + next.updated()).as("the round after finds every event linked").isZero();
    assertThat(crmBySubject()).hasSize(1_000);
  }

  @Test
  void aSlicedReadThatFailsAfterSomeSlicesWereWrittenLeavesThemLinked() {
    meetings(1_000);
    start(pool, 100);
    AtomicInteger started = new AtomicInteger();
    gateway.before(gateway::firstOfASlice, () -> {
      if (started.incrementAndGet() == 1) {
        untilTheCrmHoldsRecords();
        throw new RemoteUnavailableException("dropped connection", id, Resource.EVENTS, 503, null, null, null);
      }
    });
    m365.clock().advance(Duration.ofMinutes(1));
    ResourceResult failed = engine.syncMailbox(id).resource(Resource.EVENTS).orElseThrow();
    assertThat(failed.outcome()).isEqualTo(ResourceResult.Outcome.FAILED);
    int written = crm.list(id).size();
    assertThat(written).as("records of the slices read before the failure").isBetween(1, 999);
    assertThat(failed.created()).as("the failed round counts them").isEqualTo(written);

    gateway.before(r -> false, null);
    ResourceResult retry = sync();

    assertThat(retry.created()).as("only what the failed read had not written").isEqualTo(1_000 - written);
    assertThat(crmBySubject()).hasSize(1_000);
  }

  @Test
  void aSlicedReadDeniedByPolicyAfterItsFirstWritesCountsThemWithTheDelegatedFallbacks() {
    meetings(1_000);
    m365.grantApplicationPermissions(Resource.EVENTS);
    engine = SyncEngine.builder().clock(m365.clock()).gateway(gateway).executor(pool)
        .delegatedTokens(m365.delegatedTokens()).applicationTokens(m365.applicationTokens()).stateStore(store)
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm)).options(SyncOptions.defaults().withPageSize(100))
        .build();
    engine.setApplicationPermissionEnabled(m365.tenantId(), true);
    id = enroll(user);
    // once slices read app-only are in the CRM, the tenant's admin scopes the application to a group the
    // user is not in: the next slice is refused (403), and the round goes on with the user's delegated token
    AtomicInteger started = new AtomicInteger();
    gateway.before(gateway::firstOfASlice, () -> {
      if (started.incrementAndGet() == 1) {
        untilTheCrmHoldsRecords();
        m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, FakeMicrosoft365.CLIENT_ID,
            m365.tenant().addGroup("sales-managers", true), "CRM sync may reach sales managers only");
      }
    });
    m365.clock().advance(Duration.ofMinutes(1));

    ResourceResult result = engine.syncMailbox(id).resource(Resource.EVENTS).orElseThrow();

    assertThat(m365.cloud().log().count(r -> r.isGraph() && r.mode() == AuthMode.APPLICATION && r.status() == 403))
        .as("app-only slices refused").isPositive();
    assertThat(result.outcome()).isEqualTo(ResourceResult.Outcome.SYNCED);
    assertThat(result.mode()).isEqualTo(AuthMode.DELEGATED);
    assertThat(crmBySubject()).hasSize(1_000);
    assertThat(result.created()).as("records made by both attempts").isEqualTo(1_000);
  }

  @Test
  void recordsTheCrmHeldBeforeTheFirstSyncAreLinkedOrOverwrittenNeverCopied() {
    List<String> ids = meetings(1_000);
    start(pool, 100);
    // an import before the first sync: unlinked CRM records of some meetings, as they are or edited since
    for (int i = 0; i < 1_000; i += 10) {
      CalendarEvent item = calendar.get(ids.get(i)).orElseThrow().item();
      crm.save(id, null, i % 20 == 0 ? item : item.withBody("edited in the CRM"));
    }

    ResourceResult first = sync();

    assertThat(crmBySubject()).hasSize(1_000);
    assertThat(crm.list(id)).allSatisfy(r -> assertThat(r.item().body()).isNotEqualTo("edited in the CRM"));
    assertThat(first.created()).isEqualTo(900);
    assertThat(first.updated()).as("the edited ones, overwritten by Outlook's").isEqualTo(50);
    gateway.forget();
    assertThat(sync().created()).isZero();
    assertThat(crmBySubject()).hasSize(1_000);
  }

  @Test
  void aCalendarOfAFewSlicesCostsTheStateCommitsOfOneBatchOfWrites() {
    meetings(300); // fewer than a batch of CRM writes (500 at this page size)
    RecordingSyncStateStore recording = new RecordingSyncStateStore(store);
    store = recording;
    start(pool, 100);

    sync();

    assertThat(gateway.slices()).hasSizeGreaterThan(1);
    assertThat(crmBySubject()).hasSize(300);
    // the batch's write-ahead note, then its links with the round's commit: slices written one by one
    // as they are read would cost a commit each
    assertThat(recording.methods().stream().filter("putLinksAndCursors"::equals).count()).isEqualTo(2);
  }

  @Test
  void aSlicedReadTheGuardHoldsStillReportsTheRecordsItCreatedBeforeThat() {
    List<String> synced = meetings(400);
    CursorsLost lost = new CursorsLost(store);
    store = lost;
    start(pool, 100);
    sync();
    sync(); // the window read whole: its delta link kept
    // meanwhile in Outlook: 1,000 new meetings and 300 of the 400 synced ones deleted; and the state store
    // comes back without the mailbox's cursors (restored from an older backup), so the calendar is read anew
    for (int i = 0; i < 1_000; i++) {
      calendar.create(meeting("New " + i, now.minus(Duration.ofDays(28)).plus(Duration.ofHours(8L * i))));
    }
    synced.subList(0, 300).forEach(e -> calendar.delete(e, null));
    lost.lost = true;
    gateway.forget();
    m365.clock().advance(Duration.ofMinutes(1));

    ResourceResult held = engine.syncMailbox(id).resource(Resource.EVENTS).orElseThrow();

    lost.lost = false;
    assertThat(held.outcome()).as("300 of 400 linked events gone").isEqualTo(ResourceResult.Outcome.QUARANTINED);
    assertThat(gateway.slices()).hasSizeGreaterThan(1);
    int createdMeanwhile = crm.list(id).size() - 400;
    assertThat(createdMeanwhile).as("new events written while later slices were read").isPositive();
    assertThat(held.created()).as("what the held round wrote").isEqualTo(createdMeanwhile);
    assertThat(held.deleted()).isZero();

    engine.releaseQuarantine(id, Resource.EVENTS);
    ResourceResult released = sync();
    assertThat(held.created() + released.created()).as("each new event reported created once").isEqualTo(1_000);
    assertThat(released.deleted()).isEqualTo(300);
    assertThat(crmBySubject()).hasSize(1_100);
  }

  /** Waits (10 s at most) until the CRM holds a record of the mailbox; how many it holds then. */
  private int untilTheCrmHoldsRecords() {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (crm.list(id).isEmpty() && System.nanoTime() < until) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return crm.list(id).size();
  }

  @Test
  void inABusyCycleEachLargeCalendarIsReadAsOneChainThatKeepsItsLinkAndOnlyTheLastRoundsSlice() {
    meetings(300);
    // one round at a time, in the cycle's order: the k-th of 5 sees 5 - k + 1 rounds running or queued
    start(Runnable::run, SyncOptions.defaults().withPageSize(100).withMaxConcurrentMailboxes(4));
    for (int i = 2; i <= 5; i++) {
      ModelUser other = m365.addUser("user" + i);
      meetings(m365.mailbox(other).calendar(), 300);
      enroll(other);
    }

    m365.cloud().log().clear();
    List<MailboxId> order = engine.runCycle().mailboxes().stream().map(r -> r.mailbox()).toList();

    // a share of 4 requests / 5, 4, 3 rounds: 1, one chain each; 4 / 2 rounds: 2 slices at once; the last alone: 4
    for (int k = 0; k < 5; k++) {
      MailboxId mailbox = order.get(k);
      assertThat(crm.list(mailbox)).hasSize(300);
      assertThat(crm.duplicates(mailbox)).isZero();
      Optional<String> link = engine.stateStore().cursor(new CursorKey(mailbox, Resource.EVENTS, ""));
      if (k < 3) {
        assertThat(link).as("round %d of 5: one chain, its link kept", k + 1).isPresent();
        assertThat(m365.cloud().log().graphRequests(mailbox.userObjectId())).as("two pages at once, then one")
            .isEqualTo(2);
      } else {
        assertThat(link).as("round %d of 5: slices, no link until the round after", k + 1).isEmpty();
      }
    }
    assertThat(gateway.slices()).isNotEmpty();
  }

  @Test
  void aMailboxSyncedAloneByAnEngineSizedForTwoRoundsReadsTwoSlicesAtOnce() {
    m365.tenant().graphLimits(GraphLimits.OUTLOOK);
    meetings(1_000);
    start(pool, SyncOptions.defaults().withPageSize(100).withMaxConcurrentMailboxes(2));

    sync();

    assertThat(gateway.slices()).hasSizeGreaterThan(1);
    assertThat(m365.tenant().peakRequestsInFlight().get(user.objectId())).isLessThanOrEqualTo(2);
    assertThat(crmBySubject()).hasSize(1_000);
  }

  @Test
  void aCalendarOfAFewPagesIsReadInAFewSlicesEachWorthARequest() {
    meetings(300); // 3 pages: more than the first request's two
    start(pool, 100);

    sync();

    assertThat(crmBySubject()).hasSize(300);
    // slices cut at once, 4 per lane, cost 1 + 16 requests at least here, most for a handful of events
    assertThat(graphRequests()).as("the first request, then slices").isLessThanOrEqualTo(1 + 7);
    assertThat(gateway.slices()).hasSizeBetween(2, 6);
  }

  @Test
  void theRoundAfterReadsTheWindowWholeAndLaterRoundsAndIdleProbesFollowItsOneLink() {
    List<String> ids = meetings(400);
    start(pool, 50);
    sync();
    assertThat(gateway.slices()).hasSizeGreaterThan(1);
    sync();
    assertThat(link()).isPresent();

    m365.cloud().log().clear();
    m365.clock().advance(Duration.ofMinutes(16));
    engine.runCycle();
    assertThat(graphRequests()).as("an idle cycle: one probe of the one link").isEqualTo(1);

    calendar.update(ids.get(3), null, calendar.get(ids.get(3)).orElseThrow().item().withSubject("Changed"));
    calendar.create(meeting("New", now.plus(Duration.ofDays(200))));
    calendar.delete(ids.get(399), null);
    gateway.forget();
    sync();

    assertThat(gateway.slices()).isEmpty();
    assertThat(crmBySubject()).containsKeys("Changed", "New").doesNotContainKeys("Meeting 3", "Meeting 399").hasSize(400);
  }

  @Test
  void whatChangesWhileTheSlicesAreReadComesWithTheRoundAfter() {
    List<String> ids = meetings(200);
    String moving = calendar.create(meeting("Moving", now.plus(Duration.ofDays(360)))).id(); // in the last slice
    start(Runnable::run, 10); // slices read one after another, in order: the changes fall between two reads
    // once the slices read so far hold two of the meetings (where the slices are cut depends on the first
    // page's sample of the calendar, which comes in id order, that is at random): one of them renamed, the
    // other deleted, and a meeting moved into that part from the last slice (which then no longer holds it:
    // the read never sees it)
    AtomicReference<Window> read = new AtomicReference<>();
    AtomicReference<List<String>> two = new AtomicReference<>();
    List<String> changed = new ArrayList<>();
    AtomicReference<Instant> early = new AtomicReference<>();
    gateway.afterLast(r -> {
      if (!gateway.ofASlice(r)) {
        return false;
      }
      Window soFar = new Window(gateway.widest().start(), r.windowEnd());
      read.set(soFar);
      two.set(ids.stream().filter(i -> soFar.holds(calendar.get(i).orElseThrow().item().start())).limit(2).toList());
      return two.get().size() == 2;
    }, () -> {
      assertThat(read.get().end()).as("the end of the slices read so far").isBefore(now.plus(Duration.ofDays(360)));
      two.get().forEach(i -> changed.add(calendar.get(i).orElseThrow().item().subject()));
      String renamed = two.get().get(0);
      calendar.update(renamed, null, calendar.get(renamed).orElseThrow().item().withSubject("Renamed"));
      calendar.delete(two.get().get(1), null);
      early.set(read.get().start().plus(read.get().length().dividedBy(2)));
      calendar.update(moving, null, meeting("Moving", early.get()));
    });

    sync();
    assertThat(gateway.slices()).hasSizeGreaterThan(1);
    assertThat(changed).hasSize(2);
    assertThat(crmBySubject()).hasSize(200).containsKeys(changed.toArray(String[]::new)).doesNotContainKey("Moving");

    sync();
    assertThat(crmBySubject()).containsKeys("Renamed", "Moving").doesNotContainKeys(changed.toArray(String[]::new))
        .hasSize(200);
    assertThat(crmBySubject().get("Moving").item().start()).isEqualTo(early.get().truncatedTo(ChronoUnit.MINUTES));
    assertThat(link()).isPresent();
  }

  @Test
  void aSlicedReadThatFailsIsReadAgainAsOneChain() {
    meetings(300);
    start(pool, 100);
    AtomicInteger slicesStarted = new AtomicInteger();
    gateway.before(gateway::firstOfASlice, () -> {
      if (slicesStarted.incrementAndGet() == 2) {
        throw new RemoteUnavailableException("dropped connection", id, Resource.EVENTS, 503, null, null, null);
      }
    });
    assertThat(syncOnce()).isEqualTo(ResourceResult.Outcome.FAILED);
    assertThat(gateway.slices()).isNotEmpty();
    gateway.forget();
    m365.cloud().log().clear();

    sync(); // many requests, each a chance to fail: the retry is one chain (a first page of two, then one)

    assertReadAsOneChain(2, 300);
  }

  @Test
  void aSlicedReadGraphThrottledIsSlicedAgainWithHalfItsLanesAndThenReadAsOneChain() {
    meetings(1_000);
    start(pool, 100);
    AtomicInteger slicesStarted = new AtomicInteger();
    AtomicInteger throttleAt = new AtomicInteger(4); // the fourth lane's first request
    AtomicInteger starting = new AtomicInteger();
    AtomicInteger together = new AtomicInteger();
    gateway.before(gateway::firstOfASlice, () -> {
      together.accumulateAndGet(starting.incrementAndGet(), Math::max);
      try {
        if (slicesStarted.incrementAndGet() == throttleAt.get()) {
          throw throttled();
        }
        sleep(Duration.ofMillis(100)); // so that the lanes' first requests meet
      } finally {
        starting.decrementAndGet();
      }
    });
    assertThat(syncOnce()).isEqualTo(ResourceResult.Outcome.FAILED);
    assertThat(together).as("slices started at once").hasValue(4);

    // after Retry-After: sliced again, two lanes; throttled again, at the third slice
    gateway.forget();
    slicesStarted.set(0);
    throttleAt.set(3);
    together.set(0);
    assertThat(syncOnce()).isEqualTo(ResourceResult.Outcome.FAILED);
    assertThat(gateway.slices()).as("slices read in the second round").hasSizeGreaterThanOrEqualTo(2);
    assertThat(together).as("slices started at once").hasValue(2);

    // throttled with two lanes: the next read is one chain (a first page of two, then one a request)
    gateway.forget();
    m365.cloud().log().clear();
    sync();

    assertReadAsOneChain(9, 1_000);
  }

  @Test
  void aSlicedReadGraphThrottledOnceIsSlicedAgainAndItsNoteGoes() {
    meetings(1_000);
    start(pool, 100);
    AtomicInteger slicesStarted = new AtomicInteger();
    gateway.before(gateway::firstOfASlice, () -> {
      if (slicesStarted.incrementAndGet() == 2) {
        throw throttled();
      }
    });
    assertThat(syncOnce()).isEqualTo(ResourceResult.Outcome.FAILED);
    gateway.forget();

    sync();

    assertThat(gateway.slices()).hasSizeGreaterThan(1);
    assertThat(crmBySubject()).hasSize(1_000);
    assertThat(engine.stateStore().cursor(new CursorKey(id, Resource.EVENTS, "m365sync:event-slicing"))).isEmpty();
  }

  @Test
  void aFailedSlicedReadLeavesNoNoteWhenTheCalendarHasShrunkToTwoPagesByTheRetry() {
    List<String> ids = meetings(300);
    start(pool, 100);
    gateway.before(gateway::firstOfASlice, () -> {
      throw new RemoteUnavailableException("dropped connection", id, Resource.EVENTS, 503, null, null, null);
    });
    assertThat(syncOnce()).isEqualTo(ResourceResult.Outcome.FAILED);
    gateway.before(r -> false, () -> {});
    ids.subList(0, 150).forEach(i -> calendar.delete(i, null));
    m365.cloud().log().clear();

    sync();

    assertThat(graphRequests()).as("one request: its two pages hold what is left").isEqualTo(1);
    assertThat(crmBySubject()).hasSize(150);
    assertThat(engine.stateStore().cursor(new CursorKey(id, Resource.EVENTS, "m365sync:event-slicing"))).isEmpty();
  }

  @Test
  void anEventSpanningSliceBoundariesIsOneCrmRecord() {
    meetings(200);
    // most of the window: it spans at least one boundary however the window is cut
    Instant from = now.minus(Duration.ofDays(20)).truncatedTo(ChronoUnit.MINUTES);
    Instant to = from.plus(Duration.ofDays(300));
    String spanning = calendar.create(CalendarEvent.simple("Sabbatical", from, to)).id();
    start(pool, 10);

    sync();
    assertThat(gateway.slices().stream().filter(w -> w.start().isBefore(to) && w.end().isAfter(from)).count())
        .as("slices holding the sabbatical").isGreaterThanOrEqualTo(2);
    assertThat(crmBySubject()).containsKey("Sabbatical").hasSize(201);

    sync();
    calendar.update(spanning, null, calendar.get(spanning).orElseThrow().item().withSubject("Sabbatical, shorter"));
    sync();
    assertThat(crmBySubject()).containsKey("Sabbatical, shorter").doesNotContainKey("Sabbatical").hasSize(201);

    calendar.delete(spanning, null);
    sync();
    assertThat(crmBySubject()).doesNotContainKey("Sabbatical, shorter").hasSize(200);
  }

  @Test
  void laterFullReadsOfALargeCalendarStayOneChain() {
    List<String> ids = meetings(300);
    start(pool, 100);
    sync();
    sync();
    assertThat(link()).isPresent();

    calendar.evictDeltaTokens(); // a 410: the CRM holds the calendar, one chain reads it again
    calendar.delete(ids.get(5), null);
    gateway.forget();
    m365.cloud().log().clear();
    sync();

    assertThat(gateway.slices()).isEmpty();
    assertThat(graphRequests()).as("the dead link, the whole window's 3 pages, the deleted one looked up").isEqualTo(1 + 3 + 1);
    assertThat(crmBySubject()).hasSize(299).doesNotContainKey("Meeting 5");
    assertThat(link()).isPresent();
  }

  @Test
  void aWindowSlideRightAfterASlicedReadIsOneChain() {
    List<String> ids = meetings(300);
    start(pool, 100);
    sync();
    assertThat(gateway.slices()).hasSizeGreaterThan(1);
    ids.subList(20, 300).forEach(e -> calendar.delete(e, null));
    gateway.forget();

    m365.clock().advance(Duration.ofDays(2)); // more than the window's slide: a full read of the new window
    sync();

    assertThat(gateway.slices()).isEmpty();
    assertThat(crmBySubject()).hasSize(20);
    assertThat(link()).isPresent();
  }

  @Test
  void aCalendarOfTwoPagesIsOneChainReadInOneRequest() {
    meetings(200);
    start(pool, 100);
    m365.cloud().log().clear();
    sync();

    assertThat(graphRequests()).as("its first full read asks for two pages at once").isEqualTo(1);
    assertThat(gateway.slices()).isEmpty();
    assertThat(link()).isPresent();
    assertThat(crmBySubject()).hasSize(200);
  }

  @Test
  void aCalendarThatFitsInOnePageIsOneChainAndAnIdleCycleOneProbe() {
    meetings(30);
    start(pool, 100);
    m365.cloud().log().clear();
    sync();

    assertThat(graphRequests()).isEqualTo(1);
    assertThat(link()).isPresent();
    m365.cloud().log().clear();
    m365.clock().advance(Duration.ofMinutes(16));
    engine.runCycle();
    assertThat(graphRequests()).isEqualTo(1);
  }

  /** A calendar view window as the test reads it off the requests. */
  record Window(Instant start, Instant end) {
    Duration length() {
      return Duration.between(start, end);
    }

    boolean holds(Instant t) {
      return !t.isBefore(start) && t.isBefore(end);
    }
  }

  /** A state store that, while {@code lost}, answers as if it held no cursor (restored from a backup without them). */
  private static final class CursorsLost extends ForwardingSyncStateStore {
    private volatile boolean lost;

    CursorsLost(SyncStateStore delegate) {
      super(delegate);
    }

    @Override
    public Optional<String> cursor(CursorKey key) {
      return lost ? Optional.empty() : super.cursor(key);
    }
  }

  /**
   * The fake's gateway, noting the windows of slices (chains whose window is narrower than the widest
   * asked for), running an action before every matching request, or once after a chain's last page.
   */
  /** The last round read the calendar as one chain of {@code requests}; all {@code events} are in the CRM, linked. */
  private void assertReadAsOneChain(int requests, int events) {
    assertThat(gateway.slices()).isEmpty();
    assertThat(graphRequests()).isEqualTo(requests);
    assertThat(crmBySubject()).hasSize(events);
    assertThat(link()).isPresent();
    assertThat(engine.stateStore().cursor(new CursorKey(id, Resource.EVENTS, "m365sync:event-slicing"))).isEmpty();
  }

  /** A round a minute later (past any Retry-After), without the checks {@link #sync} makes: its outcome. */
  private ResourceResult.Outcome syncOnce() {
    m365.clock().advance(Duration.ofMinutes(1));
    return engine.syncMailbox(id).resource(Resource.EVENTS).orElseThrow().outcome();
  }

  /** What Graph answers a mailbox with more requests at it than it allows. */
  private ThrottledException throttled() {
    return new ThrottledException("too many requests", id, Resource.EVENTS, 429, "ApplicationThrottled", null,
        Duration.ofSeconds(10), null);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class Hooked extends ForwardingGateway {
    private final List<Window> slices = new CopyOnWriteArrayList<>();
    private volatile Window widest;
    private volatile Predicate<DeltaRequest> before;
    private volatile Runnable beforeAction;
    private volatile Predicate<DeltaRequest> afterLast;
    private volatile Runnable afterAction;

    Hooked(MailboxGateway delegate) {
      super(delegate);
    }

    /** The slices read since the last {@link #forget}, in window order. */
    List<Window> slices() {
      return slices.stream().sorted(Comparator.comparing(Window::start)).toList();
    }

    void forget() {
      slices.clear();
    }

    void before(Predicate<DeltaRequest> when, Runnable action) {
      this.before = when;
      this.beforeAction = action;
    }

    void afterLast(Predicate<DeltaRequest> when, Runnable action) {
      this.afterLast = when;
      this.afterAction = action;
    }

    /** A chain's first request for a window narrower than the widest asked for: a slice's. */
    boolean firstOfASlice(DeltaRequest r) {
      return r.cursor() == null && narrower(r);
    }

    /** A request of a slice's chain. */
    boolean ofASlice(DeltaRequest r) {
      return narrower(r);
    }

    /** The widest window asked for: the whole window a sliced read cuts. */
    Window widest() {
      return widest;
    }

    private boolean narrower(DeltaRequest r) {
      Window w = widest;
      return r.windowStart() != null && w != null
          && Duration.between(r.windowStart(), r.windowEnd()).compareTo(w.length()) < 0;
    }

    @Override
    public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
      if (request.cursor() == null && request.windowStart() != null) {
        Window w = new Window(request.windowStart(), request.windowEnd());
        synchronized (this) {
          if (widest == null || w.length().compareTo(widest.length()) > 0) {
            widest = w;
          }
        }
        if (narrower(request)) {
          slices.add(w);
        }
      }
      Predicate<DeltaRequest> b = before;
      Runnable action = beforeAction;
      if (b != null && action != null && b.test(request)) {
        action.run();
      }
      DeltaPage<T> page = delegate.delta(session, type, request);
      Predicate<DeltaRequest> a = afterLast;
      if (a != null && !page.more() && a.test(request)) {
        afterLast = null;
        afterAction.run();
      }
      return page;
    }
  }
}

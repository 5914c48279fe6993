package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.CursorKey;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.ForwardingGateway;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.GraphLimits;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The first full read of a calendar larger than two delta pages reads it again as 12 time slices of
 * its window, 4 at once (the mailbox's request cap), each its own chain with its own link; the next
 * round puts the window back on one link, so later rounds and idle probes cost one request. Other full
 * reads (a 410, a slide) and smaller calendars stay one chain. The CRM sees one calendar throughout:
 * every event once, changes in any slice, changes made while the window goes back on one link, events
 * that span a boundary or move across one between two slices' reads.
 */
class SlicedCalendarTest {
  private static final String SLICES = "m365sync:event-slices";
  private static final int CUT = 12;

  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final ModelUser user = m365.addUser("big");
  private final ItemCollection<CalendarEvent> calendar = m365.mailbox(user).calendar();
  private final InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("event");
  private final Hooked gateway = new Hooked(m365.gateway());
  private final ExecutorService pool = Executors.newFixedThreadPool(8);
  private final Instant now = m365.clock().instant();
  private SyncEngine engine;
  private MailboxId id;

  @AfterEach
  void close() {
    pool.shutdownNow();
  }

  private void start(Executor executor, int pageSize) {
    engine = SyncEngine.builder().clock(m365.clock()).gateway(gateway).executor(executor)
        .delegatedTokens(m365.delegatedTokens()).stateStore(SyncStateStore.inMemory())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm))
        .options(SyncOptions.defaults().withPageSize(pageSize))
        .build();
    Mailbox mailbox = m365.signIn(user, Set.of(Resource.EVENTS));
    engine.enroll(mailbox);
    id = mailbox.id();
  }

  /** {@code n} meetings 9 hours apart from 29 days ago: spread over the default window [-30 days, +365 days). */
  private List<String> meetings(int n) {
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add(calendar.create(meeting("Meeting " + i, now.minus(Duration.ofDays(29)).plus(Duration.ofHours(9L * i)))).id());
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

  private Optional<String> cursor(String container) {
    return engine.stateStore().cursor(new CursorKey(id, Resource.EVENTS, container));
  }

  /** The slice boundaries the store holds (epoch millis), first and last being the window's. */
  private List<Instant> boundaries() {
    return Arrays.stream(cursor(SLICES).orElseThrow().split("/")).map(s -> Instant.ofEpochMilli(Long.parseLong(s))).toList();
  }

  /** A start well inside slice {@code i}. */
  private Instant inside(int i) {
    List<Instant> b = boundaries();
    return b.get(i).plus(Duration.between(b.get(i), b.get(i + 1)).dividedBy(2));
  }

  /** Whether the window is on one link: the whole window's, no slice layout, no slice's link. */
  private boolean oneLink() {
    for (int i = 0; i < CUT; i++) {
      if (cursor("m365sync:event-slice:" + i).isPresent()) {
        return false;
      }
    }
    return cursor("").isPresent() && cursor(SLICES).isEmpty();
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
  void aLargeCalendarIsReadAsSlicesAllInFlightAtOnceWithinTheMailboxsCap() {
    m365.tenant().graphLimits(GraphLimits.OUTLOOK);
    meetings(1_000);
    start(pool, 100);
    CyclicBarrier four = new CyclicBarrier(4);
    AtomicInteger met = new AtomicInteger();
    gateway.before(gateway::firstOfASlice, () -> {
      try {
        four.await(10, TimeUnit.SECONDS);
        met.incrementAndGet();
      } catch (Exception alone) {
        // not met: the slices were not in flight together
      }
    });

    sync();

    assertThat(crmBySubject()).hasSize(1_000);
    assertThat(boundaries()).hasSize(CUT + 1); // 3 slices per request the mailbox may have in flight
    assertThat(met.get()).as("slices whose first page met three others in flight").isEqualTo(CUT);
    for (int i = 0; i < CUT; i++) {
      assertThat(cursor("m365sync:event-slice:" + i)).as("slice %d's link", i).isPresent();
    }
    assertThat(cursor("")).isEmpty();
    assertThat(m365.tenant().peakRequestsInFlight().get(user.objectId())).isBetween(2, 4);
    assertThat(m365.cloud().log().count(r -> r.isGraph() && r.status() == 429)).isZero();
  }

  @Test
  void theNextRoundPutsTheWindowBackOnOneLinkWithTheChangesOfEverySlice() {
    List<String> ids = meetings(400);
    start(pool, 50);
    sync();
    List<Instant> b = boundaries();
    assertThat(b).hasSize(CUT + 1);

    int changed = 0;
    for (int i = 0; i < CUT; i++) {
      int slice = i;
      Optional<String> inSlice = ids.stream().filter(e -> {
        Instant s = calendar.get(e).orElseThrow().item().start();
        return !s.isBefore(b.get(slice)) && s.isBefore(b.get(slice + 1));
      }).findFirst();
      if (inSlice.isPresent()) {
        calendar.update(inSlice.get(), null, calendar.get(inSlice.get()).orElseThrow().item().withSubject("Changed in slice " + i));
        changed++;
      }
      calendar.create(meeting("New in slice " + i, inside(i)));
    }
    calendar.delete(ids.get(ids.size() - 1), null);
    assertThat(changed).as("slices holding a meeting").isGreaterThan(2);

    sync();

    Map<String, CrmRecord<CalendarEvent>> bySubject = crmBySubject();
    assertThat(bySubject).hasSize(400 + CUT - 1);
    for (int i = 0; i < CUT; i++) {
      assertThat(bySubject).containsKey("New in slice " + i);
    }
    assertThat(bySubject.keySet().stream().filter(k -> k.startsWith("Changed in slice "))).hasSize(changed);
    assertThat(bySubject).doesNotContainKey("Meeting 399");
    assertThat(oneLink()).isTrue();

    m365.cloud().log().clear();
    m365.clock().advance(Duration.ofMinutes(16));
    engine.runCycle();
    assertThat(graphRequests()).as("an idle cycle: one probe of the one link").isEqualTo(1);

    calendar.create(meeting("After the join", b.get(0).plus(Duration.ofDays(1))));
    sync();
    assertThat(crmBySubject()).containsKey("After the join").hasSize(400 + CUT);
  }

  @Test
  void anIdleCycleAfterASlicedReadPutsTheWindowBackOnOneLinkAndTheNextProbesIt() {
    meetings(300);
    start(pool, 100);
    sync();
    assertThat(boundaries()).hasSize(CUT + 1);

    m365.cloud().log().clear();
    m365.clock().advance(Duration.ofMinutes(16));
    engine.runCycle();
    assertThat(oneLink()).isTrue();
    assertThat(graphRequests()).as("the whole window's 3 pages, then each slice's link").isEqualTo(3 + CUT);

    m365.cloud().log().clear();
    m365.clock().advance(Duration.ofMinutes(16));
    engine.runCycle();
    assertThat(graphRequests()).isEqualTo(1);
    assertThat(crmBySubject()).hasSize(300);
  }

  @Test
  void changesMadeWhileTheWholeWindowIsReadAgainAreNotLost() {
    List<String> ids = meetings(300);
    start(pool, 50);
    sync();
    List<Instant> b = boundaries();
    assertThat(b).hasSize(CUT + 1);
    Instant from = b.get(0);
    Instant to = b.get(CUT);
    String early = ids.get(10);
    String late = ids.get(290);
    String gone = ids.get(150);

    // the round reads the whole window's chain to its link, what it returns dropped: a change just
    // before its first page and two just after its last come through the slices' links read after it
    gateway.before(r -> r.cursor() == null && from.equals(r.windowStart()) && to.equals(r.windowEnd()),
        () -> calendar.update(early, null, calendar.get(early).orElseThrow().item().withSubject("Renamed before")));
    gateway.afterLast(r -> from.equals(r.windowStart()) && to.equals(r.windowEnd()), () -> {
      calendar.update(late, null, calendar.get(late).orElseThrow().item().withSubject("Renamed after"));
      calendar.delete(gone, null);
    });
    sync();
    gateway.before(r -> false, null);

    assertThat(oneLink()).isTrue();
    assertThat(crmBySubject()).containsKeys("Renamed before", "Renamed after").doesNotContainKey("Meeting 150")
        .hasSize(299);

    // and what changes after it comes through the one link
    calendar.update(early, null, calendar.get(early).orElseThrow().item().withSubject("Renamed once more"));
    calendar.create(meeting("Created after the join", b.get(1)));
    sync();
    assertThat(crmBySubject()).containsKeys("Renamed once more", "Created after the join")
        .doesNotContainKey("Renamed before").hasSize(300);
  }

  @Test
  void anEventMovedAcrossASliceBoundaryBetweenTwoSlicesReadsComesWithTheNextRound() {
    meetings(200);
    String x = calendar.create(meeting("Moving", now.plus(Duration.ofDays(360)))).id(); // in the last slice
    start(Runnable::run, 10); // slices read one after another, in order: the move falls between two reads
    // right after the first slice was read, the meeting moves into it from the last: the read never sees it
    Instant early = now.minus(Duration.ofDays(28));
    gateway.afterLast(r -> gateway.firstSlicesChain(r), () -> calendar.update(x, null, meeting("Moving", early)));

    sync();
    assertThat(boundaries()).hasSize(CUT + 1);
    assertThat(crmBySubject()).hasSize(200).doesNotContainKey("Moving");

    sync(); // the first slice's link brings it as the window goes back on one link
    assertThat(crmBySubject().get("Moving").item().start()).isEqualTo(early.truncatedTo(ChronoUnit.MINUTES));
    assertThat(crmBySubject()).hasSize(201);
    assertThat(oneLink()).isTrue();
  }

  @Test
  void anEventSpanningSliceBoundariesIsOneCrmRecord() {
    meetings(200);
    // longer than a slice (395 days / 12): it spans at least one boundary however the window is cut
    Instant from = now.plus(Duration.ofDays(100)).truncatedTo(ChronoUnit.MINUTES);
    String spanning = calendar.create(CalendarEvent.simple("Sabbatical", from, from.plus(Duration.ofDays(40)))).id();
    start(pool, 10);

    sync();
    List<Instant> b = boundaries();
    assertThat(b.stream().filter(t -> t.isAfter(from) && t.isBefore(from.plus(Duration.ofDays(40))))).isNotEmpty();
    assertThat(crmBySubject()).containsKey("Sabbatical").hasSize(201);

    calendar.update(spanning, null, calendar.get(spanning).orElseThrow().item().withSubject("Sabbatical, shorter"));
    sync();
    assertThat(crmBySubject()).containsKey("Sabbatical, shorter").doesNotContainKey("Sabbatical").hasSize(201);
    assertThat(oneLink()).isTrue();

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
    assertThat(oneLink()).isTrue();

    calendar.evictDeltaTokens(); // a 410: the CRM holds the calendar, one chain reads it again
    calendar.delete(ids.get(5), null);
    m365.cloud().log().clear();
    sync();

    assertThat(oneLink()).isTrue();
    assertThat(graphRequests()).as("the dead link, the whole window's 3 pages, the deleted one looked up").isEqualTo(1 + 3 + 1);
    assertThat(crmBySubject()).hasSize(299).doesNotContainKey("Meeting 5");
  }

  @Test
  void aCalendarOfTwoPagesIsOneChain() {
    meetings(200);
    start(pool, 100);
    m365.cloud().log().clear();
    sync();

    assertThat(graphRequests()).isEqualTo(2);
    assertThat(oneLink()).isTrue();
    assertThat(crmBySubject()).hasSize(200);
  }

  @Test
  void aCalendarThatFitsInOnePageIsOneChainAndAnIdleCycleOneProbe() {
    meetings(30);
    start(pool, 100);
    m365.cloud().log().clear();
    sync();

    assertThat(graphRequests()).isEqualTo(1);
    assertThat(oneLink()).isTrue();
    m365.cloud().log().clear();
    m365.clock().advance(Duration.ofMinutes(16));
    engine.runCycle();
    assertThat(graphRequests()).isEqualTo(1);
  }

  @Test
  void aWindowSlideRightAfterASlicedReadDecidesAgainAndRemovesTheSlices() {
    List<String> ids = meetings(300);
    start(pool, 100);
    sync();
    assertThat(boundaries()).hasSize(CUT + 1);
    ids.subList(20, 300).forEach(e -> calendar.delete(e, null));

    m365.clock().advance(Duration.ofDays(2)); // more than the window's slide: a full read of the new window
    sync();

    assertThat(crmBySubject()).hasSize(20);
    assertThat(oneLink()).isTrue(); // 20 events: one page
  }

  @Test
  void unenrollingForgetsEverySlicesLink() {
    meetings(300);
    start(pool, 100);
    sync();
    assertThat(cursor("m365sync:event-slice:3")).isPresent();

    engine.unenroll(id);

    assertThat(cursor(SLICES)).isEmpty();
    for (int i = 0; i < CUT; i++) {
      assertThat(cursor("m365sync:event-slice:" + i)).isEmpty();
    }
  }

  /** The fake's gateway, running an action once before a matching request, or after its chain's last page. */
  private static final class Hooked extends ForwardingGateway {
    private volatile Predicate<DeltaRequest> before;
    private volatile Runnable beforeAction;
    private volatile Predicate<DeltaRequest> afterLast;
    private volatile Runnable afterAction;
    private volatile Duration widest = Duration.ZERO;
    private volatile Instant widestStart;

    Hooked(MailboxGateway delegate) {
      super(delegate);
    }

    /** Before every matching request: {@code action} (once per request). */
    void before(Predicate<DeltaRequest> when, Runnable action) {
      this.before = when;
      this.beforeAction = action;
    }

    /** Once, right after the last page of a chain whose request matches. */
    void afterLast(Predicate<DeltaRequest> when, Runnable action) {
      this.afterLast = when;
      this.afterAction = action;
    }

    /** A request of the first slice's chain: it starts where the widest window asked for starts, and ends before it. */
    boolean firstSlicesChain(DeltaRequest r) {
      return r.windowStart() != null && r.windowStart().equals(widestStart)
          && Duration.between(r.windowStart(), r.windowEnd()).compareTo(widest) < 0;
    }

    /** A chain's first request for a window narrower than the widest first asked for: a slice's. */
    boolean firstOfASlice(DeltaRequest r) {
      return r.cursor() == null && r.windowStart() != null
          && Duration.between(r.windowStart(), r.windowEnd()).compareTo(widest) < 0;
    }

    @Override
    public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
      if (request.cursor() == null && request.windowStart() != null) {
        Duration length = Duration.between(request.windowStart(), request.windowEnd());
        synchronized (this) {
          if (length.compareTo(widest) > 0) {
            widest = length;
            widestStart = request.windowStart();
          }
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

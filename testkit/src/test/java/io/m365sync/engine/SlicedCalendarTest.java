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
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.CursorKey;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.GraphLimits;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A calendar larger than one delta page is read by a full read as time slices of its window, each
 * its own delta chain, at once (at most as many as the mailbox may have requests in flight), and
 * keeps one link for the whole window, taken before the slices start: the CRM sees one calendar
 * (every event once, one that spans a boundary too, one that moves across a boundary between two
 * slices' reads never deleted), and later rounds and idle probes follow one link.
 */
class SlicedCalendarTest {
  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final ModelUser user = m365.addUser("big");
  private final ItemCollection<CalendarEvent> calendar = m365.mailbox(user).calendar();
  private final InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("event");
  private final BetweenChains gateway = new BetweenChains(m365.gateway());
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

  /** {@code n} meetings 9 hours apart from 29 days ago (1,000 cover the default window [-30 days, +365 days)). */
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
    assertThat(r.outcome()).as(String.valueOf(r)).isEqualTo(ResourceResult.Outcome.SYNCED);
    return r;
  }

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

  @Test
  void aLargeCalendarIsReadAsSlicesAtOnceWithinTheMailboxsCapAndKeepsOneLink() {
    m365.tenant().graphLimits(GraphLimits.OUTLOOK);
    meetings(1_000);
    start(pool, 100);

    sync();

    assertThat(crmBySubject()).hasSize(1_000);
    assertThat(gateway.slices()).hasSize(4); // the mailbox's request cap
    assertThat(link()).isPresent();
    assertThat(m365.tenant().peakRequestsInFlight().get(user.objectId())).isBetween(1, 4);
    assertThat(m365.cloud().log().count(r -> r.isGraph() && r.status() == 429)).isZero();
  }

  @Test
  void laterRoundsAndIdleProbesFollowOneLinkForTheWholeWindow() {
    List<String> ids = meetings(400);
    start(pool, 50);
    sync();
    List<Window> slices = gateway.slices();
    assertThat(slices).hasSize(4);

    m365.cloud().log().clear();
    m365.clock().advance(Duration.ofMinutes(16));
    engine.runCycle();
    assertThat(m365.cloud().log().graphRequests(user.objectId())).isEqualTo(1); // one probe, nothing new

    for (int i = 0; i < 4; i++) {
      Window w = slices.get(i);
      String inSlice = ids.stream().filter(e -> w.holds(calendar.get(e).orElseThrow().item().start())).findFirst().orElseThrow();
      calendar.update(inSlice, null, calendar.get(inSlice).orElseThrow().item().withSubject("Changed in slice " + i));
      calendar.create(meeting("New in slice " + i, w.middle()));
    }
    calendar.delete(ids.get(ids.size() - 1), null);
    gateway.forget();
    m365.cloud().log().clear();

    sync();

    Map<String, CrmRecord<CalendarEvent>> bySubject = crmBySubject();
    assertThat(bySubject).hasSize(400 + 4 - 1);
    for (int i = 0; i < 4; i++) {
      assertThat(bySubject).containsKeys("Changed in slice " + i, "New in slice " + i);
    }
    assertThat(bySubject).doesNotContainKey("Meeting 399");
    assertThat(gateway.slices()).isEmpty(); // no full read: one page from the link (and one look-up of the deleted one)
    assertThat(m365.cloud().log().graphRequests(user.objectId())).isLessThanOrEqualTo(2);
  }

  @Test
  void anEventMovedAcrossASliceBoundaryBetweenTwoSlicesReadsIsNeverDeleted() {
    meetings(200);
    start(Runnable::run, 10); // slices read one after another, in order: the move falls between two reads
    Instant early = now.minus(Duration.ofDays(28)); // in the first slice
    Instant late = now.plus(Duration.ofDays(360)); // in the last slice
    String x = calendar.create(meeting("Moving", late)).id();
    sync();
    Window whole = gateway.whole();
    String crmId = crmBySubject().get("Moving").crmId();

    // a 410: a full read of the window in slices; right after the first slice was read, the meeting
    // moves into it from the last: the read never sees it, and the last slice no longer holds it
    calendar.evictDeltaTokens();
    gateway.afterFirstSlice(whole, () -> calendar.update(x, null, meeting("Moving", early)));
    sync();
    assertThat(gateway.slices()).hasSize(4);
    assertThat(crmBySubject().get("Moving").crmId()).isEqualTo(crmId); // still there (Graph confirmed it exists)
    sync(); // the link was taken before the slices: the move comes now
    assertThat(crmBySubject().get("Moving").item().start()).isEqualTo(early.truncatedTo(ChronoUnit.MINUTES));

    // and back, from the first slice (read already) into the last: that slice reads it
    calendar.evictDeltaTokens();
    gateway.afterFirstSlice(whole, () -> calendar.update(x, null, meeting("Moving", late)));
    sync();
    assertThat(crmBySubject().get("Moving").item().start()).isEqualTo(late.truncatedTo(ChronoUnit.MINUTES));
    sync();
    assertThat(crmBySubject().get("Moving").crmId()).isEqualTo(crmId);
    assertThat(crmBySubject()).hasSize(201);
  }

  @Test
  void anEventSpanningASliceBoundaryIsOneCrmRecord() {
    meetings(200);
    start(pool, 10);
    sync();
    List<Window> slices = gateway.slices();
    // from the middle of the second slice to the middle of the third: across a boundary however the next read cuts
    String spanning = calendar.create(CalendarEvent.simple("Offsite", slices.get(1).middle(), slices.get(2).middle())).id();
    calendar.evictDeltaTokens();
    gateway.forget();

    sync();
    List<Window> again = gateway.slices();
    assertThat(again.stream().filter(w -> w.overlaps(slices.get(1).middle(), slices.get(2).middle())).count())
        .as("slices holding the offsite").isGreaterThanOrEqualTo(2);
    assertThat(crmBySubject()).containsKey("Offsite").hasSize(201);

    calendar.update(spanning, null, calendar.get(spanning).orElseThrow().item().withSubject("Offsite, moved room"));
    sync();
    assertThat(crmBySubject()).containsKey("Offsite, moved room").doesNotContainKey("Offsite").hasSize(201);

    calendar.delete(spanning, null);
    sync();
    assertThat(crmBySubject()).doesNotContainKey("Offsite, moved room").hasSize(200);
  }

  @Test
  void aCalendarThatFitsInOnePageIsOneChain() {
    meetings(30);
    start(pool, 100);
    m365.cloud().log().clear();

    sync();

    assertThat(gateway.slices()).isEmpty();
    assertThat(m365.cloud().log().graphRequests(user.objectId())).isEqualTo(1);
    assertThat(link()).isPresent();
  }

  @Test
  void aWindowSlideReadsTheNewWindowAgainAndDecidesAgain() {
    List<String> ids = meetings(300);
    start(pool, 100);
    sync();
    assertThat(gateway.slices()).hasSize(4);
    ids.subList(20, 300).forEach(e -> calendar.delete(e, null));
    gateway.forget();

    m365.clock().advance(Duration.ofDays(2)); // more than the window's slide: a full read of the new window
    sync();

    assertThat(gateway.slices()).isEmpty(); // 20 events left: one page
    assertThat(crmBySubject()).hasSize(20);
    assertThat(link()).isPresent();
  }

  /** A calendar view window as the test reads it off the requests. */
  record Window(Instant start, Instant end) {
    Instant middle() {
      return start.plus(Duration.between(start, end).dividedBy(2));
    }

    boolean holds(Instant t) {
      return !t.isBefore(start) && t.isBefore(end);
    }

    boolean overlaps(Instant from, Instant to) {
      return from.isBefore(end) && to.isAfter(start);
    }
  }

  /**
   * The fake's gateway, noting the windows of the full reads' chains (the whole window's first
   * request, then any slices), and running an action once right after the first slice's chain ended.
   */
  private static final class BetweenChains implements MailboxGateway {
    private final MailboxGateway delegate;
    private final List<Window> started = new CopyOnWriteArrayList<>();
    private volatile Window whole;
    private volatile Runnable action;

    BetweenChains(MailboxGateway delegate) {
      this.delegate = delegate;
    }

    /** The slices of the full reads since the last {@link #forget}: windows inside another read's (empty: one chain). */
    List<Window> slices() {
      return started.stream().filter(w -> started.stream().anyMatch(o -> !o.equals(w) && !o.start().isAfter(w.start())
          && !o.end().isBefore(w.end()))).distinct().sorted(java.util.Comparator.comparing(Window::start)).toList();
    }

    /** The widest window read since the last {@link #forget}: the whole calendar view. */
    Window whole() {
      return started.stream().max(java.util.Comparator.comparing(w -> Duration.between(w.start(), w.end()))).orElseThrow();
    }

    void forget() {
      started.clear();
    }

    void afterFirstSlice(Window whole, Runnable action) {
      forget();
      this.whole = whole;
      this.action = action;
    }

    @Override
    public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
      DeltaPage<T> page = delegate.delta(session, type, request);
      if (request.windowStart() == null || request.startsFromNow()) {
        return page;
      }
      Window w = new Window(request.windowStart(), request.windowEnd());
      if (request.cursor() == null) {
        started.add(w);
      }
      Runnable a = action;
      if (a != null && !page.more() && w.start().equals(whole.start()) && w.end().isBefore(whole.end())) {
        action = null;
        a.run();
      }
      return page;
    }

    @Override
    public <T extends SyncItem> Optional<T> get(MailboxSession session, ResourceType<T> type, String container,
                                                String remoteId) {
      return delegate.get(session, type, container, remoteId);
    }

    @Override
    public <T extends SyncItem> WriteResult create(MailboxSession session, ResourceType<T> type, String container, T item) {
      return delegate.create(session, type, container, item);
    }

    @Override
    public <T extends SyncItem> WriteResult update(MailboxSession session, ResourceType<T> type, String container,
                                                   String remoteId, String ifMatch, ItemPatch<T> patch) {
      return delegate.update(session, type, container, remoteId, ifMatch, patch);
    }

    @Override
    public void delete(MailboxSession session, ResourceType<?> type, String container, String remoteId, String ifMatch) {
      delegate.delete(session, type, container, remoteId, ifMatch);
    }
  }
}

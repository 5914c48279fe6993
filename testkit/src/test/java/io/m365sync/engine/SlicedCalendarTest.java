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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A calendar larger than one delta page is read as time slices of its window, each its own delta
 * chain with its own link (at most as many as the mailbox may have requests in flight, read at once),
 * and the CRM sees one calendar: every event once, changes in any slice, events that span a boundary
 * or move across one between two slices' reads (never deleted), a small calendar kept on one link.
 */
class SlicedCalendarTest {
  private static final String SLICES = "m365sync:event-slices";

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

  /** {@code n} meetings spread evenly over the default window [-30 days, +365 days). */
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

  /** CRM records by subject; asserts that no remote id is held twice. */
  private Map<String, CrmRecord<CalendarEvent>> crmBySubject() {
    List<CrmRecord<CalendarEvent>> all = crm.list(id);
    assertThat(crm.duplicates(id)).isZero();
    return all.stream().collect(Collectors.toMap(r -> r.item().subject(), r -> r, (a, b) -> {
      throw new AssertionError("two CRM records for " + a.item().subject());
    }));
  }

  private long graphErrors(int status) {
    return m365.cloud().log().count(r -> r.isGraph() && r.status() == status);
  }

  @Test
  void aLargeCalendarIsReadAsSlicesAtOnceWithinTheMailboxsCap() {
    m365.tenant().graphLimits(GraphLimits.OUTLOOK);
    meetings(1_000);
    start(pool, 100);

    sync();

    assertThat(crmBySubject()).hasSize(1_000);
    assertThat(boundaries()).hasSize(5); // 4 slices: the mailbox's request cap
    for (int i = 0; i < 4; i++) {
      assertThat(cursor("m365sync:event-slice:" + i)).as("slice %d's link", i).isPresent();
    }
    assertThat(cursor("")).isEmpty();
    assertThat(m365.tenant().peakRequestsInFlight().get(user.objectId())).isBetween(1, 4);
    assertThat(graphErrors(429)).isZero();
  }

  @Test
  void laterRoundsFollowEverySlicesLinkAndSeeChangesInEach() {
    List<String> ids = meetings(400);
    start(pool, 50);
    sync();
    List<Instant> b = boundaries();
    assertThat(b).hasSize(5);

    for (int i = 0; i < 4; i++) {
      int slice = i;
      String inSlice = ids.stream().filter(e -> {
        Instant s = calendar.get(e).orElseThrow().item().start();
        return !s.isBefore(b.get(slice)) && s.isBefore(b.get(slice + 1));
      }).findFirst().orElseThrow();
      calendar.update(inSlice, null, calendar.get(inSlice).orElseThrow().item().withSubject("Changed in slice " + i));
      calendar.create(meeting("New in slice " + i, inside(i)));
    }
    calendar.delete(ids.get(ids.size() - 1), null);
    m365.cloud().log().clear();

    sync();

    Map<String, CrmRecord<CalendarEvent>> bySubject = crmBySubject();
    assertThat(bySubject).hasSize(400 + 4 - 1);
    for (int i = 0; i < 4; i++) {
      assertThat(bySubject).containsKeys("Changed in slice " + i, "New in slice " + i);
    }
    assertThat(bySubject).doesNotContainKey("Meeting 399");
    assertThat(boundaries()).isEqualTo(b); // no full read: the same slices, followed from their links
  }

  @Test
  void anEventMovedAcrossASliceBoundaryBetweenTwoSlicesReadsIsNeverDeleted() {
    meetings(200);
    start(Runnable::run, 10); // slices read one after another, in order: the move falls between two reads
    sync();
    String x = calendar.create(meeting("Moving", inside(3))).id();
    sync();
    String crmId = crmBySubject().get("Moving").crmId();

    // into slice 0 right after slice 0 was read: the round sees it leave slice 3, nowhere arrive
    Instant early = inside(0);
    gateway.afterChainOf(boundaries().get(0), () -> calendar.update(x, null, meeting("Moving", early)));
    sync();
    assertThat(crmBySubject().get("Moving").crmId()).isEqualTo(crmId); // still there (Graph confirmed it exists)
    sync();
    assertThat(crmBySubject().get("Moving").item().start()).isEqualTo(early.truncatedTo(ChronoUnit.MINUTES));

    // back into slice 3 right after slice 0 was read: this round reads it arrive; the next, it leaves slice 0
    Instant late = inside(3);
    gateway.afterChainOf(boundaries().get(0), () -> calendar.update(x, null, meeting("Moving", late)));
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
    Instant boundary = boundaries().get(2);
    String spanning = calendar.create(CalendarEvent.simple("Offsite", boundary.minus(Duration.ofHours(20)),
        boundary.plus(Duration.ofHours(20)))).id();

    sync();
    assertThat(crmBySubject()).containsKey("Offsite").hasSize(201);

    calendar.update(spanning, null, calendar.get(spanning).orElseThrow().item().withSubject("Offsite, moved room"));
    sync();
    assertThat(crmBySubject()).containsKey("Offsite, moved room").doesNotContainKey("Offsite").hasSize(201);

    calendar.evictDeltaTokens(); // 410: a full read of the window, which cuts the slices again
    sync();
    assertThat(crmBySubject()).containsKey("Offsite, moved room").hasSize(201);

    calendar.delete(spanning, null);
    sync();
    assertThat(crmBySubject()).doesNotContainKey("Offsite, moved room").hasSize(200);
  }

  @Test
  void aCalendarThatFitsInOnePageKeepsOneLinkAndAnIdleCycleOneProbe() {
    meetings(30);
    start(pool, 100);
    sync();

    assertThat(cursor("")).isPresent();
    assertThat(cursor(SLICES)).isEmpty();
    assertThat(cursor("m365sync:event-slice:0")).isEmpty();
    m365.cloud().log().clear();
    m365.clock().advance(Duration.ofMinutes(16));
    engine.runCycle();
    assertThat(m365.cloud().log().graphRequests(user.objectId())).isEqualTo(1);
  }

  @Test
  void anIdleCycleProbesEverySlicesLink() {
    meetings(300);
    start(pool, 100);
    sync();
    assertThat(boundaries()).hasSize(5);

    m365.cloud().log().clear();
    m365.clock().advance(Duration.ofMinutes(16));
    engine.runCycle();

    assertThat(m365.cloud().log().graphRequests(user.objectId())).isEqualTo(4); // one probe step per slice, nothing read
    assertThat(crmBySubject()).hasSize(300);
  }

  @Test
  void aWindowSlideDecidesAgainAndRemovesTheSlicesItReplaced() {
    List<String> ids = meetings(300);
    start(pool, 100);
    sync();
    assertThat(boundaries()).hasSize(5);
    ids.subList(20, 300).forEach(e -> calendar.delete(e, null));

    m365.clock().advance(Duration.ofDays(2)); // more than the window's slide: a full read of the new window
    sync();

    assertThat(crmBySubject()).hasSize(20);
    assertThat(cursor("")).isPresent();
    assertThat(cursor(SLICES)).isEmpty();
    for (int i = 0; i < 4; i++) {
      assertThat(cursor("m365sync:event-slice:" + i)).isEmpty();
    }
  }

  @Test
  void unenrollingForgetsEverySlicesLink() {
    meetings(300);
    start(pool, 100);
    sync();
    assertThat(cursor("m365sync:event-slice:3")).isPresent();

    engine.unenroll(id);

    assertThat(cursor(SLICES)).isEmpty();
    for (int i = 0; i < 4; i++) {
      assertThat(cursor("m365sync:event-slice:" + i)).isEmpty();
    }
  }

  /** The fake's gateway, running an action once right after a delta chain of a given window start ended. */
  private static final class BetweenChains implements MailboxGateway {
    private final MailboxGateway delegate;
    private volatile Instant windowStart;
    private volatile Runnable action;

    BetweenChains(MailboxGateway delegate) {
      this.delegate = delegate;
    }

    void afterChainOf(Instant windowStart, Runnable action) {
      this.windowStart = windowStart;
      this.action = action;
    }

    @Override
    public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
      DeltaPage<T> page = delegate.delta(session, type, request);
      Runnable a = action;
      if (a != null && !page.more() && windowStart.equals(request.windowStart())) {
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

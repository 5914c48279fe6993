package io.m365sync.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.NotEnrolledException;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.notify.Subscription;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.AccessRecordFormat;
import io.m365sync.state.CursorKey;
import io.m365sync.state.DirtyMark;
import io.m365sync.state.EnrollmentPeriod;
import io.m365sync.state.FencedOutException;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.RunRecord;
import io.m365sync.state.StatusCount;
import io.m365sync.state.StatusPage;
import io.m365sync.state.StatusQuery;
import io.m365sync.state.SyncStateStore;
import io.m365sync.state.TenantSettings;
import io.m365sync.state.UnreadableRow;
import java.time.Duration;
import java.io.StringReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link SyncStateStore} must have. Extend it and return a fresh, empty store
 * from {@link #newStore()}:
 *
 * <pre>{@code
 * class JdbcStoreTest extends SyncStateStoreContract {
 *   protected SyncStateStore newStore() { return JdbcSyncStateStore.create(freshDataSource()); }
 * }
 * }</pre>
 */
public abstract class SyncStateStoreContract {
  protected static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
  protected static final MailboxId ALICE = MailboxId.of("contoso", "oid-alice");
  protected static final MailboxId BOB = MailboxId.of("contoso", "oid-bob");

  protected SyncStateStore store;

  /** A new, empty store. */
  protected abstract SyncStateStore newStore();

  @BeforeEach
  void createStore() {
    store = newStore();
  }

  protected static Mailbox mailbox(MailboxId id) {
    return new Mailbox(id, id.userObjectId() + "@contoso.com", "crm-" + id.userObjectId(), T0,
        EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
  }

  /** Enrolls the mailbox unless it is enrolled, then claims a fence for it, as a round does. */
  protected long enrollAndClaim(MailboxId id) {
    if (store.enrollment(id).isEmpty()) {
      store.putEnrollment(mailbox(id));
    }
    return store.claimFence(id);
  }

  @Test
  void enrollmentsRoundTripAndReEnrollReplaces() {
    store.putEnrollment(mailbox(ALICE));
    store.putEnrollment(mailbox(BOB));
    Mailbox again = mailbox(ALICE).signedInAgain(T0.plus(Duration.ofDays(3)));
    store.putEnrollment(again);

    assertEquals(again, store.enrollment(ALICE).orElseThrow());
    assertEquals(2, store.enrollments().size());
    assertTrue(store.enrollment(MailboxId.of("contoso", "nobody")).isEmpty());
  }

  @Test
  void upkeepChangesNothingTheStoreReturns() {
    for (MailboxId id : List.of(ALICE, BOB)) {
      store.putEnrollment(mailbox(id));
      store.putStatus(MailboxState.pending(id, T0));
      long fence = store.claimFence(id);
      store.putCursor(new CursorKey(id, Resource.EVENTS, ""), "delta-" + id, fence);
      store.putLink(new IdLink(id, Resource.EVENTS, "crm-1", "remote-1", "ck1", 1), fence);
    }
    store.purge(BOB);

    store.upkeep();
    store.upkeep();

    assertEquals(List.of(mailbox(ALICE)), store.enrollments());
    assertEquals(List.of(MailboxState.pending(ALICE, T0)), store.statuses());
    assertEquals("delta-" + ALICE, store.cursor(new CursorKey(ALICE, Resource.EVENTS, "")).orElseThrow());
    assertEquals(List.of(new IdLink(ALICE, Resource.EVENTS, "crm-1", "remote-1", "ck1", 1)), store.links(ALICE, Resource.EVENTS));
    assertTrue(store.links(BOB, Resource.EVENTS).isEmpty());
  }

  @Test
  void purgeRemovesEverythingOfThatMailboxOnly() {
    for (MailboxId id : List.of(ALICE, BOB)) {
      store.putEnrollment(mailbox(id));
      store.putStatus(MailboxState.pending(id, T0));
      long fence = store.claimFence(id);
      for (Resource resource : Resource.values()) {
        store.putCursor(new CursorKey(id, resource, ""), "delta-" + id, fence);
        store.putCursor(new CursorKey(id, resource, "folder"), "delta-folder-" + id, fence);
        store.putLink(new IdLink(id, resource, "crm-1", "remote-1", "ck1", 1), fence);
      }
      store.putTokenCache(id, new byte[] {1, 2, 3});
      store.recordRun(new RunRecord(id, T0, T0.plusSeconds(1), AuthMode.DELEGATED, MailboxStatus.ACTIVE, 1, null));
    }

    store.purge(ALICE);

    assertTrue(store.enrollment(ALICE).isEmpty());
    assertEquals(List.of(BOB), store.enrollments().stream().map(Mailbox::id).toList());
    assertTrue(store.status(ALICE).isEmpty());
    assertEquals(List.of(BOB), store.statuses().stream().map(MailboxState::mailbox).toList());
    for (Resource resource : Resource.values()) {
      assertTrue(store.cursor(new CursorKey(ALICE, resource, "")).isEmpty(), resource + " cursor");
      assertTrue(store.cursor(new CursorKey(ALICE, resource, "folder")).isEmpty(), resource + " folder cursor");
      assertTrue(store.links(ALICE, resource).isEmpty(), resource + " links");
      assertTrue(store.linkByRemoteId(ALICE, resource, "remote-1").isEmpty(), resource + " link by remote id");
      assertEquals("delta-folder-" + BOB, store.cursor(new CursorKey(BOB, resource, "folder")).orElseThrow());
      assertEquals(1, store.links(BOB, resource).size());
    }
    assertTrue(store.tokenCache(ALICE).isEmpty());
    assertTrue(store.runs(ALICE, 10).isEmpty());
    assertTrue(store.enrollment(BOB).isPresent());
    assertTrue(store.tokenCache(BOB).isPresent());
    assertEquals(1, store.runs(BOB, 10).size());
  }

  @Test
  void cursorsOfSeveralKeysAndMailboxesInOneCallLeaveOutTheOnesNotStored() {
    long alice = enrollAndClaim(ALICE);
    long bob = enrollAndClaim(BOB);
    CursorKey aliceEvents = new CursorKey(ALICE, Resource.EVENTS, "");
    CursorKey aliceFolder = new CursorKey(ALICE, Resource.CONTACTS, "folder");
    CursorKey aliceNote = new CursorKey(ALICE, Resource.CONTACTS, "m365sync:note");
    CursorKey bobEvents = new CursorKey(BOB, Resource.EVENTS, "");
    store.putCursor(aliceEvents, "delta-a", alice);
    store.putCursor(aliceFolder, "delta-a-folder", alice);
    store.putCursor(aliceNote, "gone", alice);
    store.removeCursor(aliceNote, alice);
    store.putCursor(new CursorKey(ALICE, Resource.CONTACTS, ""), "not asked for", alice);
    store.putCursor(bobEvents, "delta-b", bob);

    assertEquals(Map.of(aliceEvents, "delta-a", aliceFolder, "delta-a-folder", bobEvents, "delta-b"),
        store.cursors(List.of(aliceEvents, aliceFolder, aliceNote, new CursorKey(ALICE, Resource.EVENTS, "folder"),
            bobEvents, new CursorKey(MailboxId.of("contoso", "oid-nobody"), Resource.EVENTS, ""))));
    assertEquals(Map.of(), store.cursors(List.of()));
  }

  @Test
  void enrollmentsAndStatusesOfSeveralMailboxesInOneCallLeaveOutTheOnesNotStored() {
    List<MailboxId> many = new ArrayList<>();
    for (int i = 0; i < 250; i++) { // more than a JDBC store's query takes at once
      MailboxId id = MailboxId.of("contoso", "oid-" + i);
      many.add(id);
      if (i % 3 != 0) {
        store.putEnrollment(mailbox(id));
      }
      if (i % 2 == 0) {
        store.putStatus(MailboxState.pending(id, T0).withStatus(MailboxStatus.ACTIVE, AuthMode.DELEGATED, null, null,
            T0.plusSeconds(i), null));
      }
    }
    MailboxId nobody = MailboxId.of("fabrikam", "oid-nobody");
    List<MailboxId> asked = new ArrayList<>(many);
    asked.add(nobody);
    List<UnreadableRow> unreadable = new ArrayList<>();

    Map<MailboxId, Mailbox> enrolled = store.enrollments(asked, unreadable::add);
    Map<MailboxId, MailboxState> states = store.statuses(asked, unreadable::add);

    for (MailboxId id : many) {
      assertEquals(store.enrollment(id), Optional.ofNullable(enrolled.get(id)), "enrollment of " + id);
      assertEquals(store.status(id), Optional.ofNullable(states.get(id)), "status of " + id);
    }
    assertEquals(166, enrolled.size());
    assertEquals(125, states.size());
    assertFalse(enrolled.containsKey(nobody) || states.containsKey(nobody));
    assertEquals(List.of(), unreadable);
    assertEquals(Map.of(), store.enrollments(List.of(), unreadable::add));
    assertEquals(Map.of(), store.statuses(List.of(), unreadable::add));
  }

  @Test
  void purgeFencesOutARoundStillInFlight() {
    store.putEnrollment(mailbox(ALICE));
    long fence = store.claimFence(ALICE);
    CursorKey key = new CursorKey(ALICE, Resource.EVENTS, "");
    store.putCursor(key, "before", fence);
    store.purge(ALICE);

    IdLink link = new IdLink(ALICE, Resource.EVENTS, "crm-1", "remote-1", "ck", 1);
    assertThrows(FencedOutException.class, () -> store.putCursor(key, "late", fence));
    assertThrows(FencedOutException.class, () -> store.removeCursor(key, fence));
    assertThrows(FencedOutException.class, () -> store.putLink(link, fence));
    assertThrows(FencedOutException.class, () -> store.putLinks(List.of(link), fence));
    assertThrows(FencedOutException.class, () -> store.putLinksAndCursors(List.of(), List.of(link), Map.of(key, "late"), fence));
    assertThrows(FencedOutException.class, () -> store.removeLink(ALICE, Resource.EVENTS, "crm-1", fence));
    assertTrue(store.cursor(key).isEmpty());
    assertTrue(store.links(ALICE, Resource.EVENTS).isEmpty());
    // the round cannot take a new lease either: the mailbox is no longer enrolled
    assertThrows(NotEnrolledException.class, () -> store.claimFence(ALICE));

    // enrolling again starts above every fence the purged enrollment handed out
    store.putEnrollment(mailbox(ALICE));
    long again = store.claimFence(ALICE);
    assertTrue(again > fence, "fences keep rising across a purge: " + fence + " then " + again);
    assertThrows(FencedOutException.class, () -> store.putCursor(key, "late", fence));
    store.putCursor(key, "after", again);
    assertEquals("after", store.cursor(key).orElseThrow());
  }

  @Test
  void aFenceIsClaimedOnlyForAnEnrolledMailboxAndAFailedClaimWritesNothing() {
    NotEnrolledException e = assertThrows(NotEnrolledException.class, () -> store.claimFence(ALICE));
    assertEquals(ALICE, e.mailbox().orElseThrow());
    assertThrows(NotEnrolledException.class, () -> store.claimFence(ALICE));

    assertTrue(store.enrollment(ALICE).isEmpty());
    assertTrue(store.enrollments().isEmpty());
    assertTrue(store.status(ALICE).isEmpty());
    assertTrue(store.statuses().isEmpty());
    for (Resource resource : Resource.values()) {
      assertTrue(store.cursor(new CursorKey(ALICE, resource, "")).isEmpty());
      assertTrue(store.links(ALICE, resource).isEmpty());
    }
    assertTrue(store.tokenCache(ALICE).isEmpty());
    assertTrue(store.runs(ALICE, 10).isEmpty());

    store.putEnrollment(mailbox(ALICE));
    assertTrue(store.claimFence(ALICE) >= 1);
  }

  @Test
  void statusesRoundTrip() {
    MailboxState s = MailboxState.pending(ALICE, T0)
        .withStatus(MailboxStatus.NEEDS_SIGN_IN, AuthMode.DELEGATED, "AADSTS700082", "inactive 90 days", T0.plusSeconds(5), null)
        .withRun(T0, Duration.ofMillis(1500), false, false)
        .withDelegatedDeadSince(T0.plusSeconds(5))
        .withNotifiedAt(T0.plusSeconds(6));
    store.putStatus(s);
    store.putStatus(MailboxState.pending(BOB, T0));

    assertEquals(s, store.status(ALICE).orElseThrow());
    assertEquals(2, store.statuses().size());
  }

  // ---------------------------------------------------------------- monitor: counts and pages

  private static final TenantId FABRIKAM = TenantId.of("fabrikam");

  /** 12 mailboxes per tenant, oid-00..oid-11, statuses cycling through four; even ones synced once. */
  private List<MailboxState> putMonitorFixture() {
    List<MailboxStatus> cycle = List.of(MailboxStatus.ACTIVE, MailboxStatus.NEEDS_SIGN_IN, MailboxStatus.FAILING,
        MailboxStatus.THROTTLED);
    List<MailboxState> all = new ArrayList<>();
    // written out of key order: pages must come in key order, not first-write order
    for (int i = 11; i >= 0; i--) {
      for (TenantId tenant : List.of(FABRIKAM, ALICE.tenant())) {
        MailboxState s = MailboxState.pending(new MailboxId(tenant, String.format("oid-%02d", i)), T0)
            .withStatus(cycle.get(i % 4), AuthMode.DELEGATED, null, null, T0, null);
        if (i % 2 == 0) {
          s = s.withRun(T0, Duration.ofSeconds(1), true, false);
        }
        store.putStatus(s);
        all.add(s);
      }
    }
    all.sort(Comparator.comparing(s -> s.mailbox().key()));
    return all;
  }

  /** Follows {@code next} to the end, checking each page's size. */
  private List<MailboxState> walk(StatusQuery query) {
    List<MailboxState> seen = new ArrayList<>();
    StatusPage page = store.statusPage(query, row -> {});
    while (true) {
      assertTrue(page.items().size() <= query.limit(), "page larger than its limit");
      seen.addAll(page.items());
      if (!page.hasNext()) {
        return seen;
      }
      assertEquals(page.items().get(page.items().size() - 1).mailbox(), page.next());
      page = store.statusPage(query.after(page.next()), row -> {});
    }
  }

  @Test
  void statusCountsGroupByTenantAndStatusAndFollowWritesAndPurges() {
    putMonitorFixture();
    Set<StatusCount> expected = new HashSet<>();
    for (TenantId tenant : List.of(FABRIKAM, ALICE.tenant())) {
      for (MailboxStatus status : List.of(MailboxStatus.ACTIVE, MailboxStatus.NEEDS_SIGN_IN, MailboxStatus.FAILING,
          MailboxStatus.THROTTLED)) {
        expected.add(new StatusCount(tenant, status, 3));
      }
    }
    assertEquals(expected, Set.copyOf(store.statusCounts(null, row -> {})));
    assertEquals(8, store.statusCounts(null, row -> {}).size(), "one row per group");
    assertEquals(Set.of(new StatusCount(FABRIKAM, MailboxStatus.ACTIVE, 3),
            new StatusCount(FABRIKAM, MailboxStatus.NEEDS_SIGN_IN, 3), new StatusCount(FABRIKAM, MailboxStatus.FAILING, 3),
            new StatusCount(FABRIKAM, MailboxStatus.THROTTLED, 3)),
        Set.copyOf(store.statusCounts(FABRIKAM, row -> {})));
    assertTrue(store.statusCounts(TenantId.of("nobody"), row -> {}).isEmpty());

    MailboxId moved = new MailboxId(FABRIKAM, "oid-00");
    store.putStatus(store.status(moved).orElseThrow()
        .withStatus(MailboxStatus.QUARANTINED, AuthMode.DELEGATED, null, null, T0, null));
    store.putEnrollment(mailbox(new MailboxId(FABRIKAM, "oid-01")));
    store.purge(new MailboxId(FABRIKAM, "oid-01"));
    Set<StatusCount> fabrikam = Set.copyOf(store.statusCounts(FABRIKAM, row -> {}));
    assertEquals(Set.of(new StatusCount(FABRIKAM, MailboxStatus.ACTIVE, 2),
        new StatusCount(FABRIKAM, MailboxStatus.QUARANTINED, 1), new StatusCount(FABRIKAM, MailboxStatus.NEEDS_SIGN_IN, 2),
        new StatusCount(FABRIKAM, MailboxStatus.FAILING, 3), new StatusCount(FABRIKAM, MailboxStatus.THROTTLED, 3)), fabrikam);
  }

  @Test
  void statusPagesWalkEveryMatchOnceInKeyOrderWhateverTheFilter() {
    List<MailboxState> all = putMonitorFixture();
    Set<MailboxStatus> failing = EnumSet.of(MailboxStatus.FAILING, MailboxStatus.THROTTLED);
    List<StatusQuery> queries = List.of(StatusQuery.all(5), StatusQuery.all(24), StatusQuery.all(1000),
        StatusQuery.withStatus(Set.of(MailboxStatus.NEEDS_SIGN_IN), 4), StatusQuery.withStatus(failing, 5),
        StatusQuery.withStatus(failing, 3).inTenant(FABRIKAM), StatusQuery.all(7).inTenant(ALICE.tenant()),
        StatusQuery.all(4).neverSynced(), StatusQuery.withStatus(failing, 2).inTenant(FABRIKAM).neverSynced());
    for (StatusQuery q : queries) {
      assertEquals(all.stream().filter(q::matches).toList(), walk(q), q.toString());
    }
    assertTrue(store.statusPage(StatusQuery.withStatus(Set.of(MailboxStatus.SUSPENDED), 10), row -> {}).items().isEmpty());
  }

  @Test
  void aFullLastPageSaysThereIsNoNextOne() {
    putMonitorFixture();
    StatusPage page = store.statusPage(StatusQuery.all(12).inTenant(FABRIKAM), row -> {});
    assertEquals(12, page.items().size());
    assertFalse(page.hasNext());
    StatusPage first = store.statusPage(StatusQuery.all(11).inTenant(FABRIKAM), row -> {});
    assertEquals(new MailboxId(FABRIKAM, "oid-10"), first.next());
  }

  @Test
  void aPageStartsAfterItsKeyEvenWhenThatMailboxWasPurgedMeanwhile() {
    putMonitorFixture();
    StatusQuery q = StatusQuery.all(3).inTenant(ALICE.tenant());
    StatusPage first = store.statusPage(q, row -> {});
    MailboxId last = first.next();
    assertEquals(new MailboxId(ALICE.tenant(), "oid-02"), last);
    store.purge(last);
    store.purge(new MailboxId(ALICE.tenant(), "oid-01"));
    store.putStatus(MailboxState.pending(new MailboxId(ALICE.tenant(), "oid-00a"), T0)); // before the cursor

    StatusPage second = store.statusPage(q.after(last), row -> {});
    assertEquals(List.of("oid-03", "oid-04", "oid-05"),
        second.items().stream().map(s -> s.mailbox().userObjectId()).toList());
  }

  @Test
  void tenantSettingsRoundTrip() {
    TenantId contoso = TenantId.of("contoso");
    store.putTenantSettings(new TenantSettings(contoso, true));
    assertTrue(store.tenantSettings(contoso).orElseThrow().applicationPermissionEnabled());
    store.putTenantSettings(new TenantSettings(contoso, false));
    assertFalse(store.tenantSettings(contoso).orElseThrow().applicationPermissionEnabled());
    assertTrue(store.tenantSettings(TenantId.of("fabrikam")).isEmpty());
  }

  @Test
  void fencesRiseAndAStaleFenceChangesNothing() {
    long first = enrollAndClaim(ALICE);
    CursorKey key = new CursorKey(ALICE, Resource.CONTACTS, "folder-1");
    store.putCursor(key, "delta-1", first);
    long second = store.claimFence(ALICE);
    assertTrue(second > first, "fences must rise: " + first + " then " + second);

    assertThrows(FencedOutException.class, () -> store.putCursor(key, "stale", first));
    assertThrows(FencedOutException.class,
        () -> store.putLink(new IdLink(ALICE, Resource.CONTACTS, "c1", "r1", "k", 1), first));
    assertThrows(FencedOutException.class, () -> store.removeCursor(key, first));
    assertEquals("delta-1", store.cursor(key).orElseThrow());
    assertTrue(store.links(ALICE, Resource.CONTACTS).isEmpty());

    store.putCursor(key, "delta-2", second);
    assertEquals("delta-2", store.cursor(key).orElseThrow());
    assertTrue(enrollAndClaim(BOB) >= 1, "fences are per mailbox and start positive");
  }

  @Test
  void cursorsKeepLongDeltaLinksPerContainer() {
    long fence = enrollAndClaim(ALICE);
    String longLink = "https://graph.microsoft.com/v1.0/users/x/calendarView/delta?$deltatoken=" + "a".repeat(9000);
    store.putCursor(new CursorKey(ALICE, Resource.EVENTS, ""), longLink, fence);
    store.putCursor(new CursorKey(ALICE, Resource.CONTACTS, "f1"), "c-f1", fence);
    store.putCursor(new CursorKey(ALICE, Resource.CONTACTS, "f2"), "c-f2", fence);

    assertEquals(longLink, store.cursor(new CursorKey(ALICE, Resource.EVENTS, null)).orElseThrow());
    assertEquals("c-f2", store.cursor(new CursorKey(ALICE, Resource.CONTACTS, "f2")).orElseThrow());
    store.removeCursor(new CursorKey(ALICE, Resource.CONTACTS, "f1"), fence);
    assertTrue(store.cursor(new CursorKey(ALICE, Resource.CONTACTS, "f1")).isEmpty());
    assertEquals("c-f2", store.cursor(new CursorKey(ALICE, Resource.CONTACTS, "f2")).orElseThrow());
  }

  @Test
  void idMapFindsBothWaysAndReplacesWithoutOrphans() {
    long fence = enrollAndClaim(ALICE);
    store.putLink(new IdLink(ALICE, Resource.EVENTS, "crm-1", "remote-1", "ck1", 1), fence);
    store.putLink(new IdLink(ALICE, Resource.EVENTS, "crm-2", "remote-2", "ck2", 1), fence);
    store.putLink(new IdLink(ALICE, Resource.CONTACTS, "crm-1", "remote-9", "ck9", 1), fence);

    // same CRM record now mirrors a new remote id (e.g. re-created remotely): old remote id unlinked
    store.putLink(new IdLink(ALICE, Resource.EVENTS, "crm-1", "remote-1b", "ck3", 2), fence);

    assertTrue(store.linkByRemoteId(ALICE, Resource.EVENTS, "remote-1").isEmpty());
    assertEquals("crm-1", store.linkByRemoteId(ALICE, Resource.EVENTS, "remote-1b").orElseThrow().crmId());
    assertEquals("ck3", store.linkByCrmId(ALICE, Resource.EVENTS, "crm-1").orElseThrow().changeKey());
    assertEquals(2, store.links(ALICE, Resource.EVENTS).size());
    assertEquals("remote-9", store.linkByCrmId(ALICE, Resource.CONTACTS, "crm-1").orElseThrow().remoteId());

    store.removeLink(ALICE, Resource.EVENTS, "crm-2", fence);
    assertTrue(store.linkByRemoteId(ALICE, Resource.EVENTS, "remote-2").isEmpty());
    assertTrue(store.linkByCrmId(ALICE, Resource.EVENTS, "crm-2").isEmpty());
    assertTrue(store.linkByRemoteId(BOB, Resource.EVENTS, "remote-1b").isEmpty());
  }

  /** A To Do task is addressed through its list: a link keeps it through every way links come back. */
  @Test
  void linksKeepTheContainerTheirItemLiesIn() {
    long fence = enrollAndClaim(ALICE);
    String longList = "AAMkAGI2TG93AAA=" + "l".repeat(900);
    store.putLink(new IdLink(ALICE, Resource.TASKS, "crm-1", "task-1", "ck1", 1, "list-b"), fence);
    store.putLink(new IdLink(ALICE, Resource.TASKS, "crm-2", "task-2", "ck2", 1), fence);
    store.putLinks(List.of(new IdLink(ALICE, Resource.TASKS, "crm-3", "task-3", "ck3", 1, longList)), fence);
    store.putLinksAndCursors(List.of(), List.of(new IdLink(ALICE, Resource.TASKS, "crm-4", "task-4", null, 1, "list-c")),
        Map.of(new CursorKey(ALICE, Resource.TASKS, "list-c"), "delta-c"), fence);

    assertEquals("list-b", store.linkByRemoteId(ALICE, Resource.TASKS, "task-1").orElseThrow().container());
    assertEquals("list-b", store.linkByCrmId(ALICE, Resource.TASKS, "crm-1").orElseThrow().container());
    assertEquals("", store.linkByCrmId(ALICE, Resource.TASKS, "crm-2").orElseThrow().container(),
        "the default container reads back as the empty string");
    assertEquals(List.of("list-b", "", longList, "list-c"),
        store.links(ALICE, Resource.TASKS).stream().map(IdLink::container).toList());
    assertEquals("list-c", store.linksByRemoteIds(ALICE, Resource.TASKS, List.of("task-4", "task-2")).get("task-4").container());

    // the task moved to another list: the link follows
    store.putLink(new IdLink(ALICE, Resource.TASKS, "crm-1", "task-1", "ck5", 2, "list-c"), fence);
    assertEquals("list-c", store.linkByCrmId(ALICE, Resource.TASKS, "crm-1").orElseThrow().container());
  }

  @Test
  void oneRemoteIdNeverMapsToTwoCrmRecords() {
    long fence = enrollAndClaim(ALICE);
    store.putLink(new IdLink(ALICE, Resource.EVENTS, "crm-1", "remote-1", "ck1", 1), fence);
    store.putLink(new IdLink(ALICE, Resource.EVENTS, "crm-2", "remote-1", "ck2", 1), fence);

    assertEquals("crm-2", store.linkByRemoteId(ALICE, Resource.EVENTS, "remote-1").orElseThrow().crmId());
    assertTrue(store.linkByCrmId(ALICE, Resource.EVENTS, "crm-1").isEmpty());
    assertEquals(1, store.links(ALICE, Resource.EVENTS).size());
  }

  @Test
  void linksGoInAndComeOutInBatchesAllOrNothing() {
    long fence = enrollAndClaim(ALICE);
    List<IdLink> batch = new java.util.ArrayList<>();
    for (int i = 0; i < 250; i++) {
      batch.add(new IdLink(ALICE, Resource.CONTACTS, "crm-" + i, "remote-" + i, "ck" + i, i));
    }
    store.putLinks(batch, fence);
    store.putLink(new IdLink(ALICE, Resource.EVENTS, "crm-0", "remote-0", "e", 1), fence);

    java.util.Map<String, IdLink> found = store.linksByRemoteIds(ALICE, Resource.CONTACTS,
        List.of("remote-0", "remote-149", "remote-249", "missing"));
    assertEquals(3, found.size());
    assertEquals("crm-149", found.get("remote-149").crmId());
    assertEquals(250, store.links(ALICE, Resource.CONTACTS).size());
    assertTrue(store.linksByRemoteIds(ALICE, Resource.CONTACTS, List.of()).isEmpty());

    long newer = store.claimFence(ALICE);
    assertTrue(newer > fence);
    assertThrows(FencedOutException.class, () -> store.putLinks(
        List.of(new IdLink(ALICE, Resource.CONTACTS, "crm-x", "remote-x", "k", 1)), fence));
    assertTrue(store.linkByRemoteId(ALICE, Resource.CONTACTS, "remote-x").isEmpty());
  }

  @Test
  void aBatchOfLinksEndsAsIfPutOneByOne() {
    long fence = enrollAndClaim(ALICE);
    store.putLink(new IdLink(ALICE, Resource.EVENTS, "crm-old", "remote-a", "k0", 1), fence);
    store.putLink(new IdLink(ALICE, Resource.EVENTS, "crm-keep", "remote-keep", "k0", 1), fence);

    store.putLinks(List.of(
        new IdLink(ALICE, Resource.EVENTS, "crm-1", "remote-a", "k1", 1),   // takes remote-a from crm-old
        new IdLink(ALICE, Resource.EVENTS, "crm-1", "remote-b", "k2", 2),   // then crm-1 moves to remote-b
        new IdLink(ALICE, Resource.EVENTS, "crm-3", "remote-b", "k3", 3),   // and remote-b moves to crm-3
        new IdLink(ALICE, Resource.CONTACTS, "crm-1", "remote-a", "k4", 4)), fence);

    java.util.Map<String, String> events = new java.util.TreeMap<>();
    store.links(ALICE, Resource.EVENTS).forEach(l -> events.put(l.crmId(), l.remoteId() + "/" + l.changeKey()));
    assertEquals(java.util.Map.of("crm-3", "remote-b/k3", "crm-keep", "remote-keep/k0"), events);
    assertEquals("crm-1", store.linkByRemoteId(ALICE, Resource.CONTACTS, "remote-a").orElseThrow().crmId());
    assertTrue(store.linkByRemoteId(ALICE, Resource.EVENTS, "remote-a").isEmpty());
  }

  @Test
  void aPageOfLinksAndItsCursorsGoInTogether() {
    long fence = enrollAndClaim(ALICE);
    CursorKey note = new CursorKey(ALICE, Resource.EVENTS, "note");
    CursorKey delta = new CursorKey(ALICE, Resource.EVENTS, "");
    CursorKey window = new CursorKey(ALICE, Resource.EVENTS, "window");
    store.putLink(new IdLink(ALICE, Resource.EVENTS, "crm-1", "remote-old", "k0", 1), fence);
    store.putCursor(note, "before", fence);

    store.putLinksAndCursors(List.of(new IdLink(ALICE, Resource.EVENTS, "crm-1", "remote-1", "k1", 2)),
        List.of(new IdLink(ALICE, Resource.EVENTS, "crm-2", "remote-2", "k2", 1)), Map.of(note, "after"), fence);

    assertEquals("remote-1", store.linkByCrmId(ALICE, Resource.EVENTS, "crm-1").orElseThrow().remoteId());
    assertTrue(store.linkByRemoteId(ALICE, Resource.EVENTS, "remote-old").isEmpty());
    assertEquals("crm-2", store.linkByRemoteId(ALICE, Resource.EVENTS, "remote-2").orElseThrow().crmId());
    assertEquals("after", store.cursor(note).orElseThrow());

    // a round's final commit: its last links, the note cleared, its delta link and window set
    java.util.Map<CursorKey, String> last = new java.util.LinkedHashMap<>();
    last.put(note, null);
    last.put(delta, "delta-1");
    last.put(window, "w-1");
    store.putLinksAndCursors(List.of(), List.of(new IdLink(ALICE, Resource.EVENTS, "crm-3", "remote-3", "k3", 1)),
        last, fence);
    assertTrue(store.cursor(note).isEmpty());
    assertEquals("delta-1", store.cursor(delta).orElseThrow());
    assertEquals("w-1", store.cursor(window).orElseThrow());
    assertEquals(3, store.links(ALICE, Resource.EVENTS).size());

    store.putLinksAndCursors(List.of(), List.of(new IdLink(ALICE, Resource.EVENTS, "crm-4", "remote-4", "k4", 1)),
        Map.of(), fence);
    assertEquals(4, store.links(ALICE, Resource.EVENTS).size());
    store.putLinksAndCursors(List.of(), List.of(), Map.of(delta, "delta-2"), fence);
    assertEquals("delta-2", store.cursor(delta).orElseThrow());

    long newer = store.claimFence(ALICE);
    assertTrue(newer > fence);
    assertThrows(FencedOutException.class, () -> store.putLinksAndCursors(List.of(),
        List.of(new IdLink(ALICE, Resource.EVENTS, "crm-x", "remote-x", "k", 1)), Map.of(note, "late", delta, "late"),
        fence));
    assertTrue(store.linkByRemoteId(ALICE, Resource.EVENTS, "remote-x").isEmpty());
    assertTrue(store.cursor(note).isEmpty());
    assertEquals("delta-2", store.cursor(delta).orElseThrow());
  }

  @Test
  void aBatchRemovesItsDeletionsLinksBeforeWritingItsOwn() {
    long fence = enrollAndClaim(ALICE);
    CursorKey delta = new CursorKey(ALICE, Resource.EVENTS, "");
    IdLink one = new IdLink(ALICE, Resource.EVENTS, "crm-1", "remote-1", "k1", 1);
    IdLink two = new IdLink(ALICE, Resource.EVENTS, "crm-2", "remote-2", "k2", 1);
    IdLink contact = new IdLink(ALICE, Resource.CONTACTS, "crm-1", "remote-c", "kc", 1);
    store.putLinks(List.of(one, two, new IdLink(ALICE, Resource.EVENTS, "crm-3", "remote-3", "k3", 1), contact), fence);

    // crm-1's and crm-2's links removed (whatever remote id they hold; crm-9 has none), then remote-1
    // linked to crm-2 afresh: the removal came first, so nothing it removed stays and nothing it wrote goes
    store.putLinksAndCursors(List.of(one, two, new IdLink(ALICE, Resource.EVENTS, "crm-9", "remote-9", "k9", 1)),
        List.of(), List.of(new IdLink(ALICE, Resource.EVENTS, "crm-2", "remote-1", "k4", 2)), Map.of(delta, "d-1"),
        fence);

    java.util.Map<String, String> events = new java.util.TreeMap<>();
    store.links(ALICE, Resource.EVENTS).forEach(l -> events.put(l.crmId(), l.remoteId() + "/" + l.changeKey()));
    assertEquals(java.util.Map.of("crm-2", "remote-1/k4", "crm-3", "remote-3/k3"), events);
    assertTrue(store.linkByRemoteId(ALICE, Resource.EVENTS, "remote-2").isEmpty());
    assertEquals(List.of(contact), store.links(ALICE, Resource.CONTACTS)); // another resource's crm-1
    assertEquals("d-1", store.cursor(delta).orElseThrow());

    // removals alone, and a mailbox that never had a link
    store.putLinksAndCursors(List.of(new IdLink(ALICE, Resource.EVENTS, "crm-3", "remote-3", "k3", 1)), List.of(),
        List.of(), Map.of(), fence);
    assertEquals(List.of("crm-2"), store.links(ALICE, Resource.EVENTS).stream().map(IdLink::crmId).toList());
    long bob = enrollAndClaim(BOB);
    store.putLinksAndCursors(List.of(new IdLink(BOB, Resource.EVENTS, "crm-1", "remote-1", "k1", 1)), List.of(),
        List.of(), Map.of(), bob);
    assertTrue(store.links(BOB, Resource.EVENTS).isEmpty());
    // a removal of a link never written, beside the resource's first links, replaced and fresh
    store.putLinksAndCursors(List.of(new IdLink(BOB, Resource.EVENTS, "crm-7", "remote-7", "k7", 1)),
        List.of(new IdLink(BOB, Resource.EVENTS, "crm-5", "remote-5", "k5", 1)),
        List.of(new IdLink(BOB, Resource.EVENTS, "crm-6", "remote-6", "k6", 1)), Map.of(), bob);
    assertEquals(List.of("crm-5", "crm-6"),
        store.links(BOB, Resource.EVENTS).stream().map(IdLink::crmId).sorted().toList());
    assertEquals("remote-6", store.linkByCrmId(BOB, Resource.EVENTS, "crm-6").orElseThrow().remoteId());

    // fenced out: nothing removed
    store.claimFence(ALICE);
    assertThrows(FencedOutException.class, () -> store.putLinksAndCursors(
        List.of(new IdLink(ALICE, Resource.EVENTS, "crm-2", "remote-1", "k4", 2)), List.of(), List.of(), Map.of(),
        fence));
    assertEquals(List.of("crm-2"), store.links(ALICE, Resource.EVENTS).stream().map(IdLink::crmId).toList());
  }

  @Test
  void linksAndCursorsOfTwoMailboxesAreRefusedAndNothingIsWritten() {
    long alice = enrollAndClaim(ALICE);
    enrollAndClaim(BOB);
    IdLink aliceLink = new IdLink(ALICE, Resource.EVENTS, "crm-1", "remote-1", "k1", 1);
    IdLink bobLink = new IdLink(BOB, Resource.EVENTS, "crm-2", "remote-2", "k2", 1);
    CursorKey bobsDelta = new CursorKey(BOB, Resource.EVENTS, "");

    List<Runnable> mixed = List.of(
        () -> store.putLinks(List.of(aliceLink, bobLink), alice),
        () -> store.putLinksAndCursors(List.of(aliceLink), List.of(bobLink), Map.of(), alice),
        () -> store.putLinksAndCursors(List.of(aliceLink), List.of(), Map.of(bobsDelta, "d-1"), alice),
        () -> store.putLinksAndCursors(List.of(bobLink), List.of(), List.of(aliceLink), Map.of(), alice));
    for (Runnable call : mixed) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
      assertTrue(e.getMessage().contains(ALICE.toString()) && e.getMessage().contains(BOB.toString()), e.getMessage());
    }
    assertTrue(store.links(ALICE, Resource.EVENTS).isEmpty());
    assertTrue(store.links(BOB, Resource.EVENTS).isEmpty());
    assertTrue(store.cursor(bobsDelta).isEmpty());
  }

  @Test
  void tokenCacheBlobsRoundTripAsCopies() {
    byte[] blob = {9, 8, 7, 0, -1};
    store.putTokenCache(ALICE, blob);
    blob[0] = 42;
    assertArrayEquals(new byte[] {9, 8, 7, 0, -1}, store.tokenCache(ALICE).orElseThrow());
    store.putTokenCache(ALICE, new byte[] {1});
    assertArrayEquals(new byte[] {1}, store.tokenCache(ALICE).orElseThrow());
    assertTrue(store.tokenCache(BOB).isEmpty());
  }

  @Test
  void runsComeNewestFirstAndAreLimited() {
    for (int i = 0; i < 5; i++) {
      store.recordRun(new RunRecord(ALICE, T0.plusSeconds(i * 60L), T0.plusSeconds(i * 60L + 1), AuthMode.APPLICATION,
          MailboxStatus.ACTIVE, i, null));
    }
    List<RunRecord> runs = store.runs(ALICE, 3);
    assertEquals(3, runs.size());
    assertEquals(4, runs.get(0).applied());
    assertEquals(2, runs.get(2).applied());
  }

  private static RunRecord run(MailboxId id, int n) {
    return new RunRecord(id, T0.plusSeconds(n * 60L), T0.plusSeconds(n * 60L + 1), AuthMode.APPLICATION,
        MailboxStatus.ACTIVE, n, null);
  }

  @Test
  void runHistoryKeepsTheNewestRunsAndCountsThemAll() {
    int kept = store.runsKept();
    assertTrue(kept >= 1, "runsKept " + kept);
    int recorded = kept == Integer.MAX_VALUE ? 12 : kept + 3;
    for (int i = 0; i < recorded; i++) {
      store.recordRun(run(ALICE, i));
    }
    store.recordRun(run(BOB, 0));

    List<RunRecord> held = store.runs(ALICE, Integer.MAX_VALUE);
    assertEquals(Math.min(kept, recorded), held.size(), "only the newest runsKept() are held");
    for (int i = 0; i < held.size(); i++) {
      assertEquals(run(ALICE, recorded - 1 - i), held.get(i), "newest first");
    }
    assertEquals(recorded, store.runCount(ALICE), "every run counted, held or not");
    assertEquals(1, store.runCount(BOB));
    for (int i = 1; i < Math.min(kept, 5); i++) {
      store.recordRun(run(BOB, i)); // fewer than kept: every one held, newest first
      List<RunRecord> bobs = store.runs(BOB, Integer.MAX_VALUE);
      assertEquals(i + 1, bobs.size(), "runs held after " + (i + 1));
      for (int j = 0; j <= i; j++) {
        assertEquals(run(BOB, i - j), bobs.get(j), "newest first after " + (i + 1));
      }
    }
    assertEquals(0, store.runCount(MailboxId.of("contoso", "nobody")));
    assertTrue(store.runs(ALICE, 0).isEmpty());

    store.purge(ALICE);
    assertEquals(0, store.runCount(ALICE), "purge forgets the count with the runs");
    assertTrue(store.runs(ALICE, 10).isEmpty());
    store.recordRun(run(ALICE, 0));
    assertEquals(1, store.runCount(ALICE));
    assertEquals(List.of(run(ALICE, 0)), store.runs(ALICE, 10));
    assertEquals(Math.max(1, Math.min(kept, 5)), store.runCount(BOB));
  }

  @Test
  void aRoundsStatusAndItsRunAreWrittenByOneCall() {
    MailboxState first = MailboxState.pending(ALICE, T0)
        .withStatus(MailboxStatus.ACTIVE, AuthMode.APPLICATION, null, null, T0.plusSeconds(1), null)
        .withRun(T0, Duration.ofSeconds(1), true, false);
    store.putStatusAndRun(first, run(ALICE, 1)); // no status row yet
    assertEquals(first, store.status(ALICE).orElseThrow());
    assertEquals(List.of(run(ALICE, 1)), store.runs(ALICE, 10));

    MailboxState second = first.withStatus(MailboxStatus.THROTTLED, AuthMode.APPLICATION, "429", "throttled",
        T0.plusSeconds(61), T0.plusSeconds(120)).withRun(T0.plusSeconds(60), Duration.ofSeconds(1), false, true);
    store.putStatusAndRun(second, run(ALICE, 2)); // the row replaced, the run appended
    assertEquals(second, store.status(ALICE).orElseThrow());
    assertEquals(List.of(run(ALICE, 2), run(ALICE, 1)), store.runs(ALICE, 10));
    assertEquals(2, store.runCount(ALICE));
  }

  @Test
  void aStatusAndARunOfTwoMailboxesAreRefusedAndNeitherIsWritten() {
    MailboxState alice = MailboxState.pending(ALICE, T0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> store.putStatusAndRun(alice, run(BOB, 0)));
    assertTrue(e.getMessage().contains(ALICE.toString()) && e.getMessage().contains(BOB.toString()), e.getMessage());
    assertTrue(store.status(ALICE).isEmpty());
    assertEquals(0, store.runCount(BOB));
  }

  // ---------------------------------------------------------------- access audit

  private static AccessRecord access(MailboxId id, Resource resource, Instant at, AccessRecord.Outcome outcome,
                                     int requests, String code) {
    return new AccessRecord(id, resource, at, at.plusMillis(250), outcome, requests, code);
  }

  @Test
  void accessRecordsComeOldestFirstWithinTheWindowAndOutlivePurge() {
    enrollAndClaim(ALICE);
    AccessRecord late = access(ALICE, Resource.CONTACTS, T0.plusSeconds(60), AccessRecord.Outcome.SUCCEEDED, 3, null);
    AccessRecord first = access(ALICE, Resource.EVENTS, T0, AccessRecord.Outcome.SUCCEEDED, 2, null);
    AccessRecord sameInstant = access(BOB, Resource.EVENTS, T0, AccessRecord.Outcome.DENIED_BY_POLICY, 1,
        "ErrorAccessDenied");
    AccessRecord outside = access(BOB, Resource.MAIL, T0.plusSeconds(120), AccessRecord.Outcome.THROTTLED, 1, "429");
    store.recordAccess(late);
    store.recordAccess(first);
    store.recordAccess(sameInstant);
    store.recordAccess(outside);

    store.purge(ALICE);

    assertEquals(List.of(first, sameInstant, late), store.accessRecords(T0, T0.plusSeconds(120)));
    assertEquals(List.of(outside), store.accessRecords(T0.plusSeconds(120), T0.plusSeconds(121)));
    assertTrue(store.accessRecords(T0.minusSeconds(10), T0).isEmpty());
  }

  @Test
  void likeRoundsOfADayFoldIntoTheMailboxResourcesNewestRecordWhichCountsThem() {
    store.putEnrollment(mailbox(ALICE)); // enrolled from T0
    Instant t = T0.plusSeconds(600);
    store.recordAccess(access(ALICE, Resource.EVENTS, t, AccessRecord.Outcome.SUCCEEDED, 1, null));
    store.recordAccess(access(ALICE, Resource.CONTACTS, t, AccessRecord.Outcome.SUCCEEDED, 2, null));
    store.recordAccess(access(ALICE, Resource.EVENTS, t.plusSeconds(900), AccessRecord.Outcome.SUCCEEDED, 3, null));
    store.recordAccess(access(ALICE, Resource.EVENTS, t.plusSeconds(1800), AccessRecord.Outcome.THROTTLED, 1, "429"));
    store.recordAccess(access(ALICE, Resource.EVENTS, t.plusSeconds(2700), AccessRecord.Outcome.SUCCEEDED, 1, null));
    store.recordAccess(access(ALICE, Resource.EVENTS, t.plusSeconds(3600), AccessRecord.Outcome.SUCCEEDED, 4, null));
    Instant nextDay = AccessRecord.dayOf(t).plus(Duration.ofDays(1)).plusSeconds(60);
    store.recordAccess(access(ALICE, Resource.EVENTS, nextDay, AccessRecord.Outcome.SUCCEEDED, 1, null));

    assertEquals(List.of(
            new AccessRecord(ALICE, Resource.EVENTS, t, t.plusSeconds(900).plusMillis(250), AccessRecord.Outcome.SUCCEEDED, 4, null, 2),
            access(ALICE, Resource.CONTACTS, t, AccessRecord.Outcome.SUCCEEDED, 2, null),
            access(ALICE, Resource.EVENTS, t.plusSeconds(1800), AccessRecord.Outcome.THROTTLED, 1, "429"),
            // after the 429 the newest record is the throttled one: a new record, into which the next round folds
            new AccessRecord(ALICE, Resource.EVENTS, t.plusSeconds(2700), t.plusSeconds(3600).plusMillis(250),
                AccessRecord.Outcome.SUCCEEDED, 5, null, 2),
            access(ALICE, Resource.EVENTS, nextDay, AccessRecord.Outcome.SUCCEEDED, 1, null)),
        store.accessRecords(T0, nextDay.plusSeconds(1)));
    // a folded record spans its rounds: a query inside the span finds it, as retention keeps it whole
    assertEquals(List.of(new AccessRecord(ALICE, Resource.EVENTS, t, t.plusSeconds(900).plusMillis(250),
            AccessRecord.Outcome.SUCCEEDED, 4, null, 2)),
        store.accessRecords(t.plusSeconds(300), t.plusSeconds(301)));
    assertEquals(1, store.pruneAccessAudit(t.plusSeconds(900))); // the contacts record, not the one finished after
    assertEquals(4, store.accessRecords(T0, nextDay.plusSeconds(1)).size());
  }

  @Test
  void roundsWrittenTogetherFoldAsIfWrittenOneByOne() {
    store.putEnrollment(mailbox(ALICE));
    store.putEnrollment(mailbox(BOB));
    Instant t = T0.plusSeconds(600);
    AccessRecord.Outcome ok = AccessRecord.Outcome.SUCCEEDED;
    AccessRecord.Outcome throttled = AccessRecord.Outcome.THROTTLED;
    store.recordAccess(List.of(access(ALICE, Resource.EVENTS, t, ok, 1, null),
        access(BOB, Resource.CONTACTS, t, ok, 1, null), access(ALICE, Resource.CONTACTS, t, ok, 2, null)));
    // a mailbox-resource twice in one call: in its order, so the throttled rounds fold into each other
    store.recordAccess(List.of(access(BOB, Resource.CONTACTS, t.plusSeconds(900), ok, 1, null),
        access(ALICE, Resource.EVENTS, t.plusSeconds(900), ok, 3, null),
        access(ALICE, Resource.EVENTS, t.plusSeconds(1800), throttled, 1, "429"),
        access(ALICE, Resource.EVENTS, t.plusSeconds(2700), throttled, 1, "429")));
    store.recordAccess(List.of());

    List<AccessRecord> records = store.accessRecords(T0, t.plusSeconds(3600));
    // across mailbox-resources the order of one call's records is the store's
    assertEquals(Set.of(
            new AccessRecord(ALICE, Resource.EVENTS, t, t.plusSeconds(900).plusMillis(250), ok, 4, null, 2),
            new AccessRecord(BOB, Resource.CONTACTS, t, t.plusSeconds(900).plusMillis(250), ok, 2, null, 2),
            access(ALICE, Resource.CONTACTS, t, ok, 2, null),
            new AccessRecord(ALICE, Resource.EVENTS, t.plusSeconds(1800), t.plusSeconds(2700).plusMillis(250), throttled, 2,
                "429", 2)),
        Set.copyOf(records), records.toString());
    assertEquals(4, records.size(), records.toString());
  }

  @Test
  void noRecordFoldsAcrossAnUnenrollOrIntoOneOfAMailboxNotEnrolled() {
    Instant t = T0.plusSeconds(600);
    store.recordAccess(access(ALICE, Resource.EVENTS, t, AccessRecord.Outcome.SUCCEEDED, 1, null)); // not enrolled
    store.recordAccess(access(ALICE, Resource.EVENTS, t.plusSeconds(60), AccessRecord.Outcome.SUCCEEDED, 1, null));
    store.putEnrollment(mailbox(ALICE).signedInAgain(t.plusSeconds(120)));
    store.recordAccess(access(ALICE, Resource.EVENTS, t.plusSeconds(180), AccessRecord.Outcome.SUCCEEDED, 1, null));
    store.recordAccess(access(ALICE, Resource.EVENTS, t.plusSeconds(240), AccessRecord.Outcome.SUCCEEDED, 1, null));
    store.purge(ALICE);
    store.endEnrollmentPeriod(ALICE, t.plusSeconds(300));
    store.recordAccess(access(ALICE, Resource.EVENTS, t.plusSeconds(360), AccessRecord.Outcome.STOPPED, 1, null));
    store.putEnrollment(mailbox(ALICE).signedInAgain(t.plusSeconds(420)));
    store.recordAccess(access(ALICE, Resource.EVENTS, t.plusSeconds(480), AccessRecord.Outcome.STOPPED, 1, null));

    List<AccessRecord> records = store.accessRecords(T0, t.plusSeconds(3600));
    assertEquals(List.of(1, 1, 2, 1, 1), records.stream().map(AccessRecord::rounds).toList(), records.toString());
    // each record lies within one enrollment period or is one round: the audit judges it as exactly as before
    List<EnrollmentPeriod> periods = store.enrollmentPeriods(ALICE, T0, t.plusSeconds(3600));
    assertEquals(List.of(false, false, true, false, true), records.stream()
        .map(r -> periods.stream().anyMatch(p -> p.covers(r.startedAt(), r.finishedAt()))).toList());
  }

  @Test
  void enrollmentPeriodsOpenOnEnrollmentCloseOnUnenrollAndNeverOverlap() {
    store.putEnrollment(mailbox(ALICE)); // signed in at T0
    store.putEnrollment(mailbox(ALICE).signedInAgain(T0.plusSeconds(30))); // a new sign-in: the same period
    store.purge(ALICE);
    store.endEnrollmentPeriod(ALICE, T0.plusSeconds(100));
    store.endEnrollmentPeriod(ALICE, T0.plusSeconds(200)); // nothing open: nothing changes
    store.putEnrollment(mailbox(ALICE)); // the old sign-in again: the new period starts after the last one
    store.putEnrollment(mailbox(BOB));

    assertEquals(List.of(new EnrollmentPeriod(ALICE, T0, T0.plusSeconds(100)),
            new EnrollmentPeriod(ALICE, T0.plusSeconds(100), null), new EnrollmentPeriod(BOB, T0, null)),
        store.enrollmentPeriods(T0, T0.plusSeconds(1000)));
    assertEquals(List.of(new EnrollmentPeriod(ALICE, T0.plusSeconds(100), null), new EnrollmentPeriod(BOB, T0, null)),
        store.enrollmentPeriods(T0.plusSeconds(101), T0.plusSeconds(1000)));
    assertTrue(store.enrollmentPeriods(T0.minusSeconds(10), T0.minusSeconds(1)).isEmpty());
    // one mailbox's own: what the audit checks each round against
    assertEquals(List.of(new EnrollmentPeriod(ALICE, T0, T0.plusSeconds(100)), new EnrollmentPeriod(ALICE, T0.plusSeconds(100), null)),
        store.enrollmentPeriods(ALICE, T0, T0.plusSeconds(1000)));
    assertEquals(List.of(new EnrollmentPeriod(BOB, T0, null)), store.enrollmentPeriods(BOB, T0.plusSeconds(101), T0.plusSeconds(1000)));
    assertTrue(store.enrollmentPeriods(BOB, T0.minusSeconds(10), T0.minusSeconds(1)).isEmpty());
    // several mailboxes' own at once (an audit batch's), each as asked alone; one never enrolled: none
    MailboxId carol = MailboxId.of("contoso", "oid-carol");
    for (Instant[] w : new Instant[][] {{T0, T0.plusSeconds(1000)}, {T0.plusSeconds(101), T0.plusSeconds(1000)},
        {T0.minusSeconds(10), T0.minusSeconds(1)}}) {
      assertEquals(Map.of(ALICE, store.enrollmentPeriods(ALICE, w[0], w[1]), BOB, store.enrollmentPeriods(BOB, w[0], w[1]),
          carol, List.of()), store.enrollmentPeriods(List.of(ALICE, BOB, carol), w[0], w[1]), "from " + w[0]);
    }
    assertEquals(Map.of(), store.enrollmentPeriods(List.of(), T0, T0.plusSeconds(1000)));
  }

  @Test
  void pruningDropsOldRecordsAndClosedPeriodsButKeepsOpenOnes() {
    store.putEnrollment(mailbox(ALICE));
    store.putEnrollment(mailbox(BOB));
    store.purge(BOB);
    store.endEnrollmentPeriod(BOB, T0.plusSeconds(10));
    AccessRecord old = access(ALICE, Resource.EVENTS, T0, AccessRecord.Outcome.SUCCEEDED, 1, null);
    AccessRecord kept = access(ALICE, Resource.EVENTS, T0.plusSeconds(60), AccessRecord.Outcome.FAILED, 4, "Boom");
    store.recordAccess(old);
    store.recordAccess(kept);

    assertEquals(1, store.pruneAccessAudit(T0.plusSeconds(30)));

    assertEquals(List.of(kept), store.accessRecords(T0.minusSeconds(1), T0.plusSeconds(3600)));
    assertEquals(List.of(new EnrollmentPeriod(ALICE, T0, null)), store.enrollmentPeriods(T0, T0.plusSeconds(3600)));

    // the newest record pruned: a like round of the same day starts a record of its own, it folds into nothing deleted
    assertEquals(1, store.pruneAccessAudit(T0.plusSeconds(120)));
    AccessRecord later = access(ALICE, Resource.EVENTS, T0.plusSeconds(180), AccessRecord.Outcome.FAILED, 1, "Boom");
    store.recordAccess(later);
    assertEquals(List.of(later), store.accessRecords(T0.minusSeconds(1), T0.plusSeconds(3600)));
  }

  @Test
  void whatTheStoreReturnsExportsAndReadsBackInBothFormats() {
    List<AccessRecord> records = List.of(
        access(ALICE, Resource.EVENTS, T0, AccessRecord.Outcome.SUCCEEDED, 7, null),
        access(BOB, Resource.TASKS, T0.plusMillis(1500), AccessRecord.Outcome.FAILED, 2, "odd, \"quoted\"\ncode"));
    records.forEach(store::recordAccess);
    List<AccessRecord> stored = store.accessRecords(T0, T0.plusSeconds(5));
    assertEquals(records, stored);
    for (AccessRecordFormat format : AccessRecordFormat.values()) {
      StringBuilder out = new StringBuilder();
      format.write(stored, out);
      assertEquals(stored, format.read(new StringReader(out.toString())), format.name());
    }
  }

  // ---------------------------------------------------------------- subscriptions

  /** A subscription expiring {@code minutes} after T0, with a client state derived from its id. */
  protected static Subscription subscription(String id, MailboxId mailbox, Resource resource, String container,
                                             long minutes) {
    return new Subscription(id, mailbox, resource, container, Subscription.hashClientState("state-" + id),
        T0.plusSeconds(60 * minutes), AuthMode.APPLICATION);
  }

  @Test
  void subscriptionsRoundTripAndAPutReplacesTheOneWithItsId() {
    Subscription events = subscription("sub-events", ALICE, Resource.EVENTS, "", 60);
    Subscription inbox = subscription("sub-inbox", ALICE, Resource.MAIL, "inbox", 90);
    store.putSubscription(events);
    store.putSubscription(inbox);

    assertEquals(events, store.subscription("sub-events").orElseThrow());
    assertEquals(inbox, store.subscription("sub-inbox").orElseThrow());
    assertTrue(store.subscription("sub-unknown").isEmpty());

    Subscription renewed = new Subscription("sub-events", ALICE, Resource.EVENTS, "", events.clientStateHash(),
        T0.plusSeconds(3 * 86_400), AuthMode.DELEGATED);
    store.putSubscription(renewed);
    assertEquals(renewed, store.subscription("sub-events").orElseThrow());
    assertTrue(renewed.clientStateMatches("state-sub-events"));
    assertEquals(List.of(inbox, renewed), store.subscriptions(ALICE));
  }

  @Test
  void aMailboxsSubscriptionsComeSoonestExpiryFirst() {
    Subscription late = subscription("sub-a", ALICE, Resource.CONTACTS, "", 300);
    Subscription soon = subscription("sub-b", ALICE, Resource.EVENTS, "", 10);
    Subscription tieFirst = subscription("sub-c", ALICE, Resource.TASKS, "list-1", 100);
    Subscription tieSecond = subscription("sub-d", ALICE, Resource.TASKS, "list-2", 100);
    for (Subscription sub : List.of(late, tieSecond, soon, tieFirst)) {
      store.putSubscription(sub);
    }
    store.putSubscription(subscription("sub-bob", BOB, Resource.EVENTS, "", 5));

    assertEquals(List.of(soon, tieFirst, tieSecond, late), store.subscriptions(ALICE));
    assertEquals(List.of("sub-bob"), store.subscriptions(BOB).stream().map(Subscription::id).toList());
    assertTrue(store.subscriptions(MailboxId.of("contoso", "nobody")).isEmpty());
  }

  @Test
  void subscriptionsExpiringBeforeACutoffComeOldestFirstAcrossMailboxes() {
    Subscription aliceSoon = subscription("sub-1", ALICE, Resource.EVENTS, "", 10);
    Subscription bobSooner = subscription("sub-2", BOB, Resource.CONTACTS, "", 5);
    Subscription atCutoff = subscription("sub-3", BOB, Resource.EVENTS, "", 60);
    Subscription later = subscription("sub-4", ALICE, Resource.MAIL, "inbox", 120);
    for (Subscription sub : List.of(later, atCutoff, aliceSoon, bobSooner)) {
      store.putSubscription(sub);
    }

    assertEquals(List.of(bobSooner, aliceSoon), store.subscriptionsExpiringBefore(T0.plusSeconds(3600)));
    assertEquals(List.of(bobSooner, aliceSoon, atCutoff), store.subscriptionsExpiringBefore(T0.plusSeconds(3601)));
    assertTrue(store.subscriptionsExpiringBefore(T0).isEmpty());

    // renewing moves it behind the cutoff
    store.putSubscription(bobSooner.renewedUntil(T0.plusSeconds(86_400)));
    assertEquals(List.of(aliceSoon), store.subscriptionsExpiringBefore(T0.plusSeconds(3600)));
  }

  @Test
  void removingASubscriptionRemovesThatOneOnly() {
    store.putSubscription(subscription("sub-1", ALICE, Resource.EVENTS, "", 10));
    store.putSubscription(subscription("sub-2", ALICE, Resource.CONTACTS, "", 20));

    store.removeSubscription("sub-1");
    store.removeSubscription("sub-unknown"); // nothing to remove: no failure

    assertTrue(store.subscription("sub-1").isEmpty());
    assertEquals(List.of("sub-2"), store.subscriptions(ALICE).stream().map(Subscription::id).toList());
    assertEquals(List.of("sub-2"),
        store.subscriptionsExpiringBefore(T0.plusSeconds(86_400)).stream().map(Subscription::id).toList());
  }

  @Test
  void purgeRemovesTheMailboxsSubscriptionsOnly() {
    store.putEnrollment(mailbox(ALICE));
    store.putEnrollment(mailbox(BOB));
    store.putSubscription(subscription("sub-alice-1", ALICE, Resource.EVENTS, "", 10));
    store.putSubscription(subscription("sub-alice-2", ALICE, Resource.MAIL, "inbox", 20));
    Subscription bobs = subscription("sub-bob", BOB, Resource.EVENTS, "", 15);
    store.putSubscription(bobs);

    store.purge(ALICE);

    assertTrue(store.subscription("sub-alice-1").isEmpty());
    assertTrue(store.subscription("sub-alice-2").isEmpty());
    assertTrue(store.subscriptions(ALICE).isEmpty());
    assertEquals(List.of(bobs), store.subscriptions(BOB));
    assertEquals(List.of(bobs), store.subscriptionsExpiringBefore(T0.plusSeconds(86_400)));
  }

  /**
   * Dirty marks: what change notifications ask the next round to read. Nodes mark on their request
   * threads while another node's round clears, so the merge rules must hold under concurrency too.
   */
  @Nested
  class DirtyMarks {
    private DirtyMark mark(MailboxId mailbox, Resource resource, long seconds, boolean renew) {
      return new DirtyMark(mailbox, resource, T0.plusSeconds(seconds), renew);
    }

    @Test
    void anExistingMarkKeepsTheLaterInstant() {
      store.putEnrollment(mailbox(ALICE));
      store.markDirty(ALICE, Resource.EVENTS, T0.plusSeconds(10), false);
      store.markDirty(ALICE, Resource.EVENTS, T0.plusSeconds(5), false); // a notification that came in late

      assertEquals(List.of(mark(ALICE, Resource.EVENTS, 10, false)), store.dirtyMarks(ALICE));

      store.markDirty(ALICE, Resource.EVENTS, T0.plusSeconds(20), false);
      assertEquals(List.of(mark(ALICE, Resource.EVENTS, 20, false)), store.dirtyMarks(ALICE));
    }

    @Test
    void marksComeInResourceOrderPerMailbox() {
      store.putEnrollment(mailbox(ALICE));
      store.putEnrollment(mailbox(BOB));
      store.markDirty(ALICE, Resource.TASKS, T0.plusSeconds(3), false);
      store.markDirty(ALICE, Resource.EVENTS, T0.plusSeconds(2), true);
      store.markDirty(ALICE, Resource.MAIL, T0.plusSeconds(1), false);
      store.markDirty(BOB, Resource.CONTACTS, T0, false);

      assertEquals(List.of(mark(ALICE, Resource.EVENTS, 2, true), mark(ALICE, Resource.MAIL, 1, false),
          mark(ALICE, Resource.TASKS, 3, false)), store.dirtyMarks(ALICE));
      assertEquals(List.of(mark(BOB, Resource.CONTACTS, 0, false)), store.dirtyMarks(BOB));
      assertTrue(store.dirtyMarks(MailboxId.of("contoso", "nobody")).isEmpty());
    }

    @Test
    void renewStaysSetUntilTheMarkIsCleared() {
      store.putEnrollment(mailbox(ALICE));
      store.markDirty(ALICE, Resource.EVENTS, T0, true);
      store.markDirty(ALICE, Resource.EVENTS, T0.plusSeconds(1), false);
      store.markDirty(ALICE, Resource.EVENTS, T0.plusSeconds(2), false);
      assertEquals(List.of(mark(ALICE, Resource.EVENTS, 2, true)), store.dirtyMarks(ALICE));

      store.clearDirty(ALICE, Resource.EVENTS, T0.plusSeconds(2));
      store.markDirty(ALICE, Resource.EVENTS, T0.plusSeconds(3), false);
      assertEquals(List.of(mark(ALICE, Resource.EVENTS, 3, false)), store.dirtyMarks(ALICE));
    }

    @Test
    void clearingKeepsAMarkNewerThanTheRoundAndTouchesNoOtherResource() {
      store.putEnrollment(mailbox(ALICE));
      store.markDirty(ALICE, Resource.EVENTS, T0.plusSeconds(10), false);
      store.markDirty(ALICE, Resource.CONTACTS, T0, false);

      store.clearDirty(ALICE, Resource.EVENTS, T0.plusSeconds(9)); // the notification came during the round
      assertEquals(List.of(mark(ALICE, Resource.EVENTS, 10, false), mark(ALICE, Resource.CONTACTS, 0, false)),
          store.dirtyMarks(ALICE));

      store.clearDirty(ALICE, Resource.EVENTS, T0.plusSeconds(10)); // not newer than the round: cleared
      store.clearDirty(ALICE, Resource.MAIL, T0.plusSeconds(10)); // no mark: nothing to clear, no failure
      store.clearDirty(BOB, Resource.CONTACTS, T0.plusSeconds(10));
      assertEquals(List.of(mark(ALICE, Resource.CONTACTS, 0, false)), store.dirtyMarks(ALICE));
    }

    @Test
    void aMailboxThatIsNotEnrolledGetsNoMark() {
      store.markDirty(ALICE, Resource.EVENTS, T0, true);
      assertTrue(store.dirtyMarks(ALICE).isEmpty());

      // enrolling later does not bring back a mark that was never written
      store.putEnrollment(mailbox(ALICE));
      assertTrue(store.dirtyMarks(ALICE).isEmpty());
      assertTrue(store.enrollment(BOB).isEmpty());
    }

    @Test
    void purgeRemovesTheMailboxsMarksOnly() {
      store.putEnrollment(mailbox(ALICE));
      store.putEnrollment(mailbox(BOB));
      store.markDirty(ALICE, Resource.EVENTS, T0, true);
      store.markDirty(ALICE, Resource.MAIL, T0, false);
      store.markDirty(BOB, Resource.EVENTS, T0, false);

      store.purge(ALICE);

      assertTrue(store.dirtyMarks(ALICE).isEmpty());
      assertEquals(List.of(mark(BOB, Resource.EVENTS, 0, false)), store.dirtyMarks(BOB));
      store.markDirty(ALICE, Resource.EVENTS, T0.plusSeconds(1), false); // unenrolled now: ignored
      store.putEnrollment(mailbox(ALICE));
      assertTrue(store.dirtyMarks(ALICE).isEmpty());
    }

    /**
     * Threads marking the same keys at once, as nodes receiving notifications for one mailbox do:
     * each key ends at the latest instant any thread wrote, with {@code renew} if any thread set it.
     * Every thread's first mark races the others to create the row.
     */
    @Test
    void concurrentMarksKeepTheLatestInstantAndAnyRenew() throws Exception {
      store.putEnrollment(mailbox(ALICE));
      int threads = 4;
      int marksEach = 25;
      CyclicBarrier start = new CyclicBarrier(threads);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            start.await(10, TimeUnit.SECONDS);
            for (int i = 0; i < marksEach; i++) {
              // instants interleave across threads; thread 1 asks for a renewal once, early on
              Instant at = T0.plusSeconds((long) i * threads + thread);
              store.markDirty(ALICE, Resource.EVENTS, at, thread == 1 && i == 3);
              store.markDirty(ALICE, Resource.CONTACTS, T0.plusSeconds((long) (marksEach - i) * threads + thread), false);
            }
            return null;
          }));
        }
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      long latest = (long) (marksEach - 1) * threads + threads - 1;
      long latestContacts = (long) marksEach * threads + threads - 1; // each thread's first mark is its latest
      assertEquals(List.of(mark(ALICE, Resource.EVENTS, latest, true), mark(ALICE, Resource.CONTACTS, latestContacts, false)),
          store.dirtyMarks(ALICE));
    }
  }
}

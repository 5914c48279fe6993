package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.AuthMode;
import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.gateway.BatchedDelta;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaProbe;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.model.TodoTask;
import io.m365sync.state.AccessRecord;
import io.m365sync.state.CursorKey;
import io.m365sync.state.EnrollmentPeriod;
import io.m365sync.state.MailboxState;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.SyncStateStore;
import io.m365sync.state.UnreadableRow;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.ForwardingGateway;
import io.m365sync.testkit.ForwardingSyncStateStore;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The idle probe: a cycle reads its polled mailbox-resources' delta links in batches first and
 * leaves out of the rounds what read nothing new, under the rounds' own promises (enrollment, token
 * choice, access policy, audit).
 */
class IdleProbeTest {
  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final CountingGateway gateway = new CountingGateway(m365.gateway());
  private final InMemoryCrmStore<CalendarEvent> crmEvents = new InMemoryCrmStore<>("event");
  private final InMemoryCrmStore<Contact> crmContacts = new InMemoryCrmStore<>("contact");
  private final InMemoryCrmStore<TodoTask> crmTasks = new InMemoryCrmStore<>("task");
  private final List<ModelUser> users = new ArrayList<>();
  private final StoreCalls store = new StoreCalls();
  private final SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(gateway).stateStore(store)
      .delegatedTokens(m365.delegatedTokens()).applicationTokens(m365.applicationTokens())
      .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crmEvents))
      .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crmContacts))
      .resource(ResourceSyncers.oneWay(ResourceType.TASKS, crmTasks))
      .build();

  private List<Mailbox> enroll(int n, Set<Resource> resources) {
    Instant now = m365.clock().instant();
    List<Mailbox> mailboxes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ModelUser u = m365.addUser("user" + users.size());
      users.add(u);
      m365.mailbox(u).calendar().create(CalendarEvent.simple("meeting " + i, now.plus(Duration.ofDays(1)),
          now.plus(Duration.ofDays(1)).plus(Duration.ofHours(1))));
      m365.mailbox(u).contacts().create(Contact.of("Ada", "Lovelace", "ada" + i + "@example.com"));
      m365.mailbox(u).tasks().create(TodoTask.of("call back " + i, now.plus(Duration.ofDays(2))));
      Mailbox m = m365.signIn(u, resources);
      engine.enroll(m);
      mailboxes.add(m);
    }
    return mailboxes;
  }

  private void applicationMode(Resource... resources) {
    m365.grantApplicationPermissions(resources);
    engine.setApplicationPermissionEnabled(m365.tenantId(), true);
  }

  /** Runs a cycle after {@code elapsed}, counting what it sent from a clean slate. */
  private CycleReport idleCycle(Duration elapsed) {
    m365.clock().advance(elapsed);
    gateway.reset();
    m365.cloud().log().clear();
    return engine.runCycle();
  }

  private long tokenRequests() {
    return m365.cloud().log().count(RecordedRequest::isToken);
  }

  private long graphRequests(ModelUser user, Predicate<RecordedRequest> filter) {
    return m365.cloud().log().count(r -> r.isGraph() && user.objectId().equals(r.targetUserId()) && filter.test(r));
  }

  @Test
  void anIdleCycleOf40AppModeMailboxesIsFourBatchesAndNoTokenRequest() {
    applicationMode(Resource.EVENTS, Resource.CONTACTS);
    List<Mailbox> mailboxes = enroll(40, EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
    CycleReport first = engine.runCycle();
    assertThat(first.countByStatus()).containsEntry(MailboxStatus.ACTIVE, 40);
    List<MailboxState> states = mailboxes.stream().map(m -> engine.monitor().mailbox(m.id()).orElseThrow()).toList();

    CycleReport idle = idleCycle(Duration.ofMinutes(5));

    assertThat(gateway.batches).as("80 probes, 20 to a batch").hasSize(4);
    assertThat(gateway.batches).allSatisfy(b -> assertThat(b).hasSize(20).allMatch(p -> p.session().mode() == AuthMode.APPLICATION));
    assertThat(gateway.deltaCalls.get()).as("no round read anything").isZero();
    assertThat(tokenRequests()).isZero();
    assertThat(idle.mailboxes()).noneMatch(MailboxSyncReport::ran);
    assertThat(mailboxes.stream().map(m -> engine.monitor().mailbox(m.id()).orElseThrow()).toList())
        .as("no status write for a mailbox that did not run").isEqualTo(states);
    List<AccessRecord> audited = engine.audit().records(m365.clock().instant(), m365.clock().instant().plusSeconds(1));
    // each probe folds into its mailbox-resource's record of the first round (same day, same outcome)
    assertThat(audited).as("every app-only probe is in the access audit").hasSize(80)
        .allMatch(r -> r.outcome() == AccessRecord.Outcome.SUCCEEDED && r.rounds() == 2 && r.requests() == 2
            && r.finishedAt().equals(m365.clock().instant()));
    assertThat(engine.audit().defects(m365.clock().instant(), m365.clock().instant().plusSeconds(1))).isEmpty();
  }

  @Test
  void anIdleCycleWritesEachBatchsAuditInOneStoreCall() {
    applicationMode(Resource.EVENTS, Resource.CONTACTS);
    enroll(40, EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
    engine.runCycle();
    store.calls.clear();

    idleCycle(Duration.ofMinutes(5));

    // a durable store commits once per batch, not once per mailbox-resource (20,000 commits an idle cycle at 10,000 mailboxes)
    assertThat(store.calls).as("the audit writes of the idle cycle, by records per call").containsExactly(20, 20, 20, 20);
  }

  @Test
  void anIdleCycleReadsItsMailboxesStatesAndCursorsInOneCallEachAndChecksEachBatchsAuditOnce() {
    applicationMode(Resource.EVENTS, Resource.CONTACTS);
    enroll(40, EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
    engine.runCycle();
    store.resetReads();
    int auditWrites = store.calls.size();

    idleCycle(Duration.ofMinutes(5));

    // links, events window and write-ahead notes of both resources of the 40 mailboxes: one store call, not 200
    assertThat(store.cursorsCalls.get()).isEqualTo(1);
    assertThat(store.cursorReads.get()).as("cursors read one by one").isZero();
    // the audit checks each $batch's records (20 mailbox-resources, 10 mailboxes) with one read of their periods
    int batches = store.calls.size() - auditWrites;
    assertThat(batches).isEqualTo(4);
    assertThat(store.periodBatchReads.get()).as("enrollment periods read for the audit: once per batch").isEqualTo(4);
    assertThat(store.periodReads.get()).as("enrollment periods read mailbox by mailbox").isZero();
    // read under the mailboxes' locks by the probe, the 40 at once; a round would read them again only to
    // find nothing to read
    assertThat(store.enrollmentGroupReads).as("enrollments read, mailboxes per call").containsExactly(40);
    assertThat(store.statusGroupReads).as("states read, mailboxes per call").containsExactly(40);
    assertThat(store.enrollmentReads.get()).as("enrollments read one by one").isZero();
    assertThat(store.statusReads.get()).as("states read one by one").isZero();
  }

  @Test
  void aRecordTheStoreRefusesCostsOnlyItselfTheBatchsOthersAreWrittenOneByOne() {
    applicationMode(Resource.EVENTS, Resource.CONTACTS);
    List<Mailbox> mailboxes = enroll(10, EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
    Instant start = m365.clock().instant();
    engine.runCycle();
    store.refused = mailboxes.get(3).id();

    idleCycle(Duration.ofMinutes(5));

    List<AccessRecord> audited = engine.audit().records(start, m365.clock().instant().plusSeconds(1));
    assertThat(audited).hasSize(20);
    assertThat(audited).filteredOn(r -> r.mailbox().equals(store.refused)).as("the refused probes are not counted")
        .allMatch(r -> r.rounds() == 1);
    assertThat(audited).filteredOn(r -> !r.mailbox().equals(store.refused)).as("every other probe is")
        .hasSize(18).allMatch(r -> r.rounds() == 2);
  }

  @Test
  void theDaysWindowSlideIsReadInTheBatchAndEachRoundTakesItsPage() {
    applicationMode(Resource.EVENTS, Resource.CONTACTS);
    List<Mailbox> mailboxes = enroll(10, EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
    ModelUser empty = m365.addUser("no-meetings");
    Mailbox withoutEvents = m365.signIn(empty, EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
    engine.enroll(withoutEvents);
    engine.runCycle();
    long created = crmEvents.creates();

    CycleReport slide = idleCycle(Duration.ofDays(1).plusMinutes(5));

    assertThat(gateway.batches).as("22 probes: each calendar's slide and each contacts link").hasSize(2);
    assertThat(gateway.deltaCalls.get()).as("every round took its window's page from the batch").isZero();
    assertThat(slide.mailboxes()).filteredOn(MailboxSyncReport::ran).as("an empty window's slide too")
        .extracting(MailboxSyncReport::mailbox).containsExactlyInAnyOrderElementsOf(
            java.util.stream.Stream.concat(mailboxes.stream(), java.util.stream.Stream.of(withoutEvents)).map(Mailbox::id).toList());
    assertThat(slide.mailboxes()).allSatisfy(m -> assertThat(m.resources()).extracting(ResourceResult::resource)
        .containsExactly(Resource.EVENTS));
    for (Mailbox m : mailboxes) {
      assertThat(crmEvents.list(m.id())).as("re-linked, not re-created").hasSize(1);
    }
    assertThat(crmEvents.creates()).isEqualTo(created);
    assertThat(crmEvents.deletes()).isZero();

    CycleReport next = idleCycle(Duration.ofMinutes(15));
    assertThat(next.mailboxes()).as("the slid windows were stored: quiet again").noneMatch(MailboxSyncReport::ran);
    assertThat(gateway.deltaCalls.get()).isZero();
  }

  @Test
  void pagesBeyondWhatTheRoundsHoldInFlightAreLeftForTheirRoundsToReadAgain() {
    // room for one item: as many as one mailbox's one request of one-item pages holds in flight
    SyncEngine small = SyncEngine.builder().clock(m365.clock()).gateway(gateway).stateStore(SyncStateStore.inMemory())
        .delegatedTokens(m365.delegatedTokens()).applicationTokens(m365.applicationTokens())
        .options(SyncOptions.defaults().withMaxConcurrentMailboxes(1).withMaxRequestsPerMailbox(1).withPageSize(1))
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crmContacts))
        .build();
    m365.grantApplicationPermissions(Resource.CONTACTS);
    small.setApplicationPermissionEnabled(m365.tenantId(), true);
    List<ModelUser> three = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ModelUser u = m365.addUser("small" + i);
      three.add(u);
      small.enroll(m365.signIn(u, EnumSet.of(Resource.CONTACTS)));
    }
    small.runCycle();
    three.forEach(u -> m365.mailbox(u).contacts().create(Contact.of("Grace", "Hopper", "grace@example.com")));
    m365.clock().advance(Duration.ofMinutes(20));
    gateway.reset();

    CycleReport cycle = small.runCycle();

    assertThat(cycle.mailboxes()).filteredOn(MailboxSyncReport::ran).hasSize(3);
    assertThat(gateway.deltaCalls.get()).as("one page held for its round, two read again").isEqualTo(2);
    three.forEach(u -> assertThat(crmContacts.items(m365.mailboxId(u))).hasSize(1));
  }

  @Test
  void aChangeInOneMailboxIsReadByItsRoundAloneAndOnlyForTheResourceThatChanged() {
    applicationMode(Resource.EVENTS, Resource.CONTACTS);
    List<Mailbox> mailboxes = enroll(5, EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
    engine.runCycle();
    m365.mailbox(users.get(2)).contacts().create(Contact.of("Grace", "Hopper", "grace@example.com"));

    CycleReport cycle = idleCycle(Duration.ofMinutes(5));

    MailboxSyncReport changed = cycle.mailbox(mailboxes.get(2).id());
    assertThat(changed.ran()).isTrue();
    assertThat(changed.resources()).extracting(ResourceResult::resource).containsExactly(Resource.CONTACTS);
    assertThat(changed.resources().get(0).created()).isEqualTo(1);
    assertThat(crmContacts.list(mailboxes.get(2).id())).hasSize(2);
    assertThat(cycle.mailboxes()).filteredOn(MailboxSyncReport::ran).hasSize(1);
    assertThat(gateway.deltaCalls.get()).as("the round took the probe's page of the link, one page: nothing read twice")
        .isZero();
    assertThat(engine.monitor().mailbox(mailboxes.get(2).id()).orElseThrow().lastSuccessAt())
        .isAfterOrEqualTo(m365.clock().instant());

    idleCycle(Duration.ofMinutes(5));
    assertThat(gateway.deltaCalls.get()).as("the next cycle finds the new link quiet").isZero();
  }

  @Test
  void withoutApplicationModeEachMailboxIsABatchOfItsOwnUnderItsDelegatedToken() {
    enroll(3, EnumSet.of(Resource.EVENTS, Resource.CONTACTS, Resource.TASKS));
    engine.runCycle();

    CycleReport idle = idleCycle(Duration.ofMinutes(5));

    assertThat(gateway.batches).hasSize(3).allSatisfy(b -> assertThat(b).hasSize(3)
        .allMatch(p -> p.session().mode() == AuthMode.DELEGATED)
        .extracting(p -> p.session().mailbox().id()).containsOnly(b.get(0).session().mailbox().id()));
    assertThat(idle.mailboxes()).noneMatch(MailboxSyncReport::ran);
    assertThat(tokenRequests()).isZero();
  }

  @Test
  void toDoIsNeverProbedAppOnlyItsRoundReadsItAfterAScopedSuccess() {
    applicationMode(Resource.EVENTS, Resource.TASKS);
    Mailbox m = enroll(1, EnumSet.of(Resource.EVENTS, Resource.TASKS)).get(0);
    engine.runCycle();
    assertThat(engine.monitor().mailbox(m.id()).orElseThrow().mode()).isEqualTo(AuthMode.APPLICATION);

    CycleReport cycle = idleCycle(Duration.ofMinutes(5));

    assertThat(gateway.batches).flatMap(b -> b).extracting(p -> p.type().resource()).containsExactly(Resource.EVENTS);
    // To Do is left to the round, which brings a scoped resource along before it goes app-only
    assertThat(cycle.mailbox(m.id()).resources()).extracting(ResourceResult::resource)
        .containsExactly(Resource.EVENTS, Resource.TASKS);
  }

  @Test
  void aPolicyDenyingAnAppOnlyProbeIsObservedOnceAndTheRoundFallsBackToDelegated() {
    applicationMode(Resource.EVENTS, Resource.CONTACTS);
    List<Mailbox> mailboxes = enroll(2, EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
    engine.runCycle();
    m365.tenant().policyPropagationDelay(Duration.ZERO);
    m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, FakeMicrosoft365.CLIENT_ID,
        m365.tenant().addGroup("crm-sync", true).add(users.get(0)), "CRM sync may reach crm-sync only");

    CycleReport cycle = idleCycle(Duration.ofMinutes(5));

    ModelUser denied = users.get(1);
    assertThat(graphRequests(denied, r -> r.mode() == AuthMode.APPLICATION && r.status() == 403))
        .as("one 403 per TTL: the round does not try app-only again").isEqualTo(1);
    assertThat(graphRequests(denied, r -> r.mode() == AuthMode.APPLICATION && r.status() == 200)).isZero();
    MailboxSyncReport report = cycle.mailbox(mailboxes.get(1).id());
    assertThat(report.state().status()).isEqualTo(MailboxStatus.DENIED_BY_POLICY);
    assertThat(report.resources()).isNotEmpty().allMatch(r -> r.mode() == AuthMode.DELEGATED);
    assertThat(engine.audit().records(m365.clock().instant(), m365.clock().instant().plusSeconds(1)))
        .filteredOn(r -> r.mailbox().equals(mailboxes.get(1).id()))
        .extracting(AccessRecord::outcome).containsOnly(AccessRecord.Outcome.DENIED_BY_POLICY);
    assertThat(cycle.mailbox(mailboxes.get(0).id()).ran()).as("the member stays quiet").isFalse();
  }

  @Test
  void unenrolledAndSuspendedMailboxesAreNotProbed() {
    List<Mailbox> mailboxes = enroll(3, EnumSet.of(Resource.EVENTS, Resource.CONTACTS));
    engine.runCycle();
    engine.unenroll(mailboxes.get(0).id());
    engine.suspend(mailboxes.get(1).id(), true);

    idleCycle(Duration.ofMinutes(5));

    assertThat(gateway.batches).flatMap(b -> b).extracting(p -> p.session().mailbox().id())
        .containsOnly(mailboxes.get(2).id());
    assertThat(m365.cloud().log().requestsAbout(users.get(0).objectId())).isZero();
    assertThat(m365.cloud().log().requestsAbout(users.get(1).objectId())).isZero();
  }

  @Test
  void aDeadDelegatedTokenCostsOneTokenRequestPerCycleProbeAndRoundTogether() {
    Mailbox m = enroll(1, EnumSet.of(Resource.EVENTS, Resource.CONTACTS)).get(0);
    engine.runCycle();
    m365.tenant().revokeSignInSessions(users.get(0));

    CycleReport cycle = idleCycle(Duration.ofHours(3)); // the access token expired: a refresh is needed

    assertThat(m365.cloud().log().refreshRequests(users.get(0).objectId())).isEqualTo(1);
    assertThat(cycle.mailbox(m.id()).state().status()).isEqualTo(MailboxStatus.NEEDS_SIGN_IN);
    assertThat(gateway.batches).isEmpty();
  }

  /** The fake gateway, counting batches (with their probes) and the delta reads of rounds. */
  static final class CountingGateway extends ForwardingGateway {
    final List<List<DeltaProbe<?>>> batches = Collections.synchronizedList(new ArrayList<>());
    final java.util.concurrent.atomic.AtomicInteger deltaCalls = new java.util.concurrent.atomic.AtomicInteger();

    CountingGateway(MailboxGateway gateway) {
      super(gateway);
    }

    void reset() {
      batches.clear();
      deltaCalls.set(0);
    }

    @Override
    public List<BatchedDelta<?>> deltaBatch(List<? extends DeltaProbe<?>> probes) {
      batches.add(List.copyOf(probes));
      return delegate.deltaBatch(probes);
    }

    @Override
    public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type,
                                                                DeltaRequest request) {
      deltaCalls.incrementAndGet();
      return delegate.delta(session, type, request);
    }




  }

  /**
   * Counts the audit's writes (records per call) and the reads a durable store answers with a round
   * trip each, and refuses one mailbox's records as bad input, as a store may.
   */
  private static final class StoreCalls extends ForwardingSyncStateStore {
    final List<Integer> calls = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger cursorReads = new AtomicInteger();
    final AtomicInteger cursorsCalls = new AtomicInteger();
    final AtomicInteger periodReads = new AtomicInteger();
    final AtomicInteger periodBatchReads = new AtomicInteger();
    final AtomicInteger enrollmentReads = new AtomicInteger();
    final AtomicInteger statusReads = new AtomicInteger();
    final List<Integer> enrollmentGroupReads = Collections.synchronizedList(new ArrayList<>());
    final List<Integer> statusGroupReads = Collections.synchronizedList(new ArrayList<>());
    volatile MailboxId refused;

    StoreCalls() {
      super(SyncStateStore.inMemory(), Defaults.DELEGATE);
    }

    void resetReads() {
      cursorReads.set(0);
      cursorsCalls.set(0);
      periodReads.set(0);
      periodBatchReads.set(0);
      enrollmentReads.set(0);
      statusReads.set(0);
      enrollmentGroupReads.clear();
      statusGroupReads.clear();
    }

    @Override
    public Optional<Mailbox> enrollment(MailboxId mailbox) {
      enrollmentReads.incrementAndGet();
      return super.enrollment(mailbox);
    }

    @Override
    public Map<MailboxId, Mailbox> enrollments(Collection<MailboxId> mailboxes, Consumer<UnreadableRow> onUnreadable) {
      enrollmentGroupReads.add(mailboxes.size());
      return super.enrollments(mailboxes, onUnreadable);
    }

    @Override
    public Map<MailboxId, MailboxState> statuses(Collection<MailboxId> mailboxes, Consumer<UnreadableRow> onUnreadable) {
      statusGroupReads.add(mailboxes.size());
      return super.statuses(mailboxes, onUnreadable);
    }

    @Override
    public Optional<MailboxState> status(MailboxId mailbox) {
      statusReads.incrementAndGet();
      return super.status(mailbox);
    }

    @Override
    public Optional<String> cursor(CursorKey key) {
      cursorReads.incrementAndGet();
      return super.cursor(key);
    }

    @Override
    public Map<CursorKey, String> cursors(Collection<CursorKey> keys) {
      cursorsCalls.incrementAndGet();
      return super.cursors(keys);
    }

    @Override
    public List<EnrollmentPeriod> enrollmentPeriods(MailboxId mailbox, Instant from, Instant to) {
      periodReads.incrementAndGet();
      return super.enrollmentPeriods(mailbox, from, to);
    }

    @Override
    public Map<MailboxId, List<EnrollmentPeriod>> enrollmentPeriods(Collection<MailboxId> mailboxes, Instant from,
                                                                  Instant to) {
      periodBatchReads.incrementAndGet();
      return super.enrollmentPeriods(mailboxes, from, to);
    }

    @Override
    public void recordAccess(AccessRecord record) {
      recordAccess(List.of(record));
    }

    @Override
    public void recordAccess(List<AccessRecord> records) {
      if (records.stream().anyMatch(r -> r.mailbox().equals(refused))) {
        throw new IllegalArgumentException("refused: a record of " + refused);
      }
      calls.add(records.size());
      super.recordAccess(records);
    }
  }
}

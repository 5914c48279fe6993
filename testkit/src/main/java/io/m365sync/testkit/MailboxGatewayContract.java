package io.m365sync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365sync.gateway.AccessDeniedByPolicyException;
import io.m365sync.gateway.BatchedDelta;
import io.m365sync.gateway.Change;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaProbe;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.ItemNotFoundException;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.PreconditionFailedException;
import io.m365sync.gateway.RemoteSubscription;
import io.m365sync.gateway.SyncStateExpiredException;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.MailMessage;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.model.TodoTask;
import io.m365sync.testkit.emulator.RecordingWebhook;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.MailboxModel;
import io.m365sync.testkit.model.ModelSubscription;
import io.m365sync.testkit.model.SubscriptionModel;
import io.m365sync.testkit.model.TenantModel;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link MailboxGateway} must have, checked against the testkit's Microsoft 365
 * model: the in-process {@link FakeMailboxGateway} and the Graph adapter over the HTTP emulator run
 * the same tests, so a test built on the fake witnesses what the adapter does. Extend it and return a
 * fresh {@link Subject} (a new tenant with one signed-in user) from {@link #newSubject()}:
 *
 * <pre>{@code
 * class FakeMailboxGatewayContractTest extends MailboxGatewayContract {
 *   protected Subject newSubject() { ... FakeMicrosoft365 ... }
 * }
 * }</pre>
 *
 * <p>One {@code @Nested} group per resource: delta (a first round, incremental changes and deletions,
 * an expired link, a start from now, several reads in one batch), create, partial update, delete, get, not found, a stale
 * If-Match, throttling, and the resource's container rules; and change-notification subscriptions.
 */
public abstract class MailboxGatewayContract {

  /** The gateway under test, a session for the user, and the model it reads and writes. */
  protected interface Subject extends AutoCloseable {
    MailboxGateway gateway();

    /** A session for the user, with every resource consented. */
    MailboxSession session();

    /** A session for the same user with an app-only token, every resource consented. */
    MailboxSession applicationSession();

    /** The user's tenant in the model (faults are injected there). */
    TenantModel tenant();

    /** The user's mailbox in the model, to seed and to inspect. */
    MailboxModel mailbox();

    /** The user's object id. */
    String userId();

    /** The model's present. */
    Instant now();

    @Override
    default void close() {}
  }

  /** A new tenant with one user signed in for every resource. */
  protected abstract Subject newSubject();

  protected Subject subject;

  @BeforeEach
  void openSubject() {
    subject = newSubject();
  }

  @AfterEach
  void closeSubject() {
    subject.close();
  }

  /** What differs between resources; every test of {@link ItemResource} runs for each. */
  abstract class ItemResource<T extends SyncItem> {
    abstract ResourceType<T> type();

    /** The collection a delta round with no container reads, in the model. */
    abstract ItemCollection<T> readDefault();

    /** The collection a create with no container writes to, in the model. */
    ItemCollection<T> createDefault() {
      return readDefault();
    }

    /** A new item titled {@code title}. */
    abstract T item(String title);

    abstract String title(T item);

    /** The record component {@link #title} reads (what a partial patch names). */
    abstract String titleField();

    abstract T retitled(T item, String title);

    /** Another field, which a patch naming only the title must leave alone; null: none checked. */
    String side(T item) {
      return null;
    }

    T withSide(T item, String value) {
      return item;
    }

    /** A non-default container added to the model; null when the resource has one container only. */
    ItemCollection<T> addContainer(String id) {
      return null;
    }

    /** Whether an item is found by its id alone, whatever container a call names (false: To Do). */
    boolean foundByIdAlone() {
      return true;
    }

    DeltaRequest first(String container, int pageSize) {
      return new DeltaRequest(container, null, null, null, pageSize);
    }

    DeltaRequest next(String container, String cursor) {
      return new DeltaRequest(container, cursor, null, null, 10);
    }

    MailboxGateway gw() {
      return subject.gateway();
    }

    MailboxSession s() {
      return subject.session();
    }

    /** Every page of a round, latest change per id, and the cursor it ends with. */
    Map<String, Change<T>> round(DeltaRequest request, String[] cursorOut) {
      Map<String, Change<T>> changes = new LinkedHashMap<>();
      DeltaRequest r = request;
      for (int pages = 0; pages < 100; pages++) {
        DeltaPage<T> page = gw().delta(s(), type(), r);
        page.changes().forEach(c -> changes.put(c.remoteId(), c));
        if (!page.more()) {
          cursorOut[0] = page.cursor();
          return changes;
        }
        r = next(request.container(), page.cursor());
      }
      throw new AssertionError("a delta round of more than 100 pages");
    }

    /** The change key a first delta round over the create container reports for {@code id}. */
    String changeKeyRead(String id) {
      String container = createDefault() == readDefault() ? null : "drafts";
      Change<T> c = round(first(container, 50), new String[1]).get(id);
      assertTrue(c != null, "a delta round over its container reads " + id);
      return c.changeKey();
    }

    @Test
    void aFirstRoundPagesThroughWhatExistsThenOnlyChangesAndDeletionsFollow() {
      String a = readDefault().create(item("Alpha")).id();
      String b = readDefault().create(item("Bravo")).id();
      String c = readDefault().create(item("Charlie")).id();
      String[] cursor = new String[1];
      Map<String, Change<T>> full = round(first(null, 2), cursor);
      assertEquals(Set.of(a, b, c), full.keySet());
      assertEquals("Bravo", title(full.get(b).item()));
      assertTrue(full.get(b).changeKey() != null, "an upsert carries its change key");

      readDefault().update(a, null, retitled(readDefault().get(a).orElseThrow().item(), "Alpha 2"));
      readDefault().delete(b, null);
      String d = readDefault().create(item("Delta")).id();
      Map<String, Change<T>> later = round(next(null, cursor[0]), cursor);
      assertEquals(Set.of(a, b, d), later.keySet());
      assertEquals(Change.Kind.UPSERT, later.get(a).kind());
      assertEquals("Alpha 2", title(later.get(a).item()));
      assertFalse(later.get(a).changeKey().equals(full.get(a).changeKey()), "a change gets a new change key");
      assertEquals(Change.Kind.DELETE, later.get(b).kind());
      assertEquals("Delta", title(later.get(d).item()));

      assertTrue(round(next(null, cursor[0]), cursor).isEmpty(), "nothing changed since");
    }

    @Test
    void anEvictedDeltaLinkIsSyncStateExpired() {
      readDefault().create(item("Alpha"));
      String[] cursor = new String[1];
      round(first(null, 10), cursor);
      readDefault().evictDeltaTokens();
      assertThrows(SyncStateExpiredException.class, () -> gw().delta(s(), type(), next(null, cursor[0])));
    }

    @Test
    void aBatchReadsEachProbeAsDeltaWouldInOrderWhateverItsSize() {
      readDefault().create(item("Alpha"));
      String[] cursor = new String[1];
      round(first(null, 10), cursor);
      String changedSince = cursor[0];
      String bravo = readDefault().create(item("Bravo")).id();
      round(next(null, changedSince), cursor);
      String quietSince = cursor[0];
      List<DeltaProbe<T>> probes = new ArrayList<>();
      for (int i = 0; i < 21; i++) { // more than one $batch holds
        probes.add(new DeltaProbe<>(i % 3 == 2 ? subject.applicationSession() : s(), type(),
            next(null, i % 2 == 0 ? changedSince : quietSince)));
      }

      List<BatchedDelta<?>> results = gw().deltaBatch(probes);

      assertEquals(probes.size(), results.size());
      for (int i = 0; i < probes.size(); i++) {
        BatchedDelta<?> r = results.get(i);
        assertEquals(probes.get(i), r.probe(), "result " + i + " answers probe " + i);
        assertTrue(r.ok(), "probe " + i + ": " + r.failure());
        assertFalse(r.page().more());
        if (i % 2 == 0) {
          assertEquals(List.of(bravo), r.page().changes().stream().map(Change::remoteId).toList(), "probe " + i);
        } else {
          assertTrue(r.page().changes().isEmpty(), "probe " + i + " read nothing new");
        }
      }
    }

    @Test
    void aFailedProbeIsItsOwnFailureNeverAnEmptyPageAndItsMailboxIsNotAskedAgain() {
      readDefault().create(item("Alpha"));
      String[] cursor = new String[1];
      round(first(null, 10), cursor);
      TenantModel tenant = subject.tenant();
      tenant.addFault(FaultRule.fail(".*", subject.userId(), 1, GraphError.throttled(Duration.ofSeconds(7))));
      tenant.addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, "*", tenant.addGroup("Others", true), "crm");

      List<BatchedDelta<?>> results = gw().deltaBatch(List.of(new DeltaProbe<>(s(), type(), next(null, cursor[0])),
          new DeltaProbe<>(s(), type(), next(null, cursor[0])),
          new DeltaProbe<>(subject.applicationSession(), type(), next(null, cursor[0]))));

      ThrottledException throttled = assertInstanceOf(ThrottledException.class, results.get(0).failure());
      assertEquals(Duration.ofSeconds(7), throttled.retryAfter());
      assertNull(results.get(0).page());
      assertTrue(results.get(1).notSent(), "the mailbox is not asked again under that token: " + results.get(1));
      assertEquals(BatchedDelta.FAILED_DEPENDENCY, results.get(1).failure().status());
      if (type().resource().coveredByAccessPolicies()) {
        assertInstanceOf(AccessDeniedByPolicyException.class, results.get(2).failure());
      } else {
        assertTrue(results.get(2).ok(), "another token's probes are read on their own: " + results.get(2).failure());
        assertTrue(results.get(2).page().changes().isEmpty());
      }
      readDefault().evictDeltaTokens();
      assertInstanceOf(SyncStateExpiredException.class,
          gw().deltaBatch(List.of(new DeltaProbe<>(s(), type(), next(null, cursor[0])))).get(0).failure());
    }

    @Test
    void createGetPartialUpdateAndDeleteAnItem() {
      WriteResult created = gw().create(s(), type(), null, withSide(item("Alpha"), "kept"));
      assertEquals("Alpha", title(createDefault().get(created.remoteId()).orElseThrow().item()),
          "a create with no container lands in the default one");
      assertEquals(changeKeyRead(created.remoteId()), created.changeKey(),
          "a write answers with the change key reads report (how the engine tells its own echo)");
      assertEquals("Alpha", title(gw().get(s(), type(), null, created.remoteId()).orElseThrow()));

      T changed = withSide(retitled(item("Alpha"), "Alpha 2"), "overwritten");
      ItemPatch<T> onlyTitle = new ItemPatch<>(changed, Set.of(titleField()), Set.of());
      WriteResult updated = gw().update(s(), type(), null, created.remoteId(), created.changeKey(), onlyTitle);
      assertEquals(created.remoteId(), updated.remoteId());
      T stored = createDefault().get(created.remoteId()).orElseThrow().item();
      assertEquals("Alpha 2", title(stored));
      assertEquals(side(withSide(item("x"), "kept")), side(stored), "a field the patch does not name is left alone");
      assertEquals(changeKeyRead(created.remoteId()), updated.changeKey());

      gw().delete(s(), type(), null, created.remoteId(), updated.changeKey());
      assertTrue(createDefault().get(created.remoteId()).isEmpty());
      assertTrue(gw().get(s(), type(), null, created.remoteId()).isEmpty(), "a 404 read is empty");
    }

    @Test
    void writesToAGoneItemAreNotFound() {
      String id = createDefault().create(item("Alpha")).id();
      createDefault().delete(id, null);
      ItemPatch<T> patch = ItemPatch.full(item("Alpha 2"));
      assertThrows(ItemNotFoundException.class, () -> gw().update(s(), type(), null, id, null, patch));
      assertThrows(ItemNotFoundException.class, () -> gw().delete(s(), type(), null, id, null));
    }

    @Test
    void aStaleIfMatchIsPreconditionFailedAndChangesNothing() {
      var stale = createDefault().create(item("Alpha"));
      createDefault().update(stale.id(), null, item("Alpha by the user"));
      ItemPatch<T> patch = new ItemPatch<>(item("Alpha by the CRM"), Set.of(titleField()), Set.of());
      assertThrows(PreconditionFailedException.class,
          () -> gw().update(s(), type(), null, stale.id(), stale.changeKey(), patch));
      assertThrows(PreconditionFailedException.class, () -> gw().delete(s(), type(), null, stale.id(), stale.changeKey()));
      assertEquals("Alpha by the user", title(createDefault().get(stale.id()).orElseThrow().item()));
    }

    @Test
    void throttlingIsAThrottledExceptionWithItsRetryAfter() {
      subject.tenant().addFault(FaultRule.fail(".*", subject.userId(), 1, GraphError.throttled(Duration.ofSeconds(7))));
      ThrottledException e = assertThrows(ThrottledException.class, () -> gw().delta(s(), type(), first(null, 10)));
      assertEquals(Duration.ofSeconds(7), e.retryAfter());
      assertEquals(type().resource(), e.resource().orElseThrow());
    }

    @Test
    void itemsOfANamedContainerAreReadAndWrittenThere() {
      ItemCollection<T> other = addContainer("projects");
      if (other == null) {
        return; // one container only
      }
      String seeded = other.create(item("Seeded")).id();
      String[] cursor = new String[1];
      assertEquals(Set.of(seeded), round(first("projects", 10), cursor).keySet(), "a delta round reads the container named");
      WriteResult w = gw().create(s(), type(), "projects", item("Created"));
      assertTrue(other.get(w.remoteId()).isPresent(), "a create lands in the container named");
      assertTrue(createDefault().get(w.remoteId()).isEmpty());

      ItemPatch<T> patch = new ItemPatch<>(item("Created 2"), Set.of(titleField()), Set.of());
      gw().update(s(), type(), "projects", w.remoteId(), null, patch);
      assertEquals("Created 2", title(other.get(w.remoteId()).orElseThrow().item()));
      assertEquals("Created 2", title(gw().get(s(), type(), "projects", w.remoteId()).orElseThrow()));
      if (foundByIdAlone()) {
        ItemPatch<T> again = new ItemPatch<>(item("Created 3"), Set.of(titleField()), Set.of());
        gw().update(s(), type(), null, w.remoteId(), null, again);
        assertEquals("Created 3", title(other.get(w.remoteId()).orElseThrow().item()), "found by its id alone");
      } else {
        assertThrows(ItemNotFoundException.class, () -> gw().update(s(), type(), null, w.remoteId(), null, patch),
            "addressed through its container: not in the default one");
        assertTrue(gw().get(s(), type(), null, w.remoteId()).isEmpty());
        assertThrows(ItemNotFoundException.class, () -> gw().delete(s(), type(), null, w.remoteId(), null));
        assertTrue(other.get(w.remoteId()).isPresent(), "a delete through the wrong container deletes nothing");
      }
      gw().delete(s(), type(), "projects", w.remoteId(), null);
      assertTrue(other.get(w.remoteId()).isEmpty());
    }
  }

  @Nested
  class Events extends ItemResource<CalendarEvent> {
    @Override
    ResourceType<CalendarEvent> type() {
      return ResourceType.EVENTS;
    }

    @Override
    ItemCollection<CalendarEvent> readDefault() {
      return subject.mailbox().calendar();
    }

    @Override
    CalendarEvent item(String title) {
      Instant start = subject.now().plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.HOURS);
      return CalendarEvent.simple(title, start, start.plus(Duration.ofHours(1)));
    }

    @Override
    String title(CalendarEvent item) {
      return item.subject();
    }

    @Override
    String titleField() {
      return "subject";
    }

    @Override
    CalendarEvent retitled(CalendarEvent item, String title) {
      return item.withSubject(title);
    }

    @Override
    String side(CalendarEvent item) {
      return item.location();
    }

    @Override
    CalendarEvent withSide(CalendarEvent item, String value) {
      return item.withLocation(value);
    }

    @Override
    DeltaRequest first(String container, int pageSize) {
      Instant now = subject.now();
      return new DeltaRequest(container, null, now.minus(Duration.ofDays(30)), now.plus(Duration.ofDays(30)), pageSize);
    }

    /**
     * Any sub-window of the calendar is a delta chain of its own (how a large calendar is read in
     * slices): its first round lists the events overlapping it (one spanning two windows is in both),
     * and its link then brings what changed in it, never an upsert of an event outside it.
     */
    @Test
    void eachSubWindowIsADeltaChainOfItsOwn() {
      Instant now = subject.now().truncatedTo(ChronoUnit.HOURS);
      Instant mid = now.plus(Duration.ofDays(10));
      String a = readDefault().create(CalendarEvent.simple("Early", now.plus(Duration.ofDays(2)),
          now.plus(Duration.ofDays(2)).plus(Duration.ofHours(1)))).id();
      String b = readDefault().create(CalendarEvent.simple("Late", now.plus(Duration.ofDays(20)),
          now.plus(Duration.ofDays(20)).plus(Duration.ofHours(1)))).id();
      String spanning = readDefault().create(CalendarEvent.simple("Across", mid.minus(Duration.ofHours(1)),
          mid.plus(Duration.ofHours(1)))).id();
      String[] earlyLink = new String[1];
      String[] lateLink = new String[1];

      assertEquals(Set.of(a, spanning), round(new DeltaRequest(null, null, now.minus(Duration.ofDays(30)), mid, 2),
          earlyLink).keySet());
      assertEquals(Set.of(b, spanning), round(new DeltaRequest(null, null, mid, now.plus(Duration.ofDays(30)), 2),
          lateLink).keySet());

      readDefault().update(b, null, readDefault().get(b).orElseThrow().item().withSubject("Late, moved room"));
      Map<String, Change<CalendarEvent>> late = round(next(null, lateLink[0]), lateLink);
      assertEquals(Change.Kind.UPSERT, late.get(b).kind());
      assertEquals("Late, moved room", late.get(b).item().subject());
      Change<CalendarEvent> early = round(next(null, earlyLink[0]), earlyLink).get(b);
      assertTrue(early == null || early.kind() == Change.Kind.DELETE, "a change outside the window is no upsert in it");
    }

    /** A meeting moved out of the calendar view window reads as removed, yet is still there by id. */
    @Test
    void anEventMovedOutOfTheWindowReadsAsRemovedButIsStillThere() {
      String id = readDefault().create(item("Review")).id();
      String[] cursor = new String[1];
      round(first(null, 10), cursor);
      Instant far = subject.now().plus(Duration.ofDays(400));
      readDefault().update(id, null, readDefault().get(id).orElseThrow().item().withTimes(far, far.plus(Duration.ofHours(1))));
      assertEquals(Change.Kind.DELETE, round(next(null, cursor[0]), cursor).get(id).kind());
      assertEquals(far, gw().get(s(), type(), null, id).orElseThrow().start());
    }
  }

  @Nested
  class Contacts extends ItemResource<Contact> {
    @Override
    ResourceType<Contact> type() {
      return ResourceType.CONTACTS;
    }

    @Override
    ItemCollection<Contact> readDefault() {
      return subject.mailbox().contacts();
    }

    @Override
    Contact item(String title) {
      return Contact.of("Ann", title, "ann@example.org");
    }

    @Override
    String title(Contact item) {
      return item.surname();
    }

    @Override
    String titleField() {
      return "surname";
    }

    @Override
    Contact retitled(Contact item, String title) {
      return item.withSurname(title);
    }

    @Override
    String side(Contact item) {
      return item.jobTitle();
    }

    @Override
    Contact withSide(Contact c, String value) {
      return new Contact(c.givenName(), c.surname(), c.displayName(), c.emailAddresses(), c.phones(), c.companyName(),
          value, c.extensions());
    }

    @Override
    ItemCollection<Contact> addContainer(String id) {
      return subject.mailbox().addContactFolder(id);
    }
  }

  @Nested
  class Mail extends ItemResource<MailMessage> {
    @Override
    ResourceType<MailMessage> type() {
      return ResourceType.MAIL;
    }

    @Override
    ItemCollection<MailMessage> readDefault() {
      return subject.mailbox().mail(null);
    }

    /** A message created through Graph is a draft. */
    @Override
    ItemCollection<MailMessage> createDefault() {
      return subject.mailbox().mail("drafts");
    }

    @Override
    MailMessage item(String title) {
      return MailMessage.of(title, "bob@example.org", "amy@example.org", subject.now().truncatedTo(ChronoUnit.SECONDS),
          "<" + title.replace(' ', '-') + "@example.org>");
    }

    @Override
    String title(MailMessage item) {
      return item.subject();
    }

    @Override
    String titleField() {
      return "subject";
    }

    @Override
    MailMessage retitled(MailMessage m, String title) {
      return new MailMessage(title, m.from(), m.to(), m.cc(), m.receivedAt(), m.bodyPreview(), m.internetMessageId(),
          m.folderId(), m.attachments(), m.extensions());
    }

    @Override
    ItemCollection<MailMessage> addContainer(String id) {
      return subject.mailbox().addMailFolder(id);
    }
  }

  @Nested
  class Tasks extends ItemResource<TodoTask> {
    @Override
    ResourceType<TodoTask> type() {
      return ResourceType.TASKS;
    }

    @Override
    ItemCollection<TodoTask> readDefault() {
      return subject.mailbox().tasks();
    }

    @Override
    TodoTask item(String title) {
      return TodoTask.of(title, subject.now().plus(Duration.ofDays(3)).truncatedTo(ChronoUnit.DAYS));
    }

    @Override
    String title(TodoTask item) {
      return item.title();
    }

    @Override
    String titleField() {
      return "title";
    }

    @Override
    TodoTask retitled(TodoTask t, String title) {
      return new TodoTask(title, t.body(), t.status(), t.due(), t.importance(), t.completedAt(), t.extensions());
    }

    @Override
    String side(TodoTask item) {
      return item.importance();
    }

    @Override
    TodoTask withSide(TodoTask t, String value) {
      return new TodoTask(t.title(), t.body(), t.status(), t.due(), "kept".equals(value) ? "high" : "low",
          t.completedAt(), t.extensions());
    }

    @Override
    ItemCollection<TodoTask> addContainer(String id) {
      return subject.mailbox().addTaskList(id);
    }

    /** Graph addresses a task only through its list. */
    @Override
    boolean foundByIdAlone() {
      return false;
    }
  }

  /**
   * Change-notification subscriptions: each resource's default collection (the one reads use) or a
   * named container, the expiry capped at the resource's maximum, renew and delete, a change in the
   * watched collection notified, an application access policy's 403 as for reads.
   */
  @Nested
  class Subscriptions {
    private final RecordingWebhook hook = new RecordingWebhook();

    @AfterEach
    void closeHook() {
      hook.close();
    }

    private RemoteSubscription create(ResourceType<?> type, String container) {
      return subject.gateway().createSubscription(subject.session(), type, container, hook.url(), hook.lifecycleUrl(),
          "client-state", subject.now().plus(Duration.ofDays(30)));
    }

    private ModelSubscription model(RemoteSubscription s) {
      return subject.tenant().subscriptions().find(s.id()).orElseThrow();
    }

    @Test
    void eachResourceIsWatchedInItsDefaultCollectionForAtMostItsMaximumLifetime() {
      Map<ResourceType<?>, String> defaults = new LinkedHashMap<>();
      defaults.put(ResourceType.EVENTS, null);
      defaults.put(ResourceType.CONTACTS, MailboxModel.DEFAULT_CONTACTS);
      defaults.put(ResourceType.MAIL, "inbox");
      defaults.put(ResourceType.TASKS, MailboxModel.DEFAULT_TASK_LIST);
      defaults.forEach((type, container) -> {
        RemoteSubscription s = create(type, null);
        ModelSubscription m = model(s);
        assertEquals(type.resource(), m.target().resource());
        assertEquals(container, m.target().container());
        assertEquals(subject.userId(), m.userId());
        Instant max = subject.now().plus(SubscriptionModel.maxLifetime(type.resource()));
        assertFalse(s.expiresAt().isAfter(max), s + " beyond " + max);
        assertTrue(s.expiresAt().isAfter(max.minusSeconds(2)), s + " well before " + max);
      });
    }

    @Test
    void aNamedContainerIsWatched() {
      subject.mailbox().addTaskList("work");
      assertEquals("work", model(create(ResourceType.TASKS, "work")).target().container());
      assertEquals(MailboxModel.DEFAULT_TASK_LIST, model(create(ResourceType.TASKS, "")).target().container());
    }

    @Test
    void aChangeInTheWatchedCollectionIsNotified() {
      RemoteSubscription s = create(ResourceType.CONTACTS, null);
      String id = subject.mailbox().contacts().create(Contact.of("Ann", "Lee", "ann@example.com")).id();
      assertTrue(subject.tenant().subscriptions().emitted().stream().anyMatch(n -> n.subscriptionId().equals(s.id())
          && "created".equals(n.changeType()) && id.equals(n.itemId()) && "client-state".equals(n.clientState())));
    }

    @Test
    void renewThenDelete() {
      RemoteSubscription s = create(ResourceType.EVENTS, null);
      Instant later = subject.now().plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);

      RemoteSubscription renewed = subject.gateway().renewSubscription(subject.session(), s.id(), later);
      assertEquals(s.id(), renewed.id());
      assertEquals(later, renewed.expiresAt());
      assertEquals(later, model(s).expiresAt());

      subject.gateway().deleteSubscription(subject.session(), s.id());
      assertTrue(subject.tenant().subscriptions().find(s.id()).isEmpty());
      assertThrows(ItemNotFoundException.class, () -> subject.gateway().deleteSubscription(subject.session(), s.id()));
      assertThrows(ItemNotFoundException.class, () -> subject.gateway().renewSubscription(subject.session(), s.id(), later));
    }

    @Test
    void anApplicationAccessPolicyDenyingTheMailboxIsAccessDeniedByPolicy() {
      TenantModel tenant = subject.tenant();
      tenant.addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, "*", tenant.addGroup("Others", true), "crm");
      assertThrows(AccessDeniedByPolicyException.class, () -> subject.gateway().createSubscription(
          subject.applicationSession(), ResourceType.CONTACTS, null, hook.url(), null, "s", subject.now().plus(Duration.ofDays(1))));
      assertTrue(tenant.subscriptions().ofUser(subject.userId()).isEmpty());
    }

    @Test
    void mailboxSettingsHaveNoSubscriptions() {
      assertThrows(IllegalArgumentException.class, () -> create(ResourceType.MAILBOX_SETTINGS, null));
    }
  }
}

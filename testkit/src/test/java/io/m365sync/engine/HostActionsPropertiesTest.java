package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.NotEnrolledException;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.model.TodoTask;
import io.m365sync.sync.MailboxSettingsOptions;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.AccessPolicy;
import io.m365sync.testkit.model.ModelGroup;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The engine's promises under random host actions over a small tenant (four users with events,
 * contacts, To Do tasks and mailbox settings; a RestrictAccess policy whose group holds two of them):
 * enroll, unenroll, syncMailbox, syncIfDue, runCycle, application mode on and off, moves in and out of
 * the policy group, clock jumps up to 120 days, delta-link evictions (410), and unenroll racing a round
 * that runs on another thread. After every step ({@link HostActionWitness}): no Graph request for a
 * mailbox while it is not enrolled (a round in flight when unenroll is called may go on only until
 * unenroll returns), no app-only 200 for a user outside the policy scope after propagation, at most one
 * 403 probe per user per access-decision TTL, no CRM or state write after unenroll returned, no state
 * row left for an unenrolled mailbox, never two rounds of one mailbox at once. Half the histories run
 * with change notifications (idle resources push-fed), half without, where every cycle first probes
 * the idle resources' delta links in batches (the probes are watched like every other request).
 */
class HostActionsPropertiesTest {
  private static final int USERS = 4;
  private static final Duration PROPAGATION = Duration.ofMinutes(30);
  private static final List<Resource> RESOURCES =
      List.of(Resource.EVENTS, Resource.CONTACTS, Resource.TASKS, Resource.MAILBOX_SETTINGS);
  /** Where racing host calls run (a round, and the helper that lets it go once unenroll waits). */
  private static final ExecutorService HOST_THREADS = daemonPool("host", 2);
  /** The engine's executor for runCycle. */
  private static final ExecutorService ROUND_THREADS = daemonPool("round", 2);

  sealed interface Step permits Enroll, Unenroll, SyncMailbox, SyncIfDue, RunCycle, AppMode, Move, Jump, Evict,
      Change, Race, Parallel {}

  /** The user signs in to the add-in for these resources. */
  record Enroll(int user, Set<Resource> resources) implements Step {}

  /** Unenrolls the user-th enrolled user (mod their number), or the user-th user when none is enrolled. */
  record Unenroll(int user) implements Step {}

  record SyncMailbox(int user) implements Step {}

  record SyncIfDue(int user) implements Step {}

  record RunCycle() implements Step {}

  /** The tenant admin turns application permission on or off. */
  record AppMode(boolean on) implements Step {}

  /** The user moves in or out of the policy's scope group. */
  record Move(int user) implements Step {}

  record Jump(Duration by) implements Step {}

  /** Graph forgets the user's delta links: the next rounds get 410 and start over. */
  record Evict(int user) implements Step {}

  /** A new contact and task in the user's mailbox, so later rounds write to the CRM. */
  record Change(int user) implements Step {}

  enum Entry { SYNC_MAILBOX, SYNC_IF_DUE, RUN_CYCLE }

  /**
   * A round (through {@code entry}) runs on another thread while the host unenrolls the user on this
   * one (the user-th enrolled user, as {@link Unenroll} picks). With {@code pauseAt} > 0 the round is held at its pauseAt-th gateway or CRM call, then let go
   * either before unenroll is called or ({@code stopFirst}) once unenroll waits for the mailbox.
   */
  record Race(int user, Entry entry, int pauseAt, boolean stopFirst) implements Step {}

  /** runCycle on another thread while the host syncs the user's mailbox on this one. */
  record Parallel(int user) implements Step {}

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Integer> user = Arbitraries.integers().between(0, USERS - 1);
    Arbitrary<Set<Resource>> resources = Arbitraries.integers().between(1, 15).map(mask -> {
      Set<Resource> set = EnumSet.noneOf(Resource.class);
      for (int i = 0; i < RESOURCES.size(); i++) {
        if ((mask & (1 << i)) != 0) {
          set.add(RESOURCES.get(i));
        }
      }
      return set;
    });
    Arbitrary<Duration> jump = Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.integers().between(1, 59).map(Duration::ofMinutes)),
        Tuple.of(3, Arbitraries.integers().between(1, 48).map(Duration::ofHours)),
        Tuple.of(2, Arbitraries.integers().between(1, 120).map(Duration::ofDays)));
    Arbitrary<Step> race = Combinators.combine(user, Arbitraries.of(Entry.class), Arbitraries.integers().between(0, 5),
        Arbitraries.of(true, false)).as(Race::new);
    Arbitrary<Step> step = Arbitraries.frequencyOf(
        weighted(4, Combinators.combine(user, resources).as(Enroll::new)),
        weighted(1, user.map(Unenroll::new)),
        weighted(3, user.map(SyncMailbox::new)),
        weighted(1, user.map(SyncIfDue::new)),
        weighted(3, Arbitraries.just(new RunCycle())),
        weighted(1, Arbitraries.of(true, false).map(AppMode::new)),
        weighted(2, user.map(Move::new)),
        weighted(3, jump.map(Jump::new)),
        weighted(1, user.map(Evict::new)),
        weighted(1, user.map(Change::new)),
        weighted(3, race),
        weighted(1, user.map(Parallel::new)));
    // most histories start with some users signed in, so that rounds have work from the first step
    Arbitrary<List<Step>> signIns = Arbitraries.subsetOf(0, 1, 2, 3).flatMap(users -> Combinators.combine(
        users.stream().sorted().map(u -> resources.map(r -> (Step) new Enroll(u, r))).toList()).as(List::copyOf));
    return Combinators.combine(signIns, step.list().ofMaxSize(20)).as((first, then) -> {
      List<Step> all = new ArrayList<>(first);
      all.addAll(then);
      return all;
    });
  }

  private static Tuple.Tuple2<Integer, Arbitrary<? extends Step>> weighted(int w, Arbitrary<? extends Step> a) {
    return Tuple.of(w, a);
  }

  // seed pinned so that CI runs the same 1,000 histories; the threads still interleave as they will,
  // so drop the seed locally to explore, and pin a failure as a deterministic example test
  @Property(tries = 1000, seed = "4108473305919260471")
  void theEngineKeepsItsPromisesWhateverTheHostDoes(@ForAll("histories") List<Step> history,
                                                     @ForAll boolean notifications) throws Exception {
    World w = new World(notifications);
    for (int i = 0; i < history.size(); i++) {
      w.m365.clock().advance(Duration.ofSeconds(1)); // each step at its own instant: no thread runs now
      w.apply(history.get(i));
      w.witness.scan();
      assertThat(w.witness.violations()).as("after step %d of %s", i, history).isEmpty();
    }
    // the idle probe must be in play: cycles of idle mailboxes without notifications read their links in batches
    Statistics.label("idle probe batches sent").collect(w.gateway.batches.get() > 0);
    Statistics.label("idle probe batches sent").coverage(c -> c.check(true).percentage(p -> p >= 5));
    for (int u = 0; u < USERS; u++) {
      MailboxId id = w.id(u);
      if (!w.witness.isEnrolled(id)) {
        assertThat(w.store.leftovers(id)).as("state left for unenrolled %s after %s", id, history).isEmpty();
      }
    }
  }

  /** The tenant, the engine wired to watched fakes, and the host's actions on them. */
  private static final class World {
    final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    final List<ModelUser> users = new ArrayList<>();
    final ModelGroup group;
    final HostActionWitness witness;
    final Watched.Store store;
    final Watched.Gateway gateway;
    final SyncEngine engine;

    /** With change notifications, idle resources are push-fed; without, cycles probe them in batches first. */
    World(boolean notifications) {
      m365.tenant().policyPropagationDelay(PROPAGATION);
      Instant now = m365.clock().instant();
      for (int u = 0; u < USERS; u++) {
        ModelUser user = m365.addUser("user" + u);
        users.add(user);
        for (int i = 1; i <= 2; i++) {
          m365.mailbox(user).calendar().create(CalendarEvent.simple("meeting " + i, now.plus(Duration.ofDays(i)),
              now.plus(Duration.ofDays(i)).plus(Duration.ofHours(1))));
          m365.mailbox(user).contacts().create(Contact.of("Ada" + i, "Lovelace", "ada" + i + ".user" + u + "@example.com"));
          m365.mailbox(user).tasks().create(TodoTask.of("call back " + i, now.plus(Duration.ofDays(i))));
        }
      }
      group = m365.tenant().addGroup("crm-sync", true).add(users.get(0)).add(users.get(1));
      m365.tenant().addAccessPolicy(AccessPolicy.AccessRight.RESTRICT_ACCESS, FakeMicrosoft365.CLIENT_ID, group,
          "CRM sync may reach crm-sync only");
      m365.clock().advance(PROPAGATION.plusMinutes(1)); // in force from the first step; group moves still wait
      m365.grantApplicationPermissions(RESOURCES.toArray(Resource[]::new));
      // a round reads its resources at once; one Graph request of a mailbox in flight at a time lets the
      // stop promise be checked to the request (see Race)
      SyncOptions options = SyncOptions.defaults().withPageSize(2).withMaxRequestsPerMailbox(1);
      witness = new HostActionWitness(m365.cloud().log(), m365.clock(), PROPAGATION, options.accessDecisionTtl(), now);
      for (int u = 0; u < USERS; u++) {
        witness.member(users.get(u).objectId(), u < 2);
      }
      store = new Watched.Store(witness);
      gateway = new Watched.Gateway(m365.gateway(), witness);
      SyncEngine.Builder builder = SyncEngine.builder().clock(m365.clock()).executor(ROUND_THREADS).stateStore(store)
          .gateway(gateway)
          .delegatedTokens(m365.delegatedTokens()).applicationTokens(m365.applicationTokens())
          .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, new Watched.Crm<>(new InMemoryCrmStore<>("event"), witness)))
          .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, new Watched.Crm<>(new InMemoryCrmStore<>("contact"), witness)))
          .resource(ResourceSyncers.oneWay(ResourceType.TASKS, new Watched.Crm<>(new InMemoryCrmStore<>("task"), witness)))
          .resource(ResourceSyncers.mailboxSettings(new Watched.Crm<>(new InMemoryCrmStore<>("settings"), witness),
              MailboxSettingsOptions.defaults()))
          .listener(witness).options(options);
      if (notifications) {
        // subscriptions go through the same gate and policy as reads: the witness checks them too
        builder.changeNotifications(io.m365sync.notify.ChangeNotifications.to(
            java.net.URI.create("https://crm.example.com/m365sync/notifications")));
      }
      engine = builder.build();
      if (notifications) {
        m365.deliverNotificationsTo(engine.notificationReceiver());
      }
      engine.setApplicationPermissionEnabled(m365.tenantId(), true);
    }

    MailboxId id(int user) {
      return m365.mailboxId(users.get(user));
    }

    /** Most unenrolls are of an enrolled user: unenrolling a stranger is allowed, but there is less to watch. */
    int enrolledUser(int k) {
      List<Integer> enrolled = java.util.stream.IntStream.range(0, USERS).filter(u -> witness.isEnrolled(id(u))).boxed().toList();
      return enrolled.isEmpty() ? k : enrolled.get(k % enrolled.size());
    }

    void apply(Step s) throws Exception {
      if (s instanceof Enroll e) {
        Mailbox mailbox = m365.signIn(users.get(e.user()), e.resources());
        witness.enrolling(mailbox.id());
        engine.enroll(mailbox);
        witness.enrolled(mailbox.id());
      } else if (s instanceof Unenroll u) {
        unenroll(id(enrolledUser(u.user())));
      } else if (s instanceof SyncMailbox sm) {
        host(() -> engine.syncMailbox(id(sm.user())));
      } else if (s instanceof SyncIfDue sd) {
        host(() -> engine.syncIfDue(id(sd.user())));
      } else if (s instanceof RunCycle) {
        engine.runCycle();
      } else if (s instanceof AppMode a) {
        engine.setApplicationPermissionEnabled(m365.tenantId(), a.on());
      } else if (s instanceof Move mv) {
        ModelUser user = users.get(mv.user());
        boolean in = group.memberIds().contains(user.objectId());
        if (in) {
          group.remove(user.objectId());
        } else {
          group.add(user);
        }
        witness.member(user.objectId(), !in);
      } else if (s instanceof Jump j) {
        m365.clock().advance(j.by());
      } else if (s instanceof Evict ev) {
        ModelUser user = users.get(ev.user());
        m365.mailbox(user).calendar().evictDeltaTokens();
        m365.mailbox(user).contacts().evictDeltaTokens();
        m365.mailbox(user).tasks().evictDeltaTokens();
      } else if (s instanceof Change c) {
        ModelUser user = users.get(c.user());
        int n = m365.mailbox(user).contacts().size() + 1;
        m365.mailbox(user).contacts().create(Contact.of("New" + n, "Contact", "new" + n + "@example.com"));
        m365.mailbox(user).tasks().create(TodoTask.of("follow up " + n, m365.clock().instant().plus(Duration.ofDays(3))));
      } else if (s instanceof Race r) {
        race(r);
      } else if (s instanceof Parallel p) {
        Future<?> cycle = HOST_THREADS.submit(engine::runCycle);
        host(() -> engine.syncMailbox(id(p.user())));
        join(cycle);
      }
    }

    private void unenroll(MailboxId id) {
      engine.unenroll(id);
      witness.unenrolled(id);
      List<String> left = store.leftovers(id);
      if (!left.isEmpty()) {
        witness.violation("state left for " + id + " after unenroll returned: " + left);
      }
    }

    private void race(Race r) throws Exception {
      MailboxId id = id(enrolledUser(r.user()));
      HostActionWitness.Pause pause = r.pauseAt() > 0 ? new HostActionWitness.Pause(id, r.pauseAt()) : null;
      witness.pause = pause;
      Future<?> round = HOST_THREADS.submit(() -> {
        switch (r.entry()) {
          case SYNC_MAILBOX -> host(() -> engine.syncMailbox(id));
          case SYNC_IF_DUE -> host(() -> engine.syncIfDue(id));
          case RUN_CYCLE -> engine.runCycle();
        }
        return null;
      });
      Future<?> release = null;
      AtomicInteger stoppedAt = new AtomicInteger(-1);
      AtomicBoolean unenrolled = new AtomicBoolean();
      if (pause != null) {
        // the round reaches its pause point, or ends short of it
        while (!pause.reached.await(1, TimeUnit.MILLISECONDS) && !round.isDone()) {
          Thread.onSpinWait();
        }
        if (r.stopFirst() && pause.reached.getCount() == 0) {
          Thread hostThread = Thread.currentThread();
          release = HOST_THREADS.submit(() -> {
            // parked on the mailbox's lock: unenroll has raised the stop flag, the round must see it
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (hostThread.getState() != Thread.State.WAITING && !unenrolled.get() && System.nanoTime() < deadline) {
              Thread.yield();
            }
            if (hostThread.getState() == Thread.State.WAITING && !unenrolled.get()) {
              stoppedAt.set(m365.cloud().log().all().size());
            }
            pause.go.countDown();
          });
        } else {
          pause.go.countDown();
        }
      }
      try {
        unenroll(id);
        unenrolled.set(true);
      } finally {
        if (pause != null) {
          pause.go.countDown();
        }
        join(round);
        if (release != null) {
          join(release);
        }
        witness.pause = null;
      }
      if (stoppedAt.get() >= 0 && pause.reached.getCount() == 0) {
        // the promise: unenroll stops a round in flight before its next Graph request. The request in flight
        // when the stop was raised may still land (the held one, or another resource's while a CRM call
        // was held): with one request slot per mailbox, that is at most one
        List<RecordedRequest> after = m365.cloud().log().all();
        long sent = after.subList(stoppedAt.get(), after.size()).stream()
            .filter(q -> q.isGraph() && id.userObjectId().equals(q.targetUserId()))
            // unenroll itself deletes the mailbox's subscriptions, still enrolled and under the lock
            .filter(q -> !q.operation().startsWith("DELETE /subscriptions/")).count();
        // one request of another resource may be in flight beside a held CRM call; a held batch carries its steps
        if (sent > Math.max(1, pause.heldRequests)) {
          witness.violation(sent + " Graph requests for " + id + " after unenroll stopped its round"
              + (pause.heldGraphCall ? " (" + pause.heldRequests + " were in flight)" : ""));
        }
      }
    }

    /** A host call; a mailbox that is not enrolled is refused, which is right. */
    private static void host(Runnable call) {
      try {
        call.run();
      } catch (NotEnrolledException refused) {
        // no request was sent: the log witnesses that
      }
    }

    private static void join(Future<?> f) throws InterruptedException, ExecutionException {
      try {
        f.get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new AssertionError("a round on another thread did not finish in 30 s", e);
      }
    }
  }

  private static ExecutorService daemonPool(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "props-" + name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }
}

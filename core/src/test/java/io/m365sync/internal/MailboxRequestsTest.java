package io.m365sync.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.access.AccessDecision;
import io.m365sync.auth.AccessToken;
import io.m365sync.gateway.AccessDeniedByPolicyException;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.ThrottledException;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.FencedOutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MailboxRequestsTest {
  static final Mailbox MAILBOX = new Mailbox(MailboxId.of("contoso", "alice"), "alice@contoso.com", "crm-alice",
      Instant.parse("2026-01-01T00:00:00Z"), Set.of(Resource.EVENTS));
  static final MailboxSession APP = session(AuthMode.APPLICATION);
  static final MailboxSession DELEGATED = session(AuthMode.DELEGATED);
  static final DeltaRequest FIRST_PAGE = new DeltaRequest(null, null, null, null, 100);

  final Graph graph = new Graph();
  final AtomicBoolean stopped = new AtomicBoolean();
  final AtomicReference<AccessDecision> access = new AtomicReference<>();

  /** A round's requests with {@code slots} of its own, reads sent once (a direct executor). */
  MailboxRequests requests(int slots) {
    return new MailboxRequests(new Semaphore(slots), () -> () -> { }, new HedgedReads(Runnable::run), () -> 1,
        stopped::get, access::get);
  }

  @Test
  void neverMoreRequestsInFlightThanTheSlots() throws Exception {
    MailboxRequests requests = requests(2);
    graph.hold = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<?>> sent = new ArrayList<>();
      CountDownLatch started = new CountDownLatch(6);
      for (int i = 0; i < 6; i++) {
        // each caller its own view, as each resource of a round has
        MailboxGateway resource = requests.around(graph);
        sent.add(pool.submit(() -> {
          started.countDown();
          return resource.delta(DELEGATED, ResourceType.EVENTS, FIRST_PAGE);
        }));
      }
      assertThat(graph.twoInFlight.await(10, TimeUnit.SECONDS)).isTrue();
      started.await(10, TimeUnit.SECONDS);
      // give the other four a moment to get through if nothing held them back
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
      while (graph.calls.get() < 6 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(graph.calls.get()).as("requests let through while two are out").isEqualTo(2);
      graph.hold.countDown();
      for (Future<?> f : sent) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(graph.peak.get()).isEqualTo(2);
    assertThat(graph.calls.get()).isEqualTo(6);
  }

  @Test
  void aLateReadIsSentAgainOnlyOnceTheEngineRunsHalfItsRoundsOrFewerAndSoonerBelowAQuarter() {
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      HedgedReads reads = new HedgedReads(pool);
      for (int i = 0; i < HedgedReads.MIN_SAMPLES; i++) { // most answers within 150 ms, the tail's after 2 s
        reads.answered(TimeUnit.MILLISECONDS.toNanos(i < HedgedReads.MIN_SAMPLES * 4 / 5 ? 150 : 2_000));
      }
      // the round's share of the engine: all of it busy, half of it busy, a quarter of it busy
      for (int share : new int[] {1, 2, MailboxRequests.EARLY_SHARE}) {
        graph.calls.set(0);
        graph.late.set(1); // the read's first request answers after a second: later than most, before the tail
        MailboxRequests requests = new MailboxRequests(new Semaphore(4), () -> () -> { }, reads, () -> share,
            stopped::get, access::get);

        requests.around(graph).delta(APP, ResourceType.EVENTS, FIRST_PAGE);

        assertThat(graph.calls).as("requests sent at share %d", share)
            .hasValue(share < MailboxRequests.EARLY_SHARE ? 1 : 2);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void after429EveryLaterRequestOfTheRoundIsRefusedWithItsRetryAfterWithoutBeingSent() {
    MailboxRequests requests = requests(4);
    ThrottledException graphs = new ThrottledException("too many", MAILBOX.id(), Resource.CONTACTS, 429,
        "TooManyRequests", "r-1", Duration.ofSeconds(30), null);
    graph.fail = graphs;

    assertThatThrownBy(() -> requests.around(graph).delta(APP, ResourceType.CONTACTS, FIRST_PAGE)).isSameAs(graphs);
    graph.fail = null;
    assertThatThrownBy(() -> requests.around(graph).delta(DELEGATED, ResourceType.EVENTS, FIRST_PAGE))
        .isInstanceOfSatisfying(ThrottledException.class, e -> {
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30));
          assertThat(e.getCause()).isSameAs(graphs);
        });
    assertThat(graph.calls.get()).isEqualTo(1);
  }

  @Test
  void afterADenyAppOnlyRequestsAreRefusedAndDelegatedOnesGoOn() {
    MailboxRequests requests = requests(4);
    MailboxGateway gateway = requests.around(graph);
    gateway.delta(APP, ResourceType.EVENTS, FIRST_PAGE);

    access.set(AccessDecision.deny("ErrorAccessDenied", "a policy", "live-probe"));

    assertThatThrownBy(() -> gateway.delta(APP, ResourceType.EVENTS, FIRST_PAGE))
        .isInstanceOfSatisfying(AccessDeniedByPolicyException.class, e -> assertThat(e.code()).isEqualTo("ErrorAccessDenied"));
    gateway.delta(DELEGATED, ResourceType.EVENTS, FIRST_PAGE);
    assertThat(graph.calls.get()).isEqualTo(2);
  }

  @Test
  void appOnlyRequestsGoOneAtATimeUntilOneToAScopedResourceSucceeded() throws Exception {
    MailboxRequests requests = requests(4);
    graph.hold = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> first = pool.submit(() -> requests.around(graph).delta(APP, ResourceType.EVENTS, FIRST_PAGE));
      assertThat(graph.oneInFlight.await(10, TimeUnit.SECONDS)).isTrue();
      Future<?> second = pool.submit(() -> requests.around(graph).delta(APP, ResourceType.CONTACTS, FIRST_PAGE));
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
      while (graph.calls.get() < 2 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(graph.calls.get()).as("a second app-only probe while the first is out").isEqualTo(1);
      graph.hold.countDown();
      first.get(10, TimeUnit.SECONDS);
      second.get(10, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    // confirmed: app-only requests now run side by side
    graph.hold = null;
    requests.around(graph).delta(APP, ResourceType.MAIL, FIRST_PAGE);
    assertThat(graph.calls.get()).isEqualTo(3);
  }

  @Test
  void oneDeniedAppOnlyRequestRefusesTheRoundsLaterOnesBeforeTheRoundHandledIt() {
    MailboxRequests requests = requests(4);
    AccessDeniedByPolicyException denied = new AccessDeniedByPolicyException("Access to OData is disabled", MAILBOX.id(),
        Resource.EVENTS, 403, "ErrorAccessDenied", "r-2", null);
    graph.fail = denied;
    assertThatThrownBy(() -> requests.around(graph).delta(APP, ResourceType.EVENTS, FIRST_PAGE)).isSameAs(denied);
    graph.fail = null;

    assertThatThrownBy(() -> requests.around(graph).delta(APP, ResourceType.CONTACTS, FIRST_PAGE))
        .isInstanceOfSatisfying(AccessDeniedByPolicyException.class, e -> assertThat(e.code()).isEqualTo("ErrorAccessDenied"));
    requests.around(graph).delta(DELEGATED, ResourceType.CONTACTS, FIRST_PAGE);
    assertThat(graph.calls.get()).isEqualTo(2);
  }

  @Test
  void aStoppedRoundSendsNothing() {
    MailboxRequests requests = requests(4);
    stopped.set(true);

    assertThatThrownBy(() -> requests.around(graph).delta(DELEGATED, ResourceType.EVENTS, FIRST_PAGE))
        .isInstanceOf(FencedOutException.class);
    assertThat(graph.calls.get()).isZero();
  }

  private static MailboxSession session(AuthMode mode) {
    return new MailboxSession(MAILBOX, new AccessToken("t-" + mode, Instant.parse("2026-01-01T01:00:00Z"), mode, Set.of()));
  }

  /** Graph as the round sees it: counts what reaches it, can hold answers back or fail. */
  static final class Graph implements MailboxGateway {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();
    final CountDownLatch oneInFlight = new CountDownLatch(1);
    final CountDownLatch twoInFlight = new CountDownLatch(2);
    volatile CountDownLatch hold;
    volatile RuntimeException fail;
    /** Calls still to come that answer after a second. */
    final AtomicInteger late = new AtomicInteger();

    @Override
    public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
      calls.incrementAndGet();
      peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      oneInFlight.countDown();
      twoInFlight.countDown();
      try {
        if (fail != null) {
          throw fail;
        }
        if (hold != null) {
          hold.await(10, TimeUnit.SECONDS);
        }
        if (late.getAndDecrement() > 0) {
          Thread.sleep(1_000);
        }
        return new DeltaPage<>(List.of(), "cursor", false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public <T extends SyncItem> Optional<T> get(MailboxSession session, ResourceType<T> type, String container, String remoteId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T extends SyncItem> WriteResult create(MailboxSession session, ResourceType<T> type, String container, T item) {
      throw new UnsupportedOperationException();
    }

    @Override
    public <T extends SyncItem> WriteResult update(MailboxSession session, ResourceType<T> type, String container,
                                                   String remoteId, String ifMatch, ItemPatch<T> patch) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void delete(MailboxSession session, ResourceType<?> type, String container, String remoteId, String ifMatch) {
      throw new UnsupportedOperationException();
    }
  }
}

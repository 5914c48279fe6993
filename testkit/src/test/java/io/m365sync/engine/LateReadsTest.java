package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.ForwardingGateway;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.MailboxModel;
import io.m365sync.testkit.model.ModelUser;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A read whose answer is late is sent again and the round goes on with the copy's answer, while the
 * late request keeps one of the mailbox's request slots until it answers, also in the mailbox's next
 * round: three contact folders read at once, two requests a mailbox at most.
 */
class LateReadsTest {
  private static final List<String> FOLDERS = List.of("contacts", "customers", "suppliers");
  private static final int SLOTS = 2;
  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final ModelUser user = m365.addUser("pat");
  private final InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final Late gateway = new Late(m365.gateway());

  @AfterEach
  void close() {
    gateway.release.countDown();
    pool.shutdownNow();
  }

  private final MailboxModel box = m365.mailbox(user);
  private Mailbox mailbox;

  /** An engine whose mailbox is synced, after enough answers to tell it where its reads' tail starts. */
  private SyncEngine engine(SyncOptions options) {
    FOLDERS.subList(1, 3).forEach(box::addContactFolder);
    for (int i = 0; i < 30; i++) {
      box.contacts(FOLDERS.get(i % 3)).create(Contact.of("Given" + i, "Surname" + i, "c" + i + "@example.com"));
    }
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(gateway).executor(pool)
        .delegatedTokens(m365.delegatedTokens()).stateStore(SyncStateStore.inMemory())
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm, FOLDERS))
        .options(options.withPageSize(4).withMaxRequestsPerMailbox(SLOTS)).build();
    mailbox = m365.signIn(user, Set.of(Resource.CONTACTS));
    engine.enroll(mailbox);
    for (int i = 0; i < 8; i++) {
      engine.syncMailbox(mailbox.id());
    }
    box.contacts("customers").create(Contact.of("Late", "Comer", "late@example.com"));
    return engine;
  }

  @Test
  void aLateReadIsSentAgainAndHoldsItsSlotIntoTheNextRound() throws Exception {
    SyncEngine engine = engine(SyncOptions.defaults());
    gateway.holdNext.set(true);

    engine.syncMailbox(mailbox.id());

    assertThat(crm.list(mailbox.id())).as("read from the copy's answer").hasSize(31);
    assertThat(gateway.held.getCount()).as("a read was held").isZero();
    assertThat(gateway.inFlight.get()).as("the late request, not awaited any more").isEqualTo(1);

    gateway.peak.set(0);
    engine.syncMailbox(mailbox.id()); // three folders' reads, one slot free

    assertThat(gateway.peak.get()).as("requests in flight at once, the late one counted").isEqualTo(SLOTS);
    assertThat(gateway.inFlight.get()).as("still late").isEqualTo(1);
    gateway.release.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (gateway.inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(gateway.inFlight.get()).isZero();
    assertThat(crm.list(mailbox.id())).hasSize(31);
  }

  @Test
  void aLateReadIsNotSentAgainWhileTheEngineRunsHalfItsRoundsOrMore() {
    SyncEngine engine = engine(SyncOptions.defaults().withMaxConcurrentMailboxes(1)); // this round is all of it
    gateway.holdNext.set(true);
    gateway.reads.set(0);
    Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    }).schedule(gateway.release::countDown, 1, TimeUnit.SECONDS); // ten times the delay before a copy

    engine.syncMailbox(mailbox.id());

    assertThat(gateway.held.getCount()).as("a read was held").isZero();
    assertThat(gateway.reads).as("one read per folder, none sent again").hasValue(FOLDERS.size());
    assertThat(crm.list(mailbox.id())).hasSize(31);
  }

  /** Counts the delta reads in flight; holds the next one once told to, until released. */
  private static final class Late extends ForwardingGateway {
    final AtomicBoolean holdNext = new AtomicBoolean();
    final CountDownLatch held = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();

    Late(MailboxGateway delegate) {
      super(delegate);
    }

    @Override
    public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
      reads.incrementAndGet();
      peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        if (holdNext.compareAndSet(true, false)) {
          held.countDown();
          release.await(30, TimeUnit.SECONDS);
        }
        return delegate.delta(session, type, request);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }
}

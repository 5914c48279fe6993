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
import io.m365sync.testkit.ForwardingGateway;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.MailboxModel;
import io.m365sync.testkit.model.ModelUser;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A resource's folders are delta chains of their own, read at once within the mailbox's request
 * cap: three contact folders' first pages are all in flight together (each waits at a barrier for the
 * other two, which a read of one folder after another never reaches), and every contact lands once.
 */
class ParallelFoldersTest {
  private static final List<String> FOLDERS = List.of("contacts", "customers", "suppliers");
  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final ModelUser user = m365.addUser("pat");
  private final InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
  private final ExecutorService pool = Executors.newFixedThreadPool(8);

  @AfterEach
  void close() {
    pool.shutdownNow();
  }

  @Test
  void threeFoldersAreReadAtOnceAndEveryContactLandsOnce() {
    MailboxModel box = m365.mailbox(user);
    for (String folder : FOLDERS.subList(1, 3)) {
      box.addContactFolder(folder);
    }
    for (int i = 0; i < 30; i++) {
      box.contacts(FOLDERS.get(i % 3)).create(Contact.of("Given" + i, "Surname" + i, "c" + i + "@example.com"));
    }
    AtMeeting gateway = new AtMeeting(m365.gateway(), new CyclicBarrier(3));
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(gateway).executor(pool)
        .delegatedTokens(m365.delegatedTokens()).stateStore(SyncStateStore.inMemory())
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm, FOLDERS))
        .options(SyncOptions.defaults().withPageSize(4)).build();
    Mailbox mailbox = m365.signIn(user, Set.of(Resource.CONTACTS));
    engine.enroll(mailbox);

    engine.syncMailbox(mailbox.id());

    assertThat(gateway.met.get()).as("folders whose first page met the other two in flight").isEqualTo(3);
    assertThat(gateway.missed.get()).isZero();
    assertThat(crm.list(mailbox.id())).hasSize(30);
    assertThat(crm.list(mailbox.id()).stream().map(r -> r.item().emailAddresses()).distinct()).hasSize(30);
  }

  /** Holds each folder's first page until three are in flight at once (or gives up after 10 s). */
  private static final class AtMeeting extends ForwardingGateway {
    private final CyclicBarrier barrier;
    final AtomicInteger met = new AtomicInteger();
    final AtomicInteger missed = new AtomicInteger();

    AtMeeting(MailboxGateway delegate, CyclicBarrier barrier) {
      super(delegate);
      this.barrier = barrier;
    }

    @Override
    public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
      if (request.cursor() == null) {
        try {
          barrier.await(10, TimeUnit.SECONDS);
          met.incrementAndGet();
        } catch (Exception alone) {
          missed.incrementAndGet();
        }
      }
      return delegate.delta(session, type, request);
    }




  }
}

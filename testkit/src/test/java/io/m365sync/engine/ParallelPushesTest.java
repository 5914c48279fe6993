package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxSyncReport;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.RecordingSyncStateStore;
import io.m365sync.testkit.model.GraphLimits;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two-way, what the CRM changed goes to Microsoft 365 as many writes at once as the mailbox may have
 * requests in flight (4), not one after another: a CRM's bulk import into a mailbox just enrolled would
 * otherwise take its count × Graph's latency. The writes' links go to the store as a pull's do, and a
 * write that fails fails the round only after the others are linked.
 */
class ParallelPushesTest {
  private static final int RECORDS = 40;

  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final ModelUser user = m365.addUser("import");
  private final InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
  private final HookedGateway gateway = new HookedGateway(m365.gateway());
  private final RecordingSyncStateStore store = new RecordingSyncStateStore(SyncStateStore.inMemory());
  private final ExecutorService pool = Executors.newFixedThreadPool(8);
  private SyncEngine engine;
  private Mailbox mailbox;

  @AfterEach
  void close() {
    pool.shutdownNow();
  }

  private void start() {
    m365.tenant().graphLimits(GraphLimits.OUTLOOK);
    engine = SyncEngine.builder().clock(m365.clock()).gateway(gateway).executor(pool)
        .delegatedTokens(m365.delegatedTokens()).stateStore(store)
        .resource(ResourceSyncers.twoWay(ResourceType.CONTACTS, crm)).build();
    mailbox = m365.signIn(user, Set.of(Resource.CONTACTS));
    engine.enroll(mailbox);
    for (int i = 0; i < RECORDS; i++) {
      crm.save(mailbox.id(), null, Contact.of("Ada" + i, "Lovelace", "ada" + i + "@example.com"));
    }
    m365.clock().advance(Duration.ofMinutes(1));
  }

  @Test
  void aCrmImportGoesOutFourCreatesAtOnce() {
    start();
    InFlightTogether four = new InFlightTogether(4);
    gateway.beforeCreate = four;

    engine.syncMailbox(mailbox.id());

    assertThat(four.met()).as("first creates that met three others in flight").isEqualTo(4);
    assertThat(m365.mailbox(user).contacts().all()).hasSize(RECORDS);
    assertThat(engine.stateStore().links(mailbox.id(), Resource.CONTACTS)).hasSize(RECORDS);
    assertThat(m365.tenant().peakRequestsInFlight().get(user.objectId())).isLessThanOrEqualTo(4);
    assertThat(m365.cloud().log().count(r -> r.isGraph() && r.status() == 429)).isZero();
    // the creates' notes in one commit before they go out; their links, the notes cleared, the bases,
    // the CRM watermark and the delta link in the round's final one
    assertThat(store.calls().stream().filter(c -> c.method().equals("putLinksAndCursors"))
        .map(c -> c.links() + " " + c.cursors())).containsExactly("0 1", RECORDS + " " + (RECORDS + 3));

    m365.clock().advance(Duration.ofMinutes(5));
    engine.syncMailbox(mailbox.id());
    assertThat(m365.mailbox(user).contacts().all()).hasSize(RECORDS); // nothing created twice
    assertThat(crm.duplicates(mailbox.id())).isZero();
  }

  @Test
  void aFailedCreateFailsTheRoundAfterTheOthersAreLinked() {
    start();
    gateway.beforeCreate = n -> {
      if (n == 7) {
        throw new IllegalStateException("Graph refused this one");
      }
    };

    MailboxSyncReport failed = engine.syncMailbox(mailbox.id());

    assertThat(failed.resources()).singleElement()
        .satisfies(r -> assertThat(r.outcome()).isEqualTo(ResourceResult.Outcome.FAILED));
    assertThat(m365.mailbox(user).contacts().all()).hasSize(RECORDS - 1);
    assertThat(engine.stateStore().links(mailbox.id(), Resource.CONTACTS)).hasSize(RECORDS - 1);

    gateway.beforeCreate = n -> { };
    m365.clock().advance(Duration.ofMinutes(5));
    engine.syncMailbox(mailbox.id());

    assertThat(m365.mailbox(user).contacts().all()).hasSize(RECORDS);
    assertThat(engine.stateStore().links(mailbox.id(), Resource.CONTACTS)).hasSize(RECORDS);
    assertThat(crm.duplicates(mailbox.id())).isZero();
  }
}

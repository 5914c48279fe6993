package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The enrollment gate across nodes, where the mailbox lock of one JVM means nothing: two engines
 * share a state store, and node B's unenroll lands between node A's enrollment read and its fence
 * claim. The claim must fail when the enrollment row is gone, in the claim's own transaction.
 */
class ClusterEnrollmentGateTest {

  @Test
  void anUnenrollOnAnotherNodeJustBeforeTheFenceClaimStopsTheRound() {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser bob = m365.addUser("bob");
    m365.mailbox(bob).contacts().create(Contact.of("Ada", "Lovelace", "ada@example.com"));
    InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
    SyncEngine[] nodeB = new SyncEngine[1];
    AtomicBoolean first = new AtomicBoolean(true);
    HostActionWitness witness = new HostActionWitness(m365.cloud().log(), m365.clock(), Duration.ofMinutes(1),
        Duration.ofHours(1), m365.clock().instant());
    Watched.Store shared = new Watched.Store(witness) {
      @Override
      public long claimFence(MailboxId mailbox) {
        if (first.getAndSet(false)) {
          nodeB[0].unenroll(mailbox); // node B's host unenrolls after node A read the enrollment
        }
        return super.claimFence(mailbox);
      }
    };
    SyncEngine nodeA = node(m365, shared, crm);
    nodeB[0] = node(m365, shared, crm);
    m365.grantApplicationPermissions(Resource.CONTACTS);
    nodeA.setApplicationPermissionEnabled(m365.tenantId(), true); // app-only: no per-mailbox token to purge
    Mailbox mailbox = m365.signIn(bob, EnumSet.of(Resource.CONTACTS));
    nodeA.enroll(mailbox);

    try {
      nodeA.syncMailbox(mailbox.id());
    } catch (io.m365sync.NotEnrolledException expected) {
      // the claim refused the round: right
    }

    assertThat(m365.cloud().log().graphRequests(bob.objectId())).as("Graph requests after unenroll returned").isZero();
    assertThat(crm.items(mailbox.id())).as("CRM records").isEmpty();
    assertThat(shared.leftovers(mailbox.id())).as("state rows").isEmpty();
  }

  private static SyncEngine node(FakeMicrosoft365 m365, Watched.Store store, InMemoryCrmStore<Contact> crm) {
    return SyncEngine.builder().clock(m365.clock()).stateStore(store).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens()).applicationTokens(m365.applicationTokens())
        .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm)).build();
  }
}

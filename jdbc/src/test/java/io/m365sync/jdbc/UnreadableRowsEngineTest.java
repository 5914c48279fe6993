package io.m365sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.CycleReport;
import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.state.MailboxStatus;
import io.m365sync.state.UnreadableRow;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.RecordingSyncListener;
import io.m365sync.testkit.model.ModelUser;
import java.sql.Connection;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A row a newer version wrote (a resource or status this version does not know) is skipped and
 * reported by key; every other mailbox keeps syncing, and a new sign-in replaces a bad status.
 */
class UnreadableRowsEngineTest {
  private final DataSource ds = TestDatabases.h2Memory();
  private final JdbcSyncStateStore store = JdbcSyncStateStore.create(ds);
  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
  private final RecordingSyncListener listener = new RecordingSyncListener();
  private final SyncEngine engine = SyncEngine.builder().clock(m365.clock()).stateStore(store)
      .gateway(m365.gateway()).delegatedTokens(m365.delegatedTokens()).listener(listener)
      .resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm)).build();

  private final java.util.Map<io.m365sync.MailboxId, ModelUser> users = new java.util.HashMap<>();

  private Mailbox enroll(String alias) {
    ModelUser u = m365.addUser(alias);
    m365.mailbox(u).contacts().create(Contact.of("Ada", alias, "ada." + alias + "@example.com"));
    Mailbox m = m365.signIn(u, EnumSet.of(Resource.CONTACTS));
    engine.enroll(m);
    users.put(m.id(), u);
    return m;
  }

  private void sql(String statement) throws Exception {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.executeUpdate(statement);
    }
  }

  @Test
  void aCycleSkipsAndReportsUnreadableRowsAndSyncsEveryOtherMailbox() throws Exception {
    Mailbox alice = enroll("alice");
    Mailbox bob = enroll("bob");
    Mailbox carol = enroll("carol");
    sql("UPDATE m365sync_mailbox SET resources = 'CONTACTS,NOTES' WHERE mailbox_key = '" + bob.id().key() + "'");
    sql("UPDATE m365sync_status SET status = 'HIBERNATING' WHERE mailbox_key = '" + carol.id().key() + "'");

    engine.runCycle();

    assertThat(crm.items(alice.id())).hasSize(1);
    assertThat(crm.items(bob.id())).as("bob's enrollment cannot be read: skipped").isEmpty();
    assertThat(crm.items(carol.id())).as("carol's status cannot be read: skipped").isEmpty();
    List<UnreadableRow> reported = listener.unreadableRows();
    assertThat(reported).extracting(UnreadableRow::key).contains(bob.id().key(), carol.id().key());
    assertThat(engine.monitor().mailbox(alice.id()).orElseThrow().status()).isEqualTo(MailboxStatus.ACTIVE);

    engine.enroll(carol); // her next sign-in writes a status this version can read
    engine.runCycle();
    assertThat(crm.items(carol.id())).hasSize(1);
  }

  @Test
  void anIdleCycleStillProbesAndSyncsTheOtherMailboxesOfAGroupWithAnUnreadableStatus() throws Exception {
    Mailbox alice = enroll("alice");
    Mailbox bob = enroll("bob");
    Mailbox carol = enroll("carol");
    engine.runCycle();
    m365.mailbox(users.get(alice.id())).contacts().create(Contact.of("Grace", "Hopper", "grace@example.com"));
    sql("UPDATE m365sync_status SET status = 'HIBERNATING' WHERE mailbox_key = '" + carol.id().key() + "'");
    m365.clock().advance(java.time.Duration.ofMinutes(15));

    CycleReport idle = engine.runCycle();

    assertThat(crm.items(alice.id())).as("alice's change, probed and read by her round").hasSize(2);
    assertThat(idle.mailbox(bob.id()).ran()).as("bob's mailbox, probed: nothing new").isFalse();
    assertThat(listener.unreadableRows()).extracting(UnreadableRow::key).contains(carol.id().key());
    assertThat(crm.items(carol.id())).hasSize(1);
  }
}

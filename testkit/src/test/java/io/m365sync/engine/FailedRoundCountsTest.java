package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.FlakyCrmStore;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A round that fails after writing counts what it wrote: the records are in the CRM (linked, or noted for
 * the next round to link), and the next round finds them and does not count them again, so the rounds'
 * counts add up to the records made.
 */
class FailedRoundCountsTest {

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aRoundTheCrmFailsAfterItsFirstBatchReportsTheRecordsItCreated(boolean answerLost) {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser user = m365.addUser("import");
    ItemCollection<Contact> contacts = m365.mailbox(user).contacts();
    for (int i = 0; i < 700; i++) {
      contacts.create(Contact.of("Person", "No" + i, "person" + i + "@example.com"));
    }
    FlakyCrmStore<Contact> crm = new FlakyCrmStore<>("contact");
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens()).resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm))
        .options(SyncOptions.defaults().withPageSize(100)).build();
    Mailbox mailbox = m365.signIn(user, Set.of(Resource.CONTACTS));
    engine.enroll(mailbox);
    // a batch of CRM writes is 500 at this page size: the database goes down in the second one
    crm.failOnSave(600, answerLost);

    ResourceResult failed = engine.syncMailbox(mailbox.id()).resource(Resource.CONTACTS).orElseThrow();

    assertThat(failed.outcome()).isEqualTo(ResourceResult.Outcome.FAILED);
    int inTheCrm = crm.items(mailbox.id()).size();
    assertThat(inTheCrm).isEqualTo(answerLost ? 600 : 599);
    // a record whose answer was lost is not known to the round: the next one links it by its note
    assertThat(failed.created()).as("records the failed round created").isEqualTo(599);

    crm.failOnSave(0, false);
    m365.clock().advance(Duration.ofMinutes(1));
    ResourceResult next = engine.syncMailbox(mailbox.id()).resource(Resource.CONTACTS).orElseThrow();

    assertThat(next.outcome()).isEqualTo(ResourceResult.Outcome.SYNCED);
    assertThat(crm.items(mailbox.id())).hasSize(700);
    assertThat(failed.created() + next.created()).as("rounds' creates").isEqualTo(700 - (answerLost ? 1 : 0));
  }
}

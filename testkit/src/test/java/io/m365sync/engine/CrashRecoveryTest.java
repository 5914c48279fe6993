package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.FlakyCrmStore;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A crash right after a CRM create, then the item changes or goes before the next round. */
class CrashRecoveryTest {

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void theOrphanOfACrashedCreateIsReusedOrRemovedWhateverHappenedToTheItemMeanwhile(boolean renamed) {
    FakeMicrosoft365 m365 = FakeMicrosoft365.create();
    ModelUser user = m365.addUser("crash");
    ItemCollection<Contact> contacts = m365.mailbox(user).contacts();
    String id = contacts.create(Contact.of("Ada", "Lovelace", "ada@example.com")).id();
    FlakyCrmStore<Contact> crm = new FlakyCrmStore<>("contact");
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway())
        .delegatedTokens(m365.delegatedTokens()).resource(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm))
        .options(SyncOptions.defaults().withPageSize(1)).build();
    Mailbox mailbox = m365.signIn(user, Set.of(Resource.CONTACTS));
    engine.enroll(mailbox);

    crm.failOnSave(1, true); // the CRM writes the record, the engine never hears back
    engine.syncMailbox(mailbox.id());
    if (renamed) {
      contacts.update(id, null, Contact.of("Ada", "King", "ada.king@example.com"));
    } else {
      contacts.delete(id, null);
    }
    crm.failOnSave(0, false);
    for (int i = 0; i < 2; i++) {
      m365.clock().advance(Duration.ofMinutes(1));
      engine.syncMailbox(mailbox.id());
    }

    assertThat(crm.items(mailbox.id())).extracting(Contact::surname).containsExactlyElementsOf(
        renamed ? java.util.List.of("King") : java.util.List.of());
  }
}

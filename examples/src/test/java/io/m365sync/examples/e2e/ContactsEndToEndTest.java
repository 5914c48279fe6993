package io.m365sync.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.StoredItem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Contacts, two-way, through SyncEngine + MSAL4J + the Graph SDK gateway + the emulator. */
class ContactsEndToEndTest {
  final E2eWorld world = new E2eWorld();
  final InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");

  @AfterEach
  void close() {
    world.close();
  }

  @Test
  void contactsFlowBothWaysWithoutEchoesOrDuplicates() {
    StoredItem<Contact> ada = world.box.contacts().create(Contact.of("Ada", "Lovelace", "ada@example.com"));
    MailboxId id = world.signIn(ResourceSyncers.twoWay(ResourceType.CONTACTS, crm)).id();

    world.sync();
    assertThat(crm.items(id)).singleElement().satisfies(c -> {
      assertThat(c.displayName()).isEqualTo("Ada Lovelace");
      assertThat(c.emailAddresses()).containsExactly("ada@example.com");
    });

    // CRM → Microsoft 365: a new contact and an edit
    crm.save(id, null, new Contact("Grace", "Hopper", null, List.of("grace@example.com"), List.of("+1 555 0100"),
        "Navy", "Rear Admiral", Map.of()));
    CrmRecord<Contact> adaInCrm = crm.list(id).stream().filter(r -> r.item().givenName().equals("Ada")).findFirst().orElseThrow();
    Contact analyst = adaInCrm.item().withJobTitle("Analyst");
    Map<String, String> hostFields = new java.util.HashMap<>(analyst.extensions());
    hostFields.put("crm.accountId", "42"); // the host's own field: Graph's delta never returns it
    crm.save(id, adaInCrm.crmId(), new Contact(analyst.givenName(), analyst.surname(), analyst.displayName(),
        analyst.emailAddresses(), analyst.phones(), analyst.companyName(), analyst.jobTitle(), hostFields));
    world.sync();
    assertThat(world.box.contacts().all()).hasSize(2);
    assertThat(world.box.contacts().get(ada.id()).orElseThrow().item().jobTitle()).isEqualTo("Analyst");
    Contact grace = world.box.contacts().all().stream().map(StoredItem::item)
        .filter(c -> "Grace".equals(c.givenName())).findFirst().orElseThrow();
    assertThat(grace.companyName()).isEqualTo("Navy");
    assertThat(grace.phones()).containsExactly("+1 555 0100");

    // echoes of our own writes are not applied back; nothing is written again
    long saves = crm.saves();
    int patches = world.requests("PATCH", "/contacts/").size();
    world.sync();
    world.sync();
    assertThat(crm.saves()).isEqualTo(saves);
    assertThat(world.requests("PATCH", "/contacts/")).hasSize(patches);

    // Microsoft 365 → CRM: an edit in Outlook and a deletion
    StoredItem<Contact> cur = world.box.contacts().get(ada.id()).orElseThrow();
    world.box.contacts().update(ada.id(), cur.changeKey(), new Contact("Ada", "King", null, List.of("ada@example.com"),
        List.of(), null, "Countess", Map.of()));
    world.sync();
    assertThat(crm.items(id)).anySatisfy(c -> {
      assertThat(c.surname()).isEqualTo("King");
      assertThat(c.extensions()).as("an Outlook edit keeps the host's fields").containsEntry("crm.accountId", "42");
    });

    String graceId = world.box.contacts().all().stream().filter(s -> "Grace".equals(s.item().givenName()))
        .findFirst().orElseThrow().id();
    world.box.contacts().delete(graceId, null);
    world.sync();
    assertThat(crm.items(id)).extracting(Contact::givenName).containsExactly("Ada");

    // a 410 (Outlook evicted the delta token) re-links instead of duplicating
    world.box.contacts().evictDeltaTokens();
    world.sync();
    assertThat(crm.list(id)).hasSize(1);
    assertThat(world.box.contacts().all()).hasSize(1);
    assertThat(crm.duplicates(id)).isZero();
  }
}

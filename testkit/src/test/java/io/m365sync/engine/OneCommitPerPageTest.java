package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.RecordingSyncStateStore;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The id map and cursors cost one state commit per page: a page's links go to the store with the
 * next page's write-ahead note, the last page's with the round's delta link.
 */
class OneCommitPerPageTest {
  private static final int PAGE_SIZE = 3;
  private static final int PAGES = 4;
  private static final int UPDATED = PAGE_SIZE + 2;

  /** The id-map and cursor writes: one store call each, one transaction in a database. */
  private static final Set<String> ID_MAP_AND_CURSOR_WRITES =
      Set.of("putCursor", "removeCursor", "putLink", "putLinks", "putLinksAndCursors", "removeLink");

  /** Each id-map and cursor write the store was handed, with the links and cursors it carried. */
  private static List<String> writes(RecordingSyncStateStore store) {
    return store.calls().stream().filter(c -> ID_MAP_AND_CURSOR_WRITES.contains(c.method()))
        .map(c -> c.method() + " " + c.links() + " " + c.cursors()).toList();
  }

  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final ModelUser user = m365.addUser("pages");
  private final ItemCollection<Contact> contacts = m365.mailbox(user).contacts();
  private final List<String> ids = new ArrayList<>();
  private final RecordingSyncStateStore store = new RecordingSyncStateStore(SyncStateStore.inMemory());
  private final InMemoryCrmStore<Contact> crm = new InMemoryCrmStore<>("contact");
  private SyncEngine engine;
  private Mailbox mailbox;

  /** {@link #PAGES} pages of contacts, enrolled for {@code syncer} over {@link #crm}. */
  private void start(ResourceSyncer<Contact> syncer) {
    for (int i = 0; i < PAGE_SIZE * PAGES; i++) {
      ids.add(contacts.create(Contact.of("Ada" + i, "Lovelace", "ada" + i + "@example.com")).id());
    }
    engine = SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway()).stateStore(store)
        .delegatedTokens(m365.delegatedTokens()).resource(syncer)
        .options(SyncOptions.defaults().withPageSize(PAGE_SIZE)).build();
    mailbox = m365.signIn(user, Set.of(Resource.CONTACTS));
    engine.enroll(mailbox);
  }

  @Test
  void aRoundCommitsItsStateOncePerPageAndOnceAtTheEnd() {
    start(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm));

    engine.syncMailbox(mailbox.id());

    // page 1: its note; pages 2-4: the page before's links with this page's note; the end: the last
    // links, the note cleared and the delta link
    assertThat(writes(store)).containsExactly("putLinksAndCursors 0 1", "putLinksAndCursors 3 1",
        "putLinksAndCursors 3 1", "putLinksAndCursors 3 1", "putLinksAndCursors 3 2");
    assertThat(store.links(mailbox.id(), Resource.CONTACTS)).hasSize(PAGE_SIZE * PAGES);
    assertThat(crm.items(mailbox.id())).hasSize(PAGE_SIZE * PAGES);

    // an incremental round of updates only, over two pages (fewer than half the items: the mass-change
    // guard lets it through), with no note to write: every link and the delta link at once
    store.clear();
    List<String> updated = ids.subList(0, UPDATED);
    for (String id : updated) {
      contacts.update(id, null, contacts.get(id).orElseThrow().item().withSurname("King"));
    }
    m365.clock().advance(Duration.ofMinutes(5));
    engine.syncMailbox(mailbox.id());

    assertThat(writes(store)).containsExactly("putLinksAndCursors " + UPDATED + " 1");
    assertThat(crm.items(mailbox.id())).filteredOn(c -> c.surname().equals("King")).hasSize(UPDATED);
    assertThat(crm.duplicates(mailbox.id())).isZero();
  }

  /**
   * Two-way, each record the CRM stored is noted as the base its next push is diffed against: the
   * page's notes go with the page's links, not a commit each.
   */
  @Test
  void aTwoWayRoundCommitsItsStateOncePerPageAndOnceAtTheEnd() {
    start(ResourceSyncers.twoWay(ResourceType.CONTACTS, crm));

    engine.syncMailbox(mailbox.id());

    // as one-way, each page's links now with their records' bases (3 cursors more); the end adds the CRM watermark
    assertThat(writes(store)).containsExactly("putLinksAndCursors 0 1", "putLinksAndCursors 3 4",
        "putLinksAndCursors 3 4", "putLinksAndCursors 3 4", "putLinksAndCursors 3 6");
    assertThat(store.links(mailbox.id(), Resource.CONTACTS)).hasSize(PAGE_SIZE * PAGES);
    assertThat(crm.items(mailbox.id())).hasSize(PAGE_SIZE * PAGES);
  }
}

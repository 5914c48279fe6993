package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.SyncOptions;
import io.m365sync.model.Contact;
import io.m365sync.model.ResourceType;
import io.m365sync.state.IdLink;
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
 * The id map and cursors cost one state commit per batch of CRM writes, five pages' worth and at most
 * 500: a batch's links go to the store with the next batch's write-ahead note, the last batch's with the
 * round's delta link.
 */
class OneCommitPerBatchTest {
  private static final int PAGE_SIZE = 3;
  private static final int PAGES = 4;
  private static final int UPDATED = PAGE_SIZE + 2;
  /** The most CRM writes one state commit covers. */
  private static final int BATCH = 500;
  /** Pages of CRM writes one state commit covers, below {@link #BATCH}. */
  private static final int BATCH_PAGES = 5;

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
    start(syncer, PAGE_SIZE * PAGES, PAGE_SIZE);
  }

  private void start(ResourceSyncer<Contact> syncer, int count, int pageSize) {
    for (int i = 0; i < count; i++) {
      ids.add(contacts.create(Contact.of("Ada" + i, "Lovelace", "ada" + i + "@example.com")).id());
    }
    engine = SyncEngine.builder().clock(m365.clock()).gateway(m365.gateway()).stateStore(store)
        .delegatedTokens(m365.delegatedTokens()).resource(syncer)
        .options(SyncOptions.defaults().withPageSize(pageSize)).build();
    mailbox = m365.signIn(user, Set.of(Resource.CONTACTS));
    engine.enroll(mailbox);
  }

  @Test
  void aRoundCommitsItsStateOncePerBatchAndOnceAtTheEnd() {
    start(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm), 2 * BATCH + 1, 100);

    engine.syncMailbox(mailbox.id());

    // batch 1: its note; batches 2-3: the batch before's links with this batch's note; the end: the
    // last link, the note cleared and the delta link
    assertThat(writes(store)).containsExactly("putLinksAndCursors 0 1", "putLinksAndCursors " + BATCH + " 1",
        "putLinksAndCursors " + BATCH + " 1", "putLinksAndCursors 1 2");
    assertThat(store.links(mailbox.id(), Resource.CONTACTS)).hasSize(2 * BATCH + 1);
    assertThat(crm.items(mailbox.id())).hasSize(2 * BATCH + 1);
    assertThat(crm.duplicates(mailbox.id())).isZero();
    // and the round's status with its run record: one call, one transaction on a durable store
    List<String> round = store.methods().subList(store.methods().indexOf("claimFence"), store.methods().size());
    assertThat(round).containsOnlyOnce("putStatusAndRun").doesNotContain("putStatus", "recordRun");
  }

  @Test
  void fivePagesShareACommit() {
    int items = BATCH_PAGES * PAGE_SIZE + 1;
    start(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm), items, PAGE_SIZE);

    engine.syncMailbox(mailbox.id());

    // five pages, then one item: the first batch's note, its links with the second's note, the last link
    // with the note cleared and the delta link
    assertThat(writes(store)).containsExactly("putLinksAndCursors 0 1",
        "putLinksAndCursors " + BATCH_PAGES * PAGE_SIZE + " 1", "putLinksAndCursors 1 2");
    assertThat(store.links(mailbox.id(), Resource.CONTACTS)).hasSize(items);
    assertThat(crm.items(mailbox.id())).hasSize(items);

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
   * batch's notes go with the batch's links, not a commit each.
   */
  @Test
  void aTwoWayRoundCommitsItsStateOncePerBatchAndOnceAtTheEnd() {
    start(ResourceSyncers.twoWay(ResourceType.CONTACTS, crm));

    engine.syncMailbox(mailbox.id());

    // four pages, one batch: as one-way, the links now with their records' bases (12 cursors more) and
    // the CRM watermark
    int items = PAGE_SIZE * PAGES;
    assertThat(writes(store)).containsExactly("putLinksAndCursors 0 1", "putLinksAndCursors " + items + " " + (items + 3));
    assertThat(store.links(mailbox.id(), Resource.CONTACTS)).hasSize(PAGE_SIZE * PAGES);
    assertThat(crm.items(mailbox.id())).hasSize(PAGE_SIZE * PAGES);
  }

  /**
   * Two-way, a contact created in the CRM costs two commits: the write-ahead note of its push before
   * Microsoft 365 creates it, then its link with the note cleared (and its base), in the round's final
   * commit with the CRM watermark and the delta link.
   */
  @Test
  void aPushedCreateCommitsItsNoteThenItsLinkWithTheNoteCleared() {
    start(ResourceSyncers.twoWay(ResourceType.CONTACTS, crm), 0, PAGE_SIZE);
    engine.syncMailbox(mailbox.id());
    crm.save(mailbox.id(), null, Contact.of("Grace", "Hopper", "grace@example.com"));
    m365.clock().advance(Duration.ofMinutes(5));
    store.clear();

    engine.syncMailbox(mailbox.id());

    assertThat(writes(store)).containsExactly("putLinksAndCursors 0 1", "putLinksAndCursors 1 4");
    assertThat(contacts.all()).hasSize(1);
    assertThat(store.links(mailbox.id(), Resource.CONTACTS)).hasSize(1);
  }

  /**
   * Items deleted in Microsoft 365 delete their CRM records, and their links go with the batch's
   * commit: not a commit each (two, with the links held flushed first, before).
   */
  @Test
  void deletionsRemoveTheirLinksInTheBatchCommit() {
    int items = BATCH_PAGES * PAGE_SIZE + 1;
    start(ResourceSyncers.oneWay(ResourceType.CONTACTS, crm), items, PAGE_SIZE);
    engine.syncMailbox(mailbox.id());
    List<String> deleted = ids.subList(0, UPDATED + 2); // fewer than half: the mass-change guard lets them through
    deleted.forEach(id -> contacts.delete(id, null));
    m365.clock().advance(Duration.ofMinutes(5));
    store.clear();

    engine.syncMailbox(mailbox.id());

    assertThat(writes(store)).containsExactly("putLinksAndCursors " + deleted.size() + " 1");
    assertThat(store.links(mailbox.id(), Resource.CONTACTS)).hasSize(items - deleted.size());
    assertThat(crm.items(mailbox.id())).hasSize(items - deleted.size());
  }

  /** Two-way, records deleted in the CRM are deleted in Microsoft 365, and their links go in one commit. */
  @Test
  void pushedDeletionsRemoveTheirLinksInOneCommit() {
    start(ResourceSyncers.twoWay(ResourceType.CONTACTS, crm));
    engine.syncMailbox(mailbox.id());
    List<String> gone = store.links(mailbox.id(), Resource.CONTACTS).stream().limit(UPDATED).map(IdLink::crmId)
        .toList();
    gone.forEach(crmId -> crm.delete(mailbox.id(), crmId));
    m365.clock().advance(Duration.ofMinutes(5));
    store.clear();

    engine.syncMailbox(mailbox.id());

    // the links and the records' bases removed, the CRM watermark and the delta link set: one commit
    assertThat(writes(store)).containsExactly("putLinksAndCursors " + UPDATED + " " + (UPDATED + 2));
    assertThat(contacts.all()).hasSize(PAGE_SIZE * PAGES - UPDATED);
    assertThat(store.links(mailbox.id(), Resource.CONTACTS)).hasSize(PAGE_SIZE * PAGES - UPDATED);
  }
}

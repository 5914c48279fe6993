package io.m365sync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmChanges;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.SyncItem;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour the engine relies on from a host's {@link CrmStore}. Extend it with the host's
 * store and two ways to make items:
 *
 * <p>A store may keep only the fields it has columns for. What it must do is hand back, from
 * {@code save}, the record as it stored it ({@code find} and the change feed return the same): the
 * engine notes that copy as the base of the record's next push, and a later CRM edit then goes to
 * Microsoft 365 as a patch of the fields that differ from it, so the fields the CRM does not store
 * survive a CRM edit in Outlook. (That guarantee itself is the pipeline's; it is tested there.)
 * {@code changed} must change a field the store keeps.
 *
 * <pre>{@code
 * class MyContactsTableTest extends CrmStoreContract<Contact> {
 *   protected CrmStore<Contact> newStore() { return new MyContactsTable(freshDb()); }
 *   protected Contact item(int n) { return Contact.of("Ada" + n, "Lovelace", "ada" + n + "@x.com"); }
 *   protected Contact changed(Contact c) { return c.withJobTitle("CTO"); }
 * }
 * }</pre>
 */
public abstract class CrmStoreContract<T extends SyncItem> {
  protected static final MailboxId ALICE = MailboxId.of("contoso", "oid-alice");
  protected static final MailboxId BOB = MailboxId.of("contoso", "oid-bob");

  protected CrmStore<T> store;

  /** A fresh, empty store. */
  protected abstract CrmStore<T> newStore();

  /** A distinct item for each {@code n}. */
  protected abstract T item(int n);

  /** A changed copy of {@code item}. */
  protected abstract T changed(T item);

  @BeforeEach
  void createStore() {
    store = newStore();
  }

  @Test
  void createAssignsStableIdsAndUpdateKeepsThem() {
    CrmRecord<T> a = store.save(ALICE, null, item(1));
    CrmRecord<T> b = store.save(ALICE, null, item(2));
    assertNotEquals(a.crmId(), b.crmId());

    CrmRecord<T> a2 = store.save(ALICE, a.crmId(), changed(item(1)));
    assertEquals(a.crmId(), a2.crmId());
    assertTrue(a2.version() > a.version(), "versions must rise on update");
    assertNotEquals(a.item(), a2.item(), "changed(item) must change a field the store keeps");
    assertEquals(a2.item(), store.find(ALICE, a.crmId()).orElseThrow().item());
    assertEquals(2, store.list(ALICE).size());
  }

  /** The engine notes what {@code save} returns as the base of the next push: it must be what is stored. */
  @Test
  void saveReturnsTheRecordAsStored() {
    CrmRecord<T> created = store.save(ALICE, null, item(1));
    assertEquals(created, store.find(ALICE, created.crmId()).orElseThrow());
    CrmChanges<T> feed = store.changesSince(ALICE, null);
    CrmRecord<T> updated = store.save(ALICE, created.crmId(), changed(created.item()));
    assertEquals(updated, store.find(ALICE, created.crmId()).orElseThrow());
    assertEquals(updated, store.changesSince(ALICE, feed.watermark()).changes().get(0));
  }

  @Test
  void savingTheSameContentTwiceKeepsOneRecord() {
    CrmRecord<T> a = store.save(ALICE, null, item(1));
    store.save(ALICE, a.crmId(), item(1));
    store.save(ALICE, a.crmId(), item(1));
    assertEquals(1, store.list(ALICE).size());
  }

  @Test
  void mailboxesAreSeparate() {
    CrmRecord<T> a = store.save(ALICE, null, item(1));
    store.save(BOB, null, item(2));
    assertEquals(1, store.list(ALICE).size());
    assertTrue(store.find(BOB, a.crmId()).isEmpty());
  }

  @Test
  void deleteIsIdempotent() {
    CrmRecord<T> a = store.save(ALICE, null, item(1));
    store.delete(ALICE, a.crmId());
    store.delete(ALICE, a.crmId());
    store.delete(ALICE, "never-existed");
    assertTrue(store.find(ALICE, a.crmId()).isEmpty());
    assertTrue(store.list(ALICE).isEmpty());
  }

  @Test
  void changeFeedReportsChangesAndDeletesSinceAWatermark() {
    CrmRecord<T> a = store.save(ALICE, null, item(1));
    CrmRecord<T> b = store.save(ALICE, null, item(2));
    CrmChanges<T> first = store.changesSince(ALICE, null);
    assertEquals(Set.of(a.crmId(), b.crmId()), first.changes().stream().map(CrmRecord::crmId).collect(Collectors.toSet()));

    store.save(ALICE, a.crmId(), changed(item(1)));
    store.delete(ALICE, b.crmId());
    CrmChanges<T> second = store.changesSince(ALICE, first.watermark());
    assertEquals(2, second.changes().size());
    CrmRecord<T> deleted = second.changes().stream().filter(r -> r.crmId().equals(b.crmId())).findFirst().orElseThrow();
    assertNull(deleted.item());
    assertTrue(store.changesSince(ALICE, second.watermark()).changes().isEmpty());
  }
}

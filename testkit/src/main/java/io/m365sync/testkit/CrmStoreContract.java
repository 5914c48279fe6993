package io.m365sync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365sync.MailboxId;
import io.m365sync.resource.CrmChanges;
import io.m365sync.resource.CrmRecord;
import io.m365sync.resource.CrmStore;
import io.m365sync.resource.SyncItem;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour the engine relies on from a host's {@link CrmStore}. Extend it with the host's
 * store and two ways to make items:
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
    assertEquals(changed(item(1)), store.find(ALICE, a.crmId()).orElseThrow().item());
    assertEquals(2, store.list(ALICE).size());
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

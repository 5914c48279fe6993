package io.m365sync.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.state.CursorKey;
import io.m365sync.state.FencedOutException;
import io.m365sync.state.IdLink;
import io.m365sync.state.MailboxState;
import io.m365sync.state.SyncStateStore;
import io.m365sync.testkit.RecordingSyncStateStore.Call;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The recording store over the in-memory one: a store like any other, and a faithful record of its writes. */
class RecordingSyncStateStoreTest extends SyncStateStoreContract {
  @Override
  protected SyncStateStore newStore() {
    return new RecordingSyncStateStore(SyncStateStore.inMemory());
  }

  private RecordingSyncStateStore recording() {
    return (RecordingSyncStateStore) store;
  }

  private static IdLink link(MailboxId mailbox, String crmId) {
    return new IdLink(mailbox, Resource.EVENTS, crmId, "remote-" + crmId, "ck", 1);
  }

  @Test
  void recordsEachWriteInOrderWithItsMailboxAndWhatItCarried() {
    long fence = enrollAndClaim(ALICE);
    CursorKey key = new CursorKey(ALICE, Resource.EVENTS, "");
    Map<CursorKey, String> cursors = new HashMap<>();
    cursors.put(key, "delta-1");
    cursors.put(new CursorKey(ALICE, Resource.EVENTS, "note"), null);

    store.putLinksAndCursors(List.of(link(ALICE, "c1")), List.of(link(ALICE, "c2"), link(ALICE, "c3")), cursors, fence);
    store.removeLink(ALICE, Resource.EVENTS, "c1", fence);
    store.putStatus(MailboxState.pending(ALICE, T0));

    assertThat(recording().calls()).containsExactly(
        new Call("putEnrollment", ALICE, 0, 0),
        new Call("claimFence", ALICE, 0, 0),
        new Call("putLinksAndCursors", ALICE, 3, 2),
        new Call("removeLink", ALICE, 1, 0),
        new Call("putStatus", ALICE, 0, 0));
  }

  @Test
  void readsAreNotRecorded() {
    long fence = enrollAndClaim(ALICE);
    store.putLink(link(ALICE, "c1"), fence);
    recording().clear();

    store.enrollment(ALICE);
    store.links(ALICE, Resource.EVENTS);
    store.linksByRemoteIds(ALICE, Resource.EVENTS, List.of("remote-c1"));
    store.cursor(new CursorKey(ALICE, Resource.EVENTS, ""));
    store.statuses();

    assertThat(recording().calls()).isEmpty();
  }

  /** The point of the class: a batch reaches the store it wraps as the one call (one transaction) it was. */
  @Test
  void aBatchWriteReachesTheDelegateAsOneCall() {
    RecordingSyncStateStore inner = new RecordingSyncStateStore(SyncStateStore.inMemory());
    RecordingSyncStateStore outer = new RecordingSyncStateStore(inner);
    outer.putEnrollment(mailbox(ALICE));
    long fence = outer.claimFence(ALICE);

    outer.putLinksAndCursors(List.of(), List.of(link(ALICE, "c1"), link(ALICE, "c2")),
        Map.of(new CursorKey(ALICE, Resource.EVENTS, ""), "delta"), fence);
    outer.putLinks(List.of(link(ALICE, "c3"), link(ALICE, "c4")), fence);

    assertThat(inner.methods()).containsExactly("putEnrollment", "claimFence", "putLinksAndCursors", "putLinks");
    assertThat(inner.calls()).isEqualTo(outer.calls());
    assertThat(inner.links(ALICE, Resource.EVENTS)).hasSize(4);
  }

  @Test
  void aWriteTheDelegateRefusesIsStillRecorded() {
    long fence = enrollAndClaim(ALICE);
    store.purge(ALICE);
    recording().clear();

    assertThatThrownBy(() -> store.putLink(link(ALICE, "c1"), fence)).isInstanceOf(FencedOutException.class);

    assertThat(recording().methods()).containsExactly("putLink");
  }

  @Test
  void anEmptyBatchNamesNoMailbox() {
    store.putLinks(List.of(), 0);
    store.putLinksAndCursors(List.of(), List.of(), Map.of(), 0);

    assertThat(recording().calls()).containsExactly(new Call("putLinks", null, 0, 0),
        new Call("putLinksAndCursors", null, 0, 0));
  }

  @Test
  void clearForgetsWhatWasRecordedAndKeepsRecording() {
    enrollAndClaim(ALICE);
    recording().clear();
    enrollAndClaim(BOB);

    assertThat(recording().calls()).containsExactly(new Call("putEnrollment", BOB, 0, 0),
        new Call("claimFence", BOB, 0, 0));
  }

  /** A write method added to the interface later must be recorded too, or a test's record has a hole. */
  @Test
  void everyWriteOfTheInterfaceIsRecorded() throws NoSuchMethodException {
    for (Method m : SyncStateStore.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      boolean write = m.getReturnType() == void.class && !m.getName().equals("upkeep")
          || m.getName().equals("claimFence") || m.getName().equals("pruneAccessAudit");
      Method impl = RecordingSyncStateStore.class.getMethod(m.getName(), m.getParameterTypes());
      assertThat(impl.getDeclaringClass() == RecordingSyncStateStore.class)
          .as(m.getName() + Arrays.toString(m.getParameterTypes()) + " recorded").isEqualTo(write);
    }
  }

  @Test
  void writesFromManyThreadsAreAllRecorded() throws Exception {
    int threads = 4;
    int writes = 500;
    List<MailboxId> mailboxes = new ArrayList<>();
    Map<MailboxId, Long> fences = new HashMap<>();
    for (int t = 0; t < threads; t++) {
      MailboxId m = MailboxId.of("contoso", "oid-" + t);
      mailboxes.add(m);
      fences.put(m, enrollAndClaim(m));
    }
    recording().clear();
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (MailboxId m : mailboxes) {
        done.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          for (int i = 0; i < writes; i++) {
            store.putLink(link(m, "c" + i), fences.get(m));
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    List<Call> calls = recording().calls();
    assertThat(calls).hasSize(threads * writes);
    for (MailboxId m : mailboxes) {
      assertThat(calls).filteredOn(c -> m.equals(c.mailbox())).hasSize(writes);
      assertThat(store.links(m, Resource.EVENTS)).hasSize(writes);
    }
  }
}

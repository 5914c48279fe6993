package io.m365sync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.state.IdLink;
import io.m365sync.state.SyncStateStore;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which of a store's calls a forwarding store hands on as they are, and which it splits. */
class ForwardingSyncStateStoreTest {
  private static final MailboxId ALICE = new MailboxId(TenantId.of("t1"), "alice");
  private static final List<IdLink> LINKS = List.of(link("c1", "r1"), link("c2", "r2"), link("c3", "r3"));

  @Test
  void delegatingDefaultsHandsABatchWriteToTheStoreAsOneCall() {
    RecordingSyncStateStore store = new RecordingSyncStateStore(SyncStateStore.inMemory());
    SyncStateStore watched = new ForwardingSyncStateStore(store, ForwardingSyncStateStore.Defaults.DELEGATE) {};

    watched.putLinksAndCursors(LINKS, List.of(), Map.of(), 0);
    watched.putLinks(LINKS, 0);

    assertEquals(List.of("putLinksAndCursors", "putLinks"), store.methods());
    assertEquals(3, store.links(ALICE, Resource.EVENTS).size());
  }

  @Test
  void interfaceDefaultsPassABatchWriteThroughTheSingleWrites() {
    RecordingSyncStateStore store = new RecordingSyncStateStore(SyncStateStore.inMemory());
    List<String> seen = new ArrayList<>();
    SyncStateStore watched = new ForwardingSyncStateStore(store) {
      @Override
      public void putLink(IdLink link, long fence) {
        seen.add(link.crmId()); // what a test that fails or slows single writes relies on
        super.putLink(link, fence);
      }
    };

    watched.putLinksAndCursors(LINKS, List.of(), Map.of(), 0);

    assertEquals(List.of("c1", "c2", "c3"), seen);
    assertEquals(List.of("putLink", "putLink", "putLink"), store.methods());
  }

  /** A default method added to the interface later must be forwarded too, or a watched store loses it. */
  @Test
  void everyDefaultMethodOfTheInterfaceIsForwardable() throws NoSuchMethodException {
    for (Method m : SyncStateStore.class.getMethods()) {
      if (m.isDefault()) {
        Method impl = ForwardingSyncStateStore.class.getMethod(m.getName(), m.getParameterTypes());
        assertEquals(ForwardingSyncStateStore.class, impl.getDeclaringClass(),
            m.getName() + Arrays.toString(m.getParameterTypes()) + " is not forwarded");
      }
    }
    assertTrue(Arrays.stream(SyncStateStore.class.getMethods()).anyMatch(Method::isDefault));
  }

  private static IdLink link(String crmId, String remoteId) {
    return new IdLink(ALICE, Resource.EVENTS, crmId, remoteId, "ck", 1);
  }
}

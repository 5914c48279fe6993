package io.m365sync.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.m365sync.NotEnrolledException;
import io.m365sync.state.SyncStateStore;
import org.junit.jupiter.api.Test;

/** Core's in-memory store passes the contract every store must pass. */
class InMemorySyncStateStoreTest extends SyncStateStoreContract {
  @Override
  protected SyncStateStore newStore() {
    return SyncStateStore.inMemory();
  }

  @Test
  void aRefusedClaimRaisesNoFence() {
    assertThrows(NotEnrolledException.class, () -> store.claimFence(ALICE));
    assertThrows(NotEnrolledException.class, () -> store.claimFence(ALICE));
    // fences count per mailbox: had the refused claims counted, Alice's first lease would be above Bob's
    assertEquals(enrollAndClaim(BOB), enrollAndClaim(ALICE));
  }
}

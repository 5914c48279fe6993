package io.m365sync.testkit;

import io.m365sync.state.SyncStateStore;

/** Core's in-memory store passes the contract every store must pass. */
class InMemorySyncStateStoreTest extends SyncStateStoreContract {
  @Override
  protected SyncStateStore newStore() {
    return SyncStateStore.inMemory();
  }
}

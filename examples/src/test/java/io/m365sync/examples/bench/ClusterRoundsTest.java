package io.m365sync.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.state.IdLink;
import io.m365sync.state.SyncStateStore;
import io.m365sync.testkit.RecordingSyncStateStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cluster benchmark's witness watches the fence claims and nothing else: a page's links reach
 * the store measured as one batch write (one transaction), not a transaction per link, which made
 * the measured cluster path cost PostgreSQL and the JVM about ten times what a node costs.
 */
class ClusterRoundsTest {
  private static final MailboxId ALICE = new MailboxId(TenantId.of("t1"), "alice");

  @Test
  void aPageOfLinksReachesTheStoreAsOneWrite() {
    RecordingSyncStateStore measured = new RecordingSyncStateStore(SyncStateStore.inMemory());
    SyncStateStore node = new ClusterRounds().store(measured, "node-a");
    List<IdLink> page = List.of(new IdLink(ALICE, Resource.EVENTS, "c1", "r1", "ck", 1),
        new IdLink(ALICE, Resource.EVENTS, "c2", "r2", "ck", 1));

    node.putLinksAndCursors(List.of(), page, Map.of(), 0);

    assertThat(measured.methods()).containsExactly("putLinksAndCursors");
    assertThat(node.links(ALICE, Resource.EVENTS)).hasSize(2);
  }
}

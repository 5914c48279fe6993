package io.m365sync.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.SyncOptions;
import io.m365sync.state.CursorKey;
import io.m365sync.state.SyncStateStore;
import io.m365sync.testkit.emulator.Latency;
import io.m365sync.testkit.emulator.M365Emulator;
import io.m365sync.testkit.model.GraphLimits;
import io.m365sync.testkit.model.ModelUser;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The production stack over HTTP against the emulator with latency and Graph's per-mailbox limits:
 * one calendar of 1,200 events (12 pages) is read as time slices, 4 delta chains at once, never more
 * than 4 requests in flight for the mailbox and no 429, and every event lands in the CRM once; the
 * next round reads the whole window and keeps its one link. Not timed.
 */
class SlicedCalendarOverHttpTest {

  @Test
  void aLargeCalendarIsReadAsSeveralChainsWithinGraphsLimitsThenKeptOnOneLink() throws Exception {
    BenchWorld world = new BenchWorld(Clock.systemUTC());
    world.tenant.graphLimits(GraphLimits.OUTLOOK);
    List<ModelUser> users = world.addMailboxes("large", 1, 1_200);
    SyncStateStore store = SyncStateStore.inMemory();
    try (M365Emulator emulator = new M365Emulator(world.cloud).threads(8).maxRecordedRequests(0).start();
         FullStackPath path = new FullStackPath(emulator, world.tenant, world.clock, store, SyncOptions.defaults(),
             Set.of(Resource.EVENTS))) {
      emulator.graphLatency(Latency.fixed(Duration.ofMillis(40)));
      Throttling.reset(world.tenant);
      path.enroll(users, world.clock);
      MailboxId id = path.id(users.get(0));

      path.syncUntilApplied(1_200, world.clock, Duration.ofMinutes(2));

      Throttling t = Throttling.of(world.tenant);
      assertThat(t.throttled()).isZero();
      assertThat(t.maxInFlight()).isBetween(2, 4); // chains at once, within Outlook's 4
      assertThat(path.duplicates(users)).isZero();
      assertThat(path.events.list(id)).hasSize(1_200);
      assertThat(t.graphRequests()).as("two pages of the whole window, then slices").isGreaterThan(12 + 2);
      assertThat(store.cursor(new CursorKey(id, Resource.EVENTS, ""))).isEmpty(); // no slice keeps a link

      Throttling.reset(world.tenant);
      path.engine.syncMailbox(id);

      assertThat(Throttling.of(world.tenant).graphRequests()).as("the whole window's 12 pages").isEqualTo(12);
      assertThat(store.cursor(new CursorKey(id, Resource.EVENTS, ""))).isPresent();
      assertThat(path.events.list(id)).hasSize(1_200);
      assertThat(path.duplicates(users)).isZero();
    }
  }
}

package io.m365sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.Mailbox;
import io.m365sync.Resource;
import io.m365sync.SyncEngine;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.FakeMicrosoft365;
import io.m365sync.testkit.InMemoryCrmStore;
import io.m365sync.testkit.model.GraphLimits;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.ModelUser;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A calendar's delta reports an event moved out of the window exactly as a deleted one, so a round
 * asks Microsoft 365 about each linked event reported removed before it deletes the CRM record. Those
 * questions go as many at once as the mailbox may have requests in flight (4), not one after another:
 * a mass deletion in Outlook would otherwise take its count × Graph's latency. One question per event.
 */
class DeletedEventsConfirmedAtOnceTest {
  private static final int EVENTS = 20;
  private static final int DELETED = 8;

  private final FakeMicrosoft365 m365 = FakeMicrosoft365.create();
  private final ModelUser user = m365.addUser("calendar");
  private final ItemCollection<CalendarEvent> calendar = m365.mailbox(user).calendar();
  private final InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("event");
  private final HookedGateway gateway = new HookedGateway(m365.gateway());
  private final ExecutorService pool = Executors.newFixedThreadPool(8);

  @AfterEach
  void close() {
    pool.shutdownNow();
  }

  @Test
  void eventsDeletedInOutlookAreConfirmedFourAtOnce() {
    m365.tenant().graphLimits(GraphLimits.OUTLOOK);
    List<String> ids = new ArrayList<>();
    Instant start = m365.clock().instant().plus(Duration.ofDays(1));
    for (int i = 0; i < EVENTS; i++) {
      Instant s = start.plus(Duration.ofHours(3L * i));
      ids.add(calendar.create(CalendarEvent.simple("Meeting " + i, s, s.plus(Duration.ofMinutes(30)))).id());
    }
    SyncEngine engine = SyncEngine.builder().clock(m365.clock()).gateway(gateway).executor(pool)
        .delegatedTokens(m365.delegatedTokens()).stateStore(SyncStateStore.inMemory())
        .resource(ResourceSyncers.oneWay(ResourceType.EVENTS, crm)).build();
    Mailbox mailbox = m365.signIn(user, Set.of(Resource.EVENTS));
    engine.enroll(mailbox);
    engine.syncMailbox(mailbox.id());
    assertThat(crm.items(mailbox.id())).hasSize(EVENTS);

    ids.subList(0, DELETED).forEach(id -> calendar.delete(id, null));
    m365.clock().advance(Duration.ofMinutes(5));
    InFlightTogether four = new InFlightTogether(4);
    gateway.beforeGet = four;

    engine.syncMailbox(mailbox.id());

    assertThat(four.met()).as("first questions that met three others in flight").isEqualTo(4);
    assertThat(gateway.gets.get()).as("one question per deleted event").isEqualTo(DELETED);
    assertThat(crm.items(mailbox.id())).hasSize(EVENTS - DELETED);
    assertThat(m365.tenant().peakRequestsInFlight().get(user.objectId())).isLessThanOrEqualTo(4);
    assertThat(m365.cloud().log().count(r -> r.isGraph() && r.status() == 429)).isZero();
  }
}

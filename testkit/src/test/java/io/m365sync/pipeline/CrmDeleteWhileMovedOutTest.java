package io.m365sync.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.ConflictPolicy;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.sync.TwoWayOptions;
import io.m365sync.testkit.InMemoryCrmStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Found by {@link EventsTwoWayPropertiesTest} (shrunk: create, sync, Outlook moves the meeting out of
 * the window, the CRM deletes its record): the @removed of the move met a CRM record already deleted
 * and the round dropped the link, so the CRM deletion never went out. Outlook kept the meeting and,
 * once the window reached it again, it came back to the CRM as a new record, even with CRM_WINS.
 * Now the confirming GET tells that the meeting lives on, and the CRM deletion is decided as any
 * other: pushed (with If-Match, forced when the CRM wins).
 */
class CrmDeleteWhileMovedOutTest {
  final SyncBench bench = new SyncBench(Set.of(Resource.EVENTS));
  final MailboxId mailbox = bench.mailbox.id();
  final InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("event");

  @Test
  void crmWinsDeletesTheMeetingInOutlook() {
    play(ConflictPolicy.CRM_WINS);

    assertThat(bench.box.calendar().all()).isEmpty();
    assertThat(crm.list(mailbox)).isEmpty();
    assertThat(bench.durable.links(mailbox, Resource.EVENTS)).isEmpty();
  }

  @Test
  void microsoftWinsBringsTheMeetingBackOnceWhenTheWindowReachesIt() {
    play(ConflictPolicy.MICROSOFT_WINS);

    assertThat(bench.box.calendar().all()).hasSize(1);
    assertThat(crm.list(mailbox)).singleElement().satisfies(r -> assertThat(r.item().subject()).isEqualTo("Review v1"));
    assertThat(bench.durable.links(mailbox, Resource.EVENTS)).hasSize(1);
  }

  /** Synced; Outlook moves it 400 days ahead while the CRM deletes it; synced; 60 days later it is back in the window. */
  private void play(ConflictPolicy policy) {
    ResourceSyncer<CalendarEvent> syncer = ResourceSyncers.twoWay(ResourceType.EVENTS, crm,
        TwoWayOptions.<CalendarEvent>builder().policy(policy).build());
    Instant start = bench.m365.clock().instant().truncatedTo(ChronoUnit.HOURS);
    String id = bench.box.calendar().create(CalendarEvent.simple("Review v0", start, start.plusSeconds(3600))).id();
    bench.round(syncer);

    Instant later = start.plus(Duration.ofDays(400));
    bench.box.calendar().update(id, null, CalendarEvent.simple("Review v1", later, later.plusSeconds(3600)));
    crm.list(mailbox).forEach(r -> crm.delete(mailbox, r.crmId()));
    bench.round(syncer);
    bench.round(syncer);
    bench.m365.clock().advance(Duration.ofDays(60));
    bench.m365.signIn(bench.user, Set.of(Resource.EVENTS));
    bench.round(syncer);
    bench.round(syncer);
  }
}

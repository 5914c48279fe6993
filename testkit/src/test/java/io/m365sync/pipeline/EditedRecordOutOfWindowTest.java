package io.m365sync.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.SyncItems;
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
 * Found by {@link EventsTwoWayPropertiesTest}: a meeting deleted in Outlook while the CRM moved its
 * record out of the calendar window. The deletion arrives as {@code @removed}; the record's times
 * (the CRM's, not Outlook's) said "left the window", so the deletion was dropped for good, and every
 * later CRM edit of the record met a 404 and was deferred to a next round that never came: the CRM kept
 * a meeting linked to nothing. The times of a CRM-edited record tell nothing about the item, so the
 * deletion is confirmed with Microsoft 365 and decided as a conflict by the policy.
 */
class EditedRecordOutOfWindowTest {
  final SyncBench bench = new SyncBench(Set.of(Resource.EVENTS));
  final MailboxId mailbox = bench.mailbox.id();
  final InMemoryCrmStore<CalendarEvent> crm = new InMemoryCrmStore<>("event");

  @Test
  void microsoftWinsDeletesTheRecord() {
    play(ConflictPolicy.MICROSOFT_WINS);

    assertThat(crm.list(mailbox)).isEmpty();
    assertThat(bench.box.calendar().all()).isEmpty();
    assertThat(bench.durable.links(mailbox, Resource.EVENTS)).isEmpty();
  }

  @Test
  void crmWinsPutsTheMeetingBackWithTheCrmsLastEdit() {
    play(ConflictPolicy.CRM_WINS);

    assertThat(bench.box.calendar().all()).singleElement()
        .satisfies(e -> assertThat(e.item().subject()).isEqualTo("Review v2"));
    assertThat(crm.list(mailbox)).singleElement()
        .satisfies(r -> assertThat(SyncItems.withoutReservedExtensions(r.item())).isEqualTo(SyncItems.withoutReservedExtensions(bench.box.calendar().all().get(0).item())));
  }

  /** Synced; Outlook deletes it while the CRM moves it 31 days back (out of the window); synced; the CRM moves it back. */
  private void play(ConflictPolicy policy) {
    ResourceSyncer<CalendarEvent> syncer = ResourceSyncers.twoWay(ResourceType.EVENTS, crm,
        TwoWayOptions.<CalendarEvent>builder().policy(policy).build());
    Instant start = bench.m365.clock().instant().truncatedTo(ChronoUnit.HOURS);
    String id = bench.box.calendar().create(CalendarEvent.simple("Review v0", start, start.plusSeconds(3600))).id();
    bench.round(syncer);

    bench.box.calendar().delete(id, null);
    moveInCrm("Review v1", start.minus(Duration.ofDays(31)));
    bench.round(syncer);
    moveInCrm("Review v2", start);
    bench.round(syncer);
    bench.round(syncer);
  }

  private void moveInCrm(String subject, Instant start) {
    crm.list(mailbox).forEach((CrmRecord<CalendarEvent> r) -> crm.save(mailbox, r.crmId(),
        r.item().toBuilder().subject(subject).start(start).end(start.plusSeconds(3600)).build()));
  }
}

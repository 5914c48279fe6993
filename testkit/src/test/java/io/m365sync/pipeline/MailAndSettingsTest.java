package io.m365sync.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.RemoteUnavailableException;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.EmailAddress;
import io.m365sync.model.MailMessage;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.CursorKey;
import io.m365sync.sync.MailOptions;
import io.m365sync.sync.MailboxSettingsOptions.Direction;
import io.m365sync.sync.MailboxSettingsOptions;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.sync.WrittenSoFar;
import io.m365sync.testkit.ForwardingGateway;
import io.m365sync.testkit.InMemoryCrmStore;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Mail capture (moves, copies, filter, attachment cap, crashes) and mailbox settings per-field direction. */
class MailAndSettingsTest {
  final SyncBench bench = new SyncBench(EnumSet.of(Resource.MAIL, Resource.MAILBOX_SETTINGS));
  final MailboxId mailbox = bench.mailbox.id();
  final InMemoryCrmStore<MailMessage> crm = new InMemoryCrmStore<>("mail");
  final Instant received = Instant.parse("2026-01-05T08:00:00Z");

  MailMessage message(String subject, String from, String msgId, List<MailMessage.Attachment> attachments) {
    return new MailMessage(subject, EmailAddress.of(from), List.of(EmailAddress.of("bench@contoso.com")), List.of(),
        received, "Hello", msgId, null, attachments, Map.of());
  }

  @Test
  void movingAMessageBetweenFoldersNeverCapturesItTwice() {
    ResourceSyncer<MailMessage> syncer = ResourceSyncers.mail(crm);
    String id = bench.box.mail("inbox").create(message("Offer", "buyer@example.com", "<offer-1@example.com>", List.of())).id();
    bench.round(syncer);
    assertThat(crm.list(mailbox)).hasSize(1);

    bench.box.moveMessage(id, "sentitems");
    bench.round(syncer);
    bench.box.moveMessage(id, "archive"); // out of the synced folders: the CRM keeps it
    bench.round(syncer);
    bench.box.moveMessage(id, "inbox");
    bench.round(syncer);
    bench.box.mail("inbox").evictDeltaTokens();
    bench.box.mail("sentitems").evictDeltaTokens();
    bench.round(syncer);

    assertThat(crm.list(mailbox)).hasSize(1);
    assertThat(crm.creates()).isEqualTo(1);
  }

  @Test
  void aMoveAcrossACrashIsStillCapturedOnce() {
    ResourceSyncer<MailMessage> syncer = ResourceSyncers.mail(crm);
    String id = bench.box.mail("inbox").create(message("Offer", "buyer@example.com", "<offer-2@example.com>", List.of())).id();
    bench.crash.arm(3, true); // delta, delta, crm.save → dies after the save, before the link
    bench.roundSurvivingCrash(syncer);
    bench.box.moveMessage(id, "sentitems");
    bench.round(syncer);
    bench.round(syncer);
    assertThat(crm.list(mailbox)).hasSize(1);
  }

  @Test
  void aCopyIsNeverCapturedTwiceWhateverStepTheCaptureCrashedAt() {
    for (int k = 1; k <= 12; k++) {
      SyncBench b = new SyncBench(EnumSet.of(Resource.MAIL));
      InMemoryCrmStore<MailMessage> store = new InMemoryCrmStore<>("mail");
      ResourceSyncer<MailMessage> syncer = ResourceSyncers.mail(store);
      b.round(syncer); // the folders' delta links: later rounds are incremental
      MailMessage offer = message("Offer", "buyer@example.com", "<offer-3@example.com>", List.of());
      b.box.mail("inbox").create(offer);
      b.crash.arm(k, true);
      b.roundSurvivingCrash(syncer);
      b.round(syncer);
      b.box.mail("sentitems").create(offer); // a copy: another id, the same Internet Message-ID
      b.round(syncer);
      b.round(syncer);
      assertThat(store.list(b.mailbox.id())).as("crash after step %d", k).hasSize(1);
    }
  }

  @Test
  void theOrphanOfACrashedCaptureIsKeptWhenItsMessageIsDeletedBeforeTheReplay() {
    ResourceSyncer<MailMessage> syncer = ResourceSyncers.mail(crm);
    bench.round(syncer);
    String id = bench.box.mail("inbox").create(message("Offer", "buyer@example.com", "<offer-4@example.com>", List.of())).id();
    bench.crash.arm(4, true); // delta, delta, write-ahead note, crm.save → dies after the save, before the link
    assertThat(bench.roundSurvivingCrash(syncer)).isNull();
    bench.box.mail("inbox").delete(id, null);
    bench.round(syncer);
    bench.round(syncer);

    assertThat(crm.list(mailbox)).as("captured mail is never deleted").hasSize(1);
    assertThat(bench.durable.cursor(new CursorKey(mailbox, Resource.MAIL, "m365sync:pending-creates")))
        .as("the write-ahead note is settled, not left behind").isEmpty();
  }

  @Test
  void refilingManyCapturedMessagesUpdatesThemAndIsNeverQuarantined() {
    ResourceSyncer<MailMessage> syncer = ResourceSyncers.mail(crm);
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(bench.box.mail("inbox").create(message("Offer " + i, "buyer@example.com", "<o-" + i + "@example.com>",
          List.of())).id());
    }
    bench.round(syncer);
    for (String id : ids) {
      bench.box.mail("inbox").patch(id, null, m -> new MailMessage("[filed] " + m.subject(), m.from(), m.to(), m.cc(),
          m.receivedAt(), m.bodyPreview(), m.internetMessageId(), m.folderId(), m.attachments(), m.extensions()));
    }
    ResourceResult result = bench.round(syncer);

    assertThat(result.outcome()).isEqualTo(ResourceResult.Outcome.SYNCED);
    assertThat(result.updated()).isEqualTo(20);
    assertThat(crm.items(mailbox)).hasSize(20).allSatisfy(m -> assertThat(m.subject()).startsWith("[filed] "));
  }

  @Test
  void theHostFilterDecidesCaptureAndBigAttachmentsAreLeftOut() {
    ResourceSyncer<MailMessage> syncer = ResourceSyncers.mail(crm, MailOptions.defaults()
        .withCapture(m -> m.from() != null && m.from().address().endsWith("@customer.com"))
        .withMaxAttachmentSize(1_000_000));
    bench.box.mail("inbox").create(message("Newsletter", "news@spam.com", "<n-1@spam.com>", List.of()));
    bench.box.mail("inbox").create(message("Contract", "ceo@customer.com", "<c-1@customer.com>", List.of(
        new MailMessage.Attachment("contract.pdf", "application/pdf", 200_000),
        new MailMessage.Attachment("video.mp4", "video/mp4", 50_000_000))));
    bench.round(syncer);

    assertThat(crm.items(mailbox)).singleElement().satisfies(m -> {
      assertThat(m.subject()).isEqualTo("Contract");
      assertThat(m.attachments()).extracting(MailMessage.Attachment::name).containsExactly("contract.pdf");
      assertThat(m.extensions()).containsEntry(MailOptions.ATTACHMENTS_OMITTED, "1");
    });
  }

  @Test
  void aSettingsRoundWhosePushFailsStillReportsTheCrmRecordItUpdated() {
    InMemoryCrmStore<MailboxSettings> settings = new InMemoryCrmStore<>("settings");
    ResourceSyncer<MailboxSettings> syncer = syncedThenChangedOnBothSides(settings);
    MailboxGateway pushFails = new ForwardingGateway(bench.gateway) {
      @Override
      public <T extends SyncItem> WriteResult update(MailboxSession session, ResourceType<T> type, String container,
                                                     String remoteId, String ifMatch, ItemPatch<T> patch) {
        throw new RemoteUnavailableException("dropped connection", mailbox, Resource.MAILBOX_SETTINGS, 503, null, null,
            null);
      }
    };
    WrittenSoFar written = new WrittenSoFar();

    assertThatThrownBy(() -> bench.round(syncer, pushFails, written)).isInstanceOf(RemoteUnavailableException.class);

    assertThat(settings.items(mailbox).get(0).timeZone()).as("the CRM took Outlook's time zone").isEqualTo(
        "Pacific Standard Time");
    assertThat(written.updated()).as("and the failed round says so").isEqualTo(1);
    assertThat(written.created() + written.deleted()).isZero();
  }

  /**
   * Settings synced once (time zone Outlook → CRM, automatic replies CRM → Outlook, working hours neither),
   * then Outlook's time zone changed and the CRM's automatic replies turned on, its working hours cleared.
   */
  private ResourceSyncer<MailboxSettings> syncedThenChangedOnBothSides(InMemoryCrmStore<MailboxSettings> settings) {
    ResourceSyncer<MailboxSettings> syncer = ResourceSyncers.mailboxSettings(settings,
        new MailboxSettingsOptions(Direction.MICROSOFT_TO_CRM, Direction.NONE, Direction.CRM_TO_MICROSOFT));
    bench.round(syncer);
    MailboxSettings first = settings.items(mailbox).get(0);
    assertThat(first.timeZone()).isEqualTo("UTC");
    MailboxSettings ms = bench.box.settings();
    bench.box.updateSettings(new MailboxSettings("Pacific Standard Time", ms.workingHours(), ms.automaticReplies(),
        Map.of()));
    settings.save(mailbox, settings.list(mailbox).get(0).crmId(), new MailboxSettings(first.timeZone(), null,
        new MailboxSettings.AutomaticReplies("alwaysEnabled", "On leave", "On leave"), Map.of()));
    return syncer;
  }

  @Test
  void mailboxSettingsFlowPerFieldAsConfigured() {
    InMemoryCrmStore<MailboxSettings> settings = new InMemoryCrmStore<>("settings");
    ResourceSyncer<MailboxSettings> syncer = syncedThenChangedOnBothSides(settings);
    MailboxSettings ms = bench.box.settings();
    bench.round(syncer);
    var unchanged = bench.round(syncer);

    assertThat(settings.items(mailbox).get(0).timeZone()).isEqualTo("Pacific Standard Time");
    assertThat(settings.items(mailbox).get(0).workingHours()).as("NONE: the CRM keeps its own").isNull();
    assertThat(bench.box.settings().automaticReplies().status()).isEqualTo("alwaysEnabled");
    assertThat(bench.box.settings().workingHours()).isEqualTo(ms.workingHours());
    assertThat(unchanged.applied()).isZero();
    assertThat(settings.list(mailbox)).hasSize(1);
  }
}

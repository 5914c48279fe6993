package io.m365sync.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmRecord;
import io.m365sync.model.MailboxSettings;
import io.m365sync.sync.MailboxSettingsOptions.Direction;
import io.m365sync.sync.MailboxSettingsOptions;
import io.m365sync.sync.ResourceSyncers;
import io.m365sync.testkit.InMemoryCrmStore;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Mailbox settings, each field its own direction, through SyncEngine + MSAL4J + the Graph SDK gateway + the emulator. */
class MailboxSettingsEndToEndTest {
  final E2eWorld world = new E2eWorld();
  final InMemoryCrmStore<MailboxSettings> crm = new InMemoryCrmStore<>("settings");

  @AfterEach
  void close() {
    world.close();
  }

  @Test
  void eachFieldFlowsTheConfiguredWay() {
    MailboxId id = world.signIn(ResourceSyncers.mailboxSettings(crm,
        new MailboxSettingsOptions(Direction.MICROSOFT_TO_CRM, Direction.NONE, Direction.CRM_TO_MICROSOFT))).id();
    world.sync();
    MailboxSettings first = crm.items(id).get(0);
    MailboxSettings.WorkingHours outlookHours = world.box.settings().workingHours();

    // Outlook: new time zone and working hours; CRM: automatic replies on, its own working hours
    MailboxSettings ms = world.box.settings();
    world.box.updateSettings(new MailboxSettings("Pacific Standard Time",
        new MailboxSettings.WorkingHours(List.of("monday", "tuesday"), LocalTime.of(7, 0), LocalTime.of(15, 0),
            "Pacific Standard Time"), ms.automaticReplies(), Map.of()));
    CrmRecord<MailboxSettings> rec = crm.list(id).get(0);
    crm.save(id, rec.crmId(), new MailboxSettings(first.timeZone(),
        new MailboxSettings.WorkingHours(List.of("friday"), LocalTime.of(10, 0), LocalTime.of(12, 0), "UTC"),
        new MailboxSettings.AutomaticReplies("alwaysEnabled", "On leave", "On leave"), Map.of()));
    world.sync();
    var quiet = world.sync();

    MailboxSettings inCrm = crm.items(id).get(0);
    assertThat(inCrm.timeZone()).as("MICROSOFT_TO_CRM").isEqualTo("Pacific Standard Time");
    assertThat(inCrm.workingHours().daysOfWeek()).as("NONE: the CRM keeps its own").containsExactly("friday");
    assertThat(world.box.settings().workingHours().daysOfWeek()).as("NONE: Outlook keeps its own")
        .containsExactly("monday", "tuesday");
    assertThat(world.box.settings().automaticReplies().status()).as("CRM_TO_MICROSOFT").isEqualTo("alwaysEnabled");
    assertThat(world.box.settings().automaticReplies().internalReplyMessage()).isEqualTo("On leave");
    assertThat(world.box.settings().timeZone()).isEqualTo("Pacific Standard Time");
    assertThat(outlookHours).isNotNull();
    assertThat(world.requests("PATCH", "/mailboxSettings")).hasSize(1);
    assertThat(quiet.applied()).isZero();
    assertThat(crm.list(id)).hasSize(1);
  }
}

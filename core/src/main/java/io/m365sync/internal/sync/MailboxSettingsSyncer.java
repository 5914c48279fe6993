package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.gateway.Change;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.ResourceType;
import io.m365sync.sync.MailboxSettingsOptions.Direction;
import io.m365sync.sync.MailboxSettingsOptions;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.SyncRound;
import java.util.List;
import java.util.Map;

/**
 * Mailbox settings: read the snapshot → diff with the CRM's record field by field → write each
 * field's value the configured way. Idempotent: a replayed or repeated round writes nothing.
 */
public final class MailboxSettingsSyncer implements ResourceSyncer<MailboxSettings> {
  private final CrmStore<MailboxSettings> crm;
  private final MailboxSettingsOptions options;

  public MailboxSettingsSyncer(CrmStore<MailboxSettings> crm, MailboxSettingsOptions options) {
    this.crm = crm;
    this.options = options;
  }

  @Override
  public ResourceType<MailboxSettings> type() {
    return ResourceType.MAILBOX_SETTINGS;
  }

  @Override
  public ResourceResult sync(SyncRound round) {
    MailboxId mailbox = round.mailbox().id();
    DeltaPage<MailboxSettings> page = round.gateway().delta(round.session(), ResourceType.MAILBOX_SETTINGS,
        new DeltaRequest(null, null, null, null, 1));
    List<Change<MailboxSettings>> changes = page.changes();
    if (changes.isEmpty() || changes.get(0).item() == null) {
      return ResourceResult.skipped(ResourceType.MAILBOX_SETTINGS.resource(), "Microsoft 365 returned no settings");
    }
    Change<MailboxSettings> snapshot = changes.get(0);
    MailboxSettings remote = Reserved.strip(snapshot.item());
    List<CrmRecord<MailboxSettings>> records = crm.list(mailbox);
    CrmRecord<MailboxSettings> rec = records.isEmpty() ? null : records.get(0);
    MailboxSettings local = rec == null ? null : rec.item();

    MailboxSettings wantCrm = new MailboxSettings(
        pick(options.timeZone(), remote.timeZone(), local == null ? remote.timeZone() : local.timeZone(), true),
        pick(options.workingHours(), remote.workingHours(), local == null ? remote.workingHours() : local.workingHours(), true),
        pick(options.automaticReplies(), remote.automaticReplies(),
            local == null ? remote.automaticReplies() : local.automaticReplies(), true),
        local == null ? Map.of() : local.extensions());
    MailboxSettings wantRemote = new MailboxSettings(
        pick(options.timeZone(), remote.timeZone(), wantCrm.timeZone(), false),
        pick(options.workingHours(), remote.workingHours(), wantCrm.workingHours(), false),
        pick(options.automaticReplies(), remote.automaticReplies(), wantCrm.automaticReplies(), false),
        remote.extensions());

    int created = 0;
    int updated = 0;
    if (local == null) {
      crm.save(mailbox, null, wantCrm);
      created++;
    } else if (!wantCrm.equals(local)) {
      crm.save(mailbox, rec.crmId(), wantCrm);
      updated++;
    }
    boolean pushed = false;
    if (!wantRemote.equals(remote)) {
      // the CRM holds its record now: a failing push still reports it
      round.written().set(created, updated, 0, ResourceResult.Pushed.NONE);
      round.gateway().update(round.session(), ResourceType.MAILBOX_SETTINGS, null, snapshot.remoteId(), snapshot.changeKey(),
          ItemPatch.full(wantRemote));
      pushed = true;
    }
    return new ResourceResult(ResourceType.MAILBOX_SETTINGS.resource(), round.session().mode(),
        ResourceResult.Outcome.SYNCED, created, updated, 0, created + updated == 0 && !pushed ? 1 : 0, false,
        pushed ? "to Microsoft 365: settings updated" : null, null, java.util.List.of(),
        pushed ? new ResourceResult.Pushed(0, 1, 0) : ResourceResult.Pushed.NONE);
  }

  /** The value a field should have on the CRM side ({@code forCrm}) or on Microsoft 365. */
  private static <V> V pick(Direction d, V remote, V crm, boolean forCrm) {
    return switch (d) {
      case MICROSOFT_TO_CRM -> remote;
      case CRM_TO_MICROSOFT -> crm;
      case NONE -> forCrm ? crm : remote;
    };
  }
}

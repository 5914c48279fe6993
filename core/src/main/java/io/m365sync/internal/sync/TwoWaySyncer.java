package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.resource.CalendarEvent;
import io.m365sync.resource.CrmChanges;
import io.m365sync.resource.CrmRecord;
import io.m365sync.resource.CrmStore;
import io.m365sync.resource.MassChangeQuarantine;
import io.m365sync.resource.ResourceResult;
import io.m365sync.resource.ResourceSyncer;
import io.m365sync.resource.ResourceType;
import io.m365sync.resource.SyncItem;
import io.m365sync.resource.SyncRound;
import io.m365sync.resource.TwoWayOptions;
import io.m365sync.state.CursorKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Two-way sync of one resource, as a pipeline of small steps:
 * pull ({@link DeltaReader}) → read CRM changes → map ids and resolve ({@link Planner},
 * {@link ConflictArbiter}) → guard ({@link MassChangeGuard}) → journal → apply to the CRM
 * ({@link CrmApplier}) → push to Microsoft 365 ({@link RemotePusher}) → commit delta links, window
 * and CRM watermark.
 *
 * <p>Nothing is committed before every write of the round is done, so a crash anywhere replays the
 * round; every step is idempotent against a replay (id map, change keys, CRM versions, content
 * fingerprints, write-ahead markers). Stateless between rounds; one instance serves every mailbox.
 */
public final class TwoWaySyncer<T extends SyncItem> implements ResourceSyncer<T> {
  private final ResourceType<T> type;
  private final CrmStore<T> crm;
  private final TwoWayOptions<T> options;
  private final ItemRules<T> rules;
  private final DeltaReader<T> reader;
  private final MassChangeGuard guard;

  @SuppressWarnings("unchecked")
  public TwoWaySyncer(ResourceType<T> type, CrmStore<T> crm, TwoWayOptions<T> options) {
    this.type = type;
    this.crm = crm;
    this.options = options;
    boolean events = type == ResourceType.EVENTS;
    this.rules = events ? (ItemRules<T>) ItemRules.events(options.notifyAttendeesOnUpdate()) : ItemRules.plain();
    this.reader = new DeltaReader<>(type, events ? List.of() : options.containers(), events);
    this.guard = new MassChangeGuard(options.maxChangeShare(), options.guardMinimumItems(), options.releaseQuarantine());
  }

  @Override
  public ResourceType<T> type() {
    return type;
  }

  @Override
  public ResourceResult sync(SyncRound round) {
    MailboxId mailbox = round.mailbox().id();
    Markers markers = new Markers(round, type.resource());
    Counts counts = new Counts();

    Pulled<T> pulled = reader.read(round, markers, desiredWindow(round), options.windowSlide());
    counts.fullResync = pulled.full();
    CrmChanges<T> crmChanges = crm.changesSince(mailbox, markers.get(Markers.crmWatermark()).orElse(null));
    List<CrmRecord<T>> local = localChanges(mailbox, crmChanges, pulled.full());

    Plan<T> plan = new Planner<>(type, crm, options, rules).plan(round, markers, pulled, local);
    int known = round.state().links(mailbox, type.resource()).size();
    boolean released = QuarantineRelease.granted(round.state(), mailbox, type.resource());
    Optional<MassChangeQuarantine> quarantine = released ? Optional.empty()
        : guard.check(mailbox, type.resource(), plan, known);
    if (quarantine.isPresent()) {
      return ResourceResult.quarantined(quarantine.get(), round.session().mode(), plan.unchanged, pulled.full());
    }
    plan.conflicts.forEach(options.journal()::record);

    SyncContext<T> ctx = new SyncContext<>(round, type, crm, rules, markers, options.createContainer(), counts);
    new CrmApplier<T>().apply(ctx, plan);
    new RemotePusher<T>().push(ctx, plan);

    // commit: only now, after both sides hold the round's writes
    pulled.cursors().forEach((container, cursor) -> round.state().putCursor(
        new CursorKey(mailbox, type.resource(), container), cursor, round.fence()));
    if (pulled.window() != null) {
      markers.put(Markers.window(), pulled.window().encode());
    }
    markers.put(Markers.crmWatermark(), crmChanges.watermark());
    if (released) {
      QuarantineRelease.consume(round.state(), mailbox, type.resource(), round.fence());
    }
    return new ResourceResult(type.resource(), round.session().mode(), ResourceResult.Outcome.SYNCED,
        counts.created, counts.updated, counts.deleted, counts.unchanged + plan.unchanged, counts.fullResync,
        counts.describePush(plan.conflicts.size()));
  }

  private Window desiredWindow(SyncRound round) {
    if (type != ResourceType.EVENTS) {
      return null;
    }
    Duration past = options.eventWindowPast() != null ? options.eventWindowPast() : round.eventWindowPast();
    Duration future = options.eventWindowFuture() != null ? options.eventWindowFuture() : round.eventWindowFuture();
    Instant now = round.clock().instant();
    return new Window(now.minus(past), now.plus(future));
  }

  /** The CRM's changes, latest per record; a full round reconciles every live record too. */
  private List<CrmRecord<T>> localChanges(MailboxId mailbox, CrmChanges<T> changes, boolean full) {
    Map<String, CrmRecord<T>> byId = new LinkedHashMap<>();
    for (CrmRecord<T> r : changes.changes()) {
      byId.remove(r.crmId());
      byId.put(r.crmId(), r);
    }
    if (full) {
      for (CrmRecord<T> r : crm.list(mailbox)) {
        byId.putIfAbsent(r.crmId(), r);
      }
    }
    return new ArrayList<>(byId.values());
  }

  /** For tests of the event rules. */
  static boolean isEvents(ResourceType<?> type) {
    return type.itemClass() == CalendarEvent.class;
  }
}

package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmChanges;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.gateway.Change;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.UnreadableItemException;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.MailMessage;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.internal.Fork;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import io.m365sync.state.SyncStateStore;
import io.m365sync.sync.MailOptions;
import io.m365sync.sync.MassChangeQuarantine;
import io.m365sync.sync.ResourceResult;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.SyncRound;
import io.m365sync.sync.TwoWayOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The sync of one resource, in every mode, as a pipeline of small steps:
 * pull ({@link DeltaReader}) → read CRM changes (two-way) → map ids and resolve ({@link Planner},
 * {@link ConflictArbiter}) → guard ({@link MassChangeGuard}) → journal → apply to the CRM
 * ({@link CrmApplier}) → push to Microsoft 365 ({@link RemotePusher}; a one-way plan has nothing to
 * push) → commit delta links, window and CRM watermark. The {@link Flow} is the only difference:
 * one-way mirroring, two-way, and mail capture ({@link Flow#CAPTURE}) share every step.
 *
 * <p>Nothing is committed before every write of the round is done, so a crash anywhere replays the
 * round; every step is idempotent against a replay (id map, change keys, CRM versions, content
 * fingerprints, the write-ahead note). The id map is read once per round ({@link RoundLinks}) and
 * written a batch at a time. Stateless between rounds; one instance serves every mailbox.
 */
public final class SyncPipeline<T extends SyncItem> implements ResourceSyncer<T> {
  private final ResourceType<T> type;
  private final CrmStore<T> crm;
  private final TwoWayOptions<T> options;
  private final Flow flow;
  private final ItemRules<T> rules;
  private final DeltaReader<T> reader;
  private final MassChangeGuard guard;

  /** Microsoft 365 → CRM over {@code containers}, with the default window and mass-change guard. */
  public static <T extends SyncItem> SyncPipeline<T> oneWay(ResourceType<T> type, CrmStore<T> crm, List<String> containers) {
    return new SyncPipeline<>(type, crm, TwoWayOptions.<T>builder().containers(containers).build(), Flow.MIRROR);
  }

  public static <T extends SyncItem> SyncPipeline<T> twoWay(ResourceType<T> type, CrmStore<T> crm, TwoWayOptions<T> options) {
    return new SyncPipeline<>(type, crm, options, Flow.TWO_WAY, rules(type, options, Flow.TWO_WAY));
  }

  /** Mail capture over the options' folders: the capture filter decides new captures, attachments are capped. */
  public static SyncPipeline<MailMessage> mail(CrmStore<MailMessage> crm, MailOptions options) {
    TwoWayOptions<MailMessage> pipelineOptions = TwoWayOptions.<MailMessage>builder()
        .containers(options.folders()).microsoftFilter(options.capture()).build();
    return new SyncPipeline<>(ResourceType.MAIL, crm, pipelineOptions, Flow.CAPTURE,
        ItemRules.mailCapture(options.maxAttachmentSize()));
  }

  private SyncPipeline(ResourceType<T> type, CrmStore<T> crm, TwoWayOptions<T> options, Flow flow) {
    this(type, crm, options, flow, rules(type, options, flow));
  }

  private SyncPipeline(ResourceType<T> type, CrmStore<T> crm, TwoWayOptions<T> options, Flow flow, ItemRules<T> rules) {
    this.type = type;
    this.crm = crm;
    this.options = options;
    this.flow = flow;
    this.rules = rules;
    boolean events = type == ResourceType.EVENTS;
    this.reader = new DeltaReader<>(type, events ? List.of() : options.containers(), events, options.startFromNow(),
        events ? item -> ((CalendarEvent) item).start() : null);
    this.guard = new MassChangeGuard(options.maxChangeShare(), options.guardMinimumItems(), options.releaseQuarantine());
  }

  @SuppressWarnings("unchecked")
  private static <T extends SyncItem> ItemRules<T> rules(ResourceType<T> type, TwoWayOptions<T> options, Flow flow) {
    if (type != ResourceType.EVENTS) {
      return ItemRules.plain();
    }
    return (ItemRules<T>) (flow.pushes() ? ItemRules.events(options.notifyAttendeesOnUpdate()) : ItemRules.eventsMirrored());
  }

  @Override
  public ResourceType<T> type() {
    return type;
  }

  @Override
  public List<String> containers() {
    return reader.containers();
  }

  /**
   * The state {@link #idleProbe} reads: the cursor keys of the mailbox's links, events window, CRM
   * watermark and write-ahead note for this resource, so that the engine reads a mailbox's in one
   * {@link SyncStateStore#cursors} call.
   */
  public List<CursorKey> idleProbeReads(MailboxId mailbox) {
    List<CursorKey> keys = new ArrayList<>(reader.chainKeys(mailbox));
    keys.add(WriteAhead.key(mailbox, type.resource()));
    keys.add(Markers.key(mailbox, type.resource(), Markers.window()));
    if (flow.pushes()) {
      keys.add(Markers.key(mailbox, type.resource(), Markers.crmWatermark()));
    }
    return keys;
  }

  /**
   * For the engine's idle probe: the delta requests whose pages, when every one is empty, mean this
   * resource's next round would have nothing to do, so that it may be left out of the round; empty
   * when the round must run whatever Microsoft 365 says: a container without a link, the events
   * window due to slide, CRM changes waiting to go out (two-way), or a write-ahead note a crash left.
   * Reads nothing of the state store but {@code read}, the cursors stored under
   * {@link #idleProbeReads}, and, two-way, the CRM's changes (a CRM that fails: empty); writes nothing.
   */
  public Optional<List<DeltaRequest>> idleProbe(Map<CursorKey, String> read, MailboxId mailbox, Instant now,
                                                int pageSize, Duration eventWindowPast, Duration eventWindowFuture) {
    if (read.containsKey(WriteAhead.key(mailbox, type.resource()))) {
      return Optional.empty();
    }
    Optional<List<DeltaRequest>> probes = reader.probes(read, mailbox,
        read.get(Markers.key(mailbox, type.resource(), Markers.window())),
        desiredWindow(now, eventWindowPast, eventWindowFuture), options.windowSlide(), pageSize);
    if (probes.isPresent() && flow.pushes()) {
      try {
        if (!crm.changesSince(mailbox, read.get(Markers.key(mailbox, type.resource(), Markers.crmWatermark())))
            .changes().isEmpty()) {
          return Optional.empty();
        }
      } catch (RuntimeException e) {
        return Optional.empty(); // the round meets the CRM's failure and reports it
      }
    }
    return probes;
  }

  @Override
  public ResourceResult sync(SyncRound round) {
    Counts counts = new Counts();
    try {
      return sync(round, counts);
    } catch (RuntimeException e) {
      // what went before the failure stays written (linked, or noted for the next round): the result counts it
      round.written().set(counts.created, counts.updated, counts.deleted, counts.pushed());
      throw e;
    }
  }

  private ResourceResult sync(SyncRound round, Counts counts) {
    MailboxId mailbox = round.mailbox().id();
    Markers markers = new Markers(round, type.resource());
    WriteAhead note = new WriteAhead(round.state(), mailbox, type.resource(), round.fence());

    // a mirror writes a sliced read's new items while later slices are read (see SliceWrites)
    SliceWrites<T> early = flow == Flow.MIRROR
        ? new SliceWrites<>(round, type, crm, options, rules, note, counts) : null;
    Pulled<T> pulled = reader.read(round, markers, desiredWindow(round), options.windowSlide(), early);
    counts.fullResync = pulled.full();
    String watermark = null;
    List<CrmRecord<T>> local = List.of();
    CrmChanges<T> crmChanges = null;
    if (flow.pushes()) {
      watermark = markers.get(Markers.crmWatermark()).orElse(null);
      crmChanges = crm.changesSince(mailbox, watermark);
      local = localChanges(mailbox, crmChanges, pulled.full());
    }
    // the round is the mailbox's only writer (fenced): one read of its links serves every step
    RoundLinks links = early != null && early.links() != null ? early.links()
        : pulled.full() ? RoundLinks.all(round.state(), mailbox, type.resource())
        : RoundLinks.of(round.state(), mailbox, type.resource(), pulled.changes().keySet());
    if (early != null) {
      pulled = early.rest(pulled);
    }

    Plan<T> plan = new Planner<>(type, crm, options, rules, flow).plan(round, links, note, pulled, local,
        confirmation(round, pulled, links));
    Optional<MassChangeQuarantine> quarantine = flow.captures()
        || plan.destructive(Action.Side.CRM) + plan.destructive(Action.Side.MICROSOFT) == 0 ? Optional.empty()
        : guard.check(mailbox, type.resource(), plan, links.storedBefore());
    // the host's release (SyncEngine.releaseQuarantine) lets one held round through; read only when needed
    boolean released = quarantine.isPresent() && QuarantineRelease.granted(round.state(), mailbox, type.resource());
    if (released) {
      quarantine = Optional.empty();
    }
    if (quarantine.isPresent()) {
      note.commit(Map.of()); // the links of creates a sliced read wrote early, if any: nothing else is held
      // what a sliced read wrote early is in the CRM (creates only): the result says so
      return ResourceResult.quarantined(quarantine.get(), round.session().mode(), counts.created,
          counts.unchanged + plan.unchanged, pulled.full());
    }
    plan.conflicts.forEach(options.journal()::record);

    SyncContext<T> ctx = new SyncContext<>(round, type, crm, rules, flow, links, note, options.createContainer(),
        pulled.containers(), counts);
    new CrmApplier<T>().apply(ctx, plan);
    new RemotePusher<T>().push(ctx, plan);

    // commit: only now, after both sides hold the round's writes, in one transaction with the last links
    Map<CursorKey, String> commit = new LinkedHashMap<>();
    pulled.cursors().forEach((container, cursor) -> commit.put(new CursorKey(mailbox, type.resource(), container), cursor));
    if (pulled.window() != null && (pulled.full() || pulled.windowMoved())) {
      commit.put(markers.key(Markers.window()), pulled.window().encode());
    }
    if (crmChanges != null && !java.util.Objects.equals(crmChanges.watermark(), watermark)) {
      commit.put(markers.key(Markers.crmWatermark()), crmChanges.watermark());
    }
    if (released) {
      commit.put(QuarantineRelease.key(mailbox, type.resource()), null); // used up by the round it let through
    }
    note.commit(commit);
    return new ResourceResult(type.resource(), round.session().mode(), ResourceResult.Outcome.SYNCED,
        counts.created, counts.updated, counts.deleted, counts.unchanged + plan.unchanged, counts.fullResync,
        counts.describePush(plan.conflicts.size()), null, pulled.skipped(), counts.pushed());
  }

  /**
   * Asks Microsoft 365 whether an item still exists, for windowed resources (see {@link Planner}). The
   * planner asks about each linked item the read reported removed or (a full read) did not find: those
   * are asked first, as many at once as the mailbox may have requests in flight, since one GET after
   * another would take a mass deletion in Outlook its count × Graph's latency; any other is asked when
   * the planner asks.
   */
  private Predicate<String> confirmation(SyncRound round, Pulled<T> pulled, RoundLinks links) {
    if (pulled.window() == null) {
      return null;
    }
    // windowed resources (events) have one calendar: no container to name
    Predicate<String> exists = remoteId -> {
      try {
        return round.gateway().get(round.session(), type, null, remoteId).isPresent();
      } catch (UnreadableItemException unreadable) {
        return true; // there but unreadable: the CRM record stays, the delta read reports the skip
      }
    };
    Set<String> asked = new LinkedHashSet<>();
    for (Change<T> c : pulled.all()) {
      if (c.kind() == Change.Kind.DELETE && links.byRemoteId(c.remoteId()) != null) {
        asked.add(c.remoteId());
      }
    }
    if (pulled.full()) {
      links.all().stream().map(IdLink::remoteId).filter(pulled::absent).forEach(asked::add);
    }
    if (asked.size() < 2) {
      return exists;
    }
    List<String> ids = List.copyOf(asked);
    List<Boolean> answers = Fork.all(round.executor(), round.maxRequestsInFlight(),
        ids.stream().<Supplier<Boolean>>map(id -> () -> exists.test(id)).toList());
    Map<String, Boolean> known = new HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      known.put(ids.get(i), answers.get(i));
    }
    return remoteId -> {
      Boolean answer = known.get(remoteId);
      return answer != null ? answer : exists.test(remoteId);
    };
  }

  private Window desiredWindow(SyncRound round) {
    return desiredWindow(round.clock().instant(), round.eventWindowPast(), round.eventWindowFuture());
  }

  /** The events window a round at {@code now} wants: the options' reach, else the engine's default one. */
  private Window desiredWindow(Instant now, Duration defaultPast, Duration defaultFuture) {
    if (type != ResourceType.EVENTS) {
      return null;
    }
    Duration past = options.eventWindowPast() != null ? options.eventWindowPast() : defaultPast;
    Duration future = options.eventWindowFuture() != null ? options.eventWindowFuture() : defaultFuture;
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
}

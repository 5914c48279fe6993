package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.gateway.Change;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.IdLink;
import io.m365sync.sync.Conflict;
import io.m365sync.sync.ConflictResolver;
import io.m365sync.sync.SyncRound;
import io.m365sync.sync.TwoWayOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Map-ids and resolve steps: joins what Microsoft 365 and the CRM changed through the id map and
 * decides one action per item. Reads only (the round's links and write-ahead note, the CRM, and
 * Microsoft 365 to confirm a deletion seen through a window); writes nothing.
 *
 * <p>{@link Flow#MIRROR} is the one-way policy: the CRM mirrors Microsoft 365, CRM edits are not
 * read, and no action ever writes to Microsoft 365. The window rule, deletion confirmation,
 * crash recovery and content re-linking are the same in both flows. {@link Flow#CAPTURE} (mail)
 * keeps what it captured: remote deletions are not planned, and new items are captured once per
 * identity (see {@link #captured}).
 *
 * <p>Whether a side changed since the last sync is read from the link (change key, CRM version) and,
 * where the link may be stale after a crash, from the item's own fingerprint ({@link Reserved#BASE}):
 * content equal to what we last wrote is our echo, not a user's change.
 */
final class Planner<T extends SyncItem> {
  private final ResourceType<T> type;
  private final CrmStore<T> crm;
  private final TwoWayOptions<T> options;
  private final ItemRules<T> rules;
  private final ConflictArbiter<T> arbiter;
  private final boolean pushes;
  private final boolean capture;

  private MailboxId mailbox;
  private RoundLinks links;
  private WriteAhead note;
  private Predicate<String> stillExists;
  private Window window;
  private Instant now;
  private Plan<T> plan;
  private Set<String> handledCrm;
  private Set<String> handledRemote;
  private Map<String, String> claimedBy; // crmId → remoteId claimed by content in this round
  private ContentIndex index;
  private Pulled<T> pulled;
  private Markers markers;
  private Set<String> capturedIdentities; // capture: identities captured by this round's plan

  Planner(ResourceType<T> type, CrmStore<T> crm, TwoWayOptions<T> options, ItemRules<T> rules, Flow flow) {
    this.type = type;
    this.crm = crm;
    this.options = options;
    this.rules = rules;
    this.arbiter = new ConflictArbiter<>(type, options);
    this.pushes = flow.pushes();
    this.capture = flow.captures();
  }

  /**
   * The round's plan. {@code stillExists} answers whether a Microsoft 365 item exists (a GET);
   * null for unwindowed resources, whose delta reports only real deletions.
   */
  Plan<T> plan(SyncRound round, RoundLinks links, WriteAhead note, Pulled<T> pulled, List<CrmRecord<T>> crmChanges,
               Predicate<String> stillExists) {
    begin(round, links, note, pulled, stillExists);
    for (Change<T> c : ranked(pulled)) {
      if (c.kind() == Change.Kind.DELETE) {
        remoteDeleted(c.remoteId());
      } else {
        remoteUpserted(c, pulled.full());
      }
    }
    if (pulled.full() && !capture) {
      // deleted while no delta link was valid: a full round is the only one that can tell
      for (IdLink link : links.all()) {
        if (pulled.absent(link.remoteId()) && !handledCrm.contains(link.crmId())) {
          remoteDeleted(link.remoteId());
        }
      }
    }
    for (String remoteId : note.pulledIds()) {
      if (!handledRemote.contains(remoteId) && gone(remoteId)) {
        handledRemote.add(remoteId);
        orphanGone(remoteId);
      }
    }
    List<CrmRecord<T>> local = new ArrayList<>(crmChanges);
    local.sort(Comparator.comparingInt(r -> r.item() == null ? 2 : rules.rank(r.item())));
    for (CrmRecord<T> r : local) {
      if (!handledCrm.contains(r.crmId())) {
        crmChanged(r.crmId());
      }
    }
    return plan;
  }

  /**
   * The plan for the upserts of {@code part}, some of a full read's items read before the rest (a
   * slice, see {@link SliceWrites}): each decided as {@link #plan} decides it in a full round, and
   * what one call claimed stays claimed in the next. Deletions, items found absent, crashed creates
   * not read, and the CRM's side wait for the plan of the whole read.
   */
  Plan<T> planUpserts(SyncRound round, RoundLinks links, WriteAhead note, Pulled<T> part) {
    if (this.plan == null) {
      begin(round, links, note, part, null);
    }
    this.plan = new Plan<>();
    this.pulled = part;
    for (Change<T> c : ranked(part)) {
      if (c.kind() == Change.Kind.UPSERT) {
        remoteUpserted(c, true);
      }
    }
    return plan;
  }

  private void begin(SyncRound round, RoundLinks links, WriteAhead note, Pulled<T> pulled,
                     Predicate<String> stillExists) {
    this.mailbox = round.mailbox().id();
    this.links = links;
    this.note = note;
    this.stillExists = stillExists;
    this.window = pulled.window();
    this.now = round.clock().instant();
    this.plan = new Plan<>();
    this.handledCrm = new HashSet<>();
    this.handledRemote = new HashSet<>();
    this.claimedBy = new HashMap<>();
    this.index = null;
    this.pulled = pulled;
    this.markers = capture ? new Markers(round, type.resource()) : null;
    this.capturedIdentities = new HashSet<>();
  }

  /**
   * Upserts first: an item re-created for a CRM record (link lost in a crash) claims the record
   * before the deletion of the item it replaced is looked at; then by the rules' rank (series first).
   */
  private List<Change<T>> ranked(Pulled<T> pulled) {
    List<Change<T>> remote = new ArrayList<>(pulled.all());
    remote.sort(Comparator.comparingInt(c -> c.item() == null ? 100 : rules.rank(c.item())));
    return remote;
  }

  // ---- Microsoft 365 side

  private void remoteDeleted(String remoteId) {
    IdLink link = links.byRemoteId(remoteId);
    if (link == null && note.pulling(remoteId) && handledRemote.add(remoteId)) {
      orphanGone(remoteId);
      return;
    }
    if (link == null || handledCrm.contains(link.crmId()) || !handledRemote.add(remoteId) || capture) {
      // unknown, already decided, its CRM record was re-linked to another item, or captured (kept)
      plan.unchanged++;
      return;
    }
    handledCrm.add(link.crmId());
    Optional<CrmRecord<T>> current = crm.find(mailbox, link.crmId());
    if (current.isEmpty()) {
      if (pushes && movedOutOfWindow(remoteId)) {
        // only left the window, while the CRM deleted its record: the CRM deletion goes out below
        handledCrm.remove(link.crmId());
        plan.unchanged++;
        return;
      }
      plan.add(new Action.Unlink<>(link));
      return;
    }
    CrmRecord<T> rec = current.get();
    // a record the CRM edited may hold times the CRM gave it, which tell nothing about the item: ask
    boolean edited = crmEdited(rec, link, null);
    if ((!edited && !rules.inScope(rec.item(), window)) || movedOutOfWindow(remoteId)) {
      plan.unchanged++; // left the calendar view window: not a deletion
      if (edited) {
        handledCrm.remove(link.crmId()); // its CRM edit still goes out below
      }
      return;
    }
    originDeleted(rec, link);
  }

  /**
   * Whether an item reported {@code @removed} by a windowed delta (or missing from a windowed full
   * round) still exists: Graph reports a meeting moved out of the window exactly like a deleted one,
   * and the CRM record still holds the times from before the move.
   */
  private boolean movedOutOfWindow(String remoteId) {
    return stillExists != null && stillExists.test(remoteId);
  }

  /**
   * A CRM create from {@code remoteId} was noted but its link never written (a crash), and the item
   * is gone from this round's view: the orphaned record goes too, unless the item merely left the
   * window or the record was captured (kept), when the record is linked to it.
   */
  private void orphanGone(String remoteId) {
    plan.settled.add(remoteId);
    CrmRecord<T> orphan = index().claim(remoteId, note.pulledKey(remoteId), null);
    if (orphan == null) {
      plan.unchanged++;
      return;
    }
    handledCrm.add(orphan.crmId());
    claimedBy.put(orphan.crmId(), remoteId);
    if (capture || movedOutOfWindow(remoteId)) {
      // no change key: its next upsert brings the content
      plan.add(new Action.Link<>(link(orphan.crmId(), remoteId, null, orphan.version())));
      noteIdentity(remoteId, orphan.item()); // else a copy of the message would be captured again
    } else {
      originDeleted(orphan, link(orphan.crmId(), remoteId, null, -1));
    }
  }

  /** Microsoft 365 deleted the item the CRM record mirrors. */
  private void originDeleted(CrmRecord<T> rec, IdLink link) {
    if (!crmEdited(rec, link, null)) {
      plan.add(new Action.DeleteCrm<>(link));
      return;
    }
    ConflictResolver.Resolution<T> r = arbiter.decide(plan, mailbox, now, Conflict.Kind.MICROSOFT_DELETED,
        link.crmId(), link.remoteId(), rec.item(), null);
    switch (r.winner()) {
      case MICROSOFT -> plan.add(new Action.DeleteCrm<>(link));
      case CRM -> plan.add(new Action.CreateRemote<>(rec));
      case MERGED -> plan.add(new Action.WriteBoth<>(link.crmId(), null, null, r.merged()));
    }
  }

  private void remoteUpserted(Change<T> c, boolean full) {
    T item = c.item();
    IdLink link = links.byRemoteId(c.remoteId());
    handledRemote.add(c.remoteId());
    if (note.pulling(c.remoteId())) {
      plan.settled.add(c.remoteId());
    }
    if (capture) {
      captured(c, link, full);
      return;
    }
    if (link == null) {
      unlinkedRemote(c, full);
      return;
    }
    handledCrm.add(link.crmId());
    boolean replay = c.changeKey() != null && c.changeKey().equals(link.changeKey());
    IdLink placed = relink(link, c.remoteId(), link.changeKey(), link.crmVersion());
    if (replay && !placed.container().equals(link.container())) {
      // unchanged, but read in another container than its link names (moved, or linked before links
      // kept containers): the link follows, so that writes find the item
      plan.add(new Action.Link<>(placed));
      link = placed;
    }
    if (!pushes) {
      mirrorUpserted(c, link, replay);
      return;
    }
    if (replay) {
      plan.unchanged++; // a replay, or the echo of a write whose link we wrote
      if (crm.find(mailbox, link.crmId()).isEmpty()) {
        plan.add(new Action.DeleteRemote<>(link, link.changeKey(), options.policy() == io.m365sync.sync.ConflictPolicy.CRM_WINS));
      } else {
        handledCrm.remove(link.crmId()); // CRM edits still go out below
      }
      return;
    }
    Optional<CrmRecord<T>> current = crm.find(mailbox, link.crmId());
    boolean remoteUser = remoteEdited(item, null);
    if (current.isEmpty() && note.pulling(c.remoteId())) {
      // the CRM record was deleted and a new one created from this item, whose link write was lost
      CrmRecord<T> twin = index().claim(c.remoteId(), null, null);
      if (twin != null) {
        withTwin(c, twin);
        return;
      }
    }
    if (current.isEmpty()) {
      if (!remoteUser) {
        plan.add(new Action.DeleteRemote<>(link, c.changeKey(), false));
        return;
      }
      ConflictResolver.Resolution<T> r = arbiter.decide(plan, mailbox, now, Conflict.Kind.CRM_DELETED,
          link.crmId(), link.remoteId(), null, item);
      switch (r.winner()) {
        case MICROSOFT -> plan.add(new Action.SaveCrm<>(null, c.remoteId(), c.changeKey(), item));
        case CRM -> plan.add(new Action.DeleteRemote<>(link, c.changeKey(), true));
        case MERGED -> plan.add(new Action.WriteBoth<>(null, c.remoteId(), c.changeKey(), r.merged()));
      }
      return;
    }
    CrmRecord<T> rec = current.get();
    boolean crmUser = crmEdited(rec, link, item);
    remoteUser = remoteEdited(item, rec);
    boolean same = sameContent(rec.item(), item);
    if (same) {
      plan.add(new Action.Link<>(relink(link, c.remoteId(), c.changeKey(), rec.version())));
      return;
    }
    if (!remoteUser) {
      // Microsoft 365 holds our own write (its link may have been lost)
      if (crmUser) {
        IdLink acked = relink(link, c.remoteId(), c.changeKey(), link.crmVersion());
        plan.add(new Action.UpdateRemote<>(acked, rec, c.changeKey(), false));
      } else {
        plan.add(new Action.SaveCrm<>(link.crmId(), c.remoteId(), c.changeKey(), item));
      }
      return;
    }
    if (!crmUser) {
      if (!options.microsoftFilter().test(Reserved.strip(item))) {
        // left the filter: frozen, never deleted; acknowledged so it is not seen as a conflict later
        plan.add(new Action.Link<>(relink(link, c.remoteId(), c.changeKey(), link.crmVersion())));
      } else {
        plan.add(new Action.SaveCrm<>(link.crmId(), c.remoteId(), c.changeKey(), item));
      }
      return;
    }
    ConflictResolver.Resolution<T> r = arbiter.decide(plan, mailbox, now, Conflict.Kind.BOTH_CHANGED,
        link.crmId(), link.remoteId(), rec.item(), item);
    resolveBoth(r, link.crmId(), c, rec, relink(link, c.remoteId(), c.changeKey(), link.crmVersion()));
  }

  /** One-way: Microsoft 365's version overwrites the CRM record, re-created if the host deleted it. */
  private void mirrorUpserted(Change<T> c, IdLink link, boolean replay) {
    if (replay) {
      plan.unchanged++;
    } else if (crm.find(mailbox, link.crmId()).isEmpty()) {
      plan.add(new Action.SaveCrm<>(null, c.remoteId(), c.changeKey(), c.item()));
    } else {
      plan.add(new Action.SaveCrm<>(link.crmId(), c.remoteId(), c.changeKey(), c.item()));
    }
  }

  /**
   * Capture: a linked item updates its record as it changes (a move between synced containers keeps
   * it), and a record the host removed stays removed. A new item that passes the capture filter is
   * captured unless a record holds its identity (a copy, in any container) or it is the orphan of a
   * crashed capture (re-linked). The filter and attachment cap see the item in CRM form.
   */
  private void captured(Change<T> c, IdLink link, boolean full) {
    T item = rules.toCrm(Reserved.strip(c.item()), id -> null);
    if (link != null) {
      handledCrm.add(link.crmId());
      if (c.changeKey() != null && c.changeKey().equals(link.changeKey())) {
        plan.unchanged++;
        return;
      }
      CrmRecord<T> rec = crm.find(mailbox, link.crmId()).orElse(null);
      noteIdentity(c.remoteId(), item); // written with the link: heals a capture linked without it
      if (rec == null || Reserved.strip(rec.item()).equals(item)) {
        // a move (new change key, same content), or a record the host removed: acknowledged only
        plan.add(new Action.Link<>(relink(link, c.remoteId(), c.changeKey(), rec == null ? link.crmVersion() : rec.version())));
      } else {
        plan.add(new Action.SaveCrm<>(link.crmId(), c.remoteId(), c.changeKey(), c.item()));
      }
      return;
    }
    String key = item.matchKey();
    String identity = rules.identity(item);
    if (!options.microsoftFilter().test(item) || (identity != null && capturedBefore(identity))) {
      if (note.pulling(c.remoteId())) {
        plan.settled.add(c.remoteId()); // its copy holds the capture now: the note is done
      }
      plan.unchanged++;
      return;
    }
    // a crashed capture's orphan is claimed by its own item, or by a copy of it read first (same key)
    CrmRecord<T> orphan = full || note.pulling(c.remoteId()) || copyOfPending(key)
        ? index().claim(c.remoteId(), note.pulledKey(c.remoteId()), key) : null;
    if (orphan != null) {
      handledCrm.add(orphan.crmId());
      claimedBy.put(orphan.crmId(), c.remoteId());
      plan.add(new Action.Link<>(link(orphan.crmId(), c.remoteId(), c.changeKey(), orphan.version())));
    } else {
      plan.add(new Action.SaveCrm<>(null, c.remoteId(), c.changeKey(), c.item()));
    }
    noteIdentity(c.remoteId(), item);
  }

  /**
   * Capture: the identity marker of the record {@code remoteId} is (to be) linked to, written with
   * the link, so that a copy of the item in any container finds the capture ({@link #capturedBefore}).
   */
  private void noteIdentity(String remoteId, T crmItem) {
    String identity = crmItem == null ? null : rules.identity(Reserved.strip(crmItem));
    if (identity != null) {
      capturedIdentities.add(identity);
      plan.identities.put(remoteId, Markers.identity(identity));
    }
  }

  /** Whether a crashed capture noted content with {@code key} (a copy of it may be read before it). */
  private boolean copyOfPending(String key) {
    if (key == null) {
      return false;
    }
    for (String id : note.pulledIds()) {
      if (key.equals(note.pulledKey(id))) {
        return true;
      }
    }
    return false;
  }

  /** Whether an item with {@code identity} was captured: by this round, or into a record that still exists. */
  private boolean capturedBefore(String identity) {
    if (!capturedIdentities.add(identity)) {
      return true;
    }
    boolean stored = markers.get(Markers.identity(identity)).flatMap(id -> crm.find(mailbox, id)).isPresent();
    if (stored) {
      capturedIdentities.remove(identity);
    }
    return stored;
  }

  private void resolveBoth(ConflictResolver.Resolution<T> r, String crmId, Change<T> c, CrmRecord<T> rec, IdLink link) {
    switch (r.winner()) {
      case MICROSOFT -> plan.add(new Action.SaveCrm<>(crmId, c.remoteId(), c.changeKey(), c.item()));
      case CRM -> plan.add(new Action.UpdateRemote<>(link, rec, c.changeKey(), true));
      case MERGED -> plan.add(new Action.WriteBoth<>(crmId, c.remoteId(), c.changeKey(), r.merged()));
    }
  }

  /** A Microsoft 365 item without a link: ours whose link was lost, a content twin, or new. */
  private void unlinkedRemote(Change<T> c, boolean full) {
    T item = c.item();
    if (!options.microsoftFilter().test(Reserved.strip(item))) {
      plan.unchanged++;
      return;
    }
    CrmRecord<T> twin = findTwin(c, full);
    if (twin == null) {
      if (!rules.inScope(item, window)) {
        plan.unchanged++;
        return;
      }
      plan.add(new Action.SaveCrm<>(null, c.remoteId(), c.changeKey(), item));
      return;
    }
    withTwin(c, twin);
  }

  /** Links a Microsoft 365 item to the CRM record found for it, reconciling their content. */
  private void withTwin(Change<T> c, CrmRecord<T> twin) {
    T item = c.item();
    handledCrm.add(twin.crmId());
    claimedBy.put(twin.crmId(), c.remoteId());
    IdLink link = link(twin.crmId(), c.remoteId(), c.changeKey(), -1);
    if (sameContent(twin.item(), item)) {
      plan.add(new Action.Link<>(relink(link, c.remoteId(), c.changeKey(), twin.version())));
      return;
    }
    if (!pushes) {
      plan.add(new Action.SaveCrm<>(twin.crmId(), c.remoteId(), c.changeKey(), item));
      return;
    }
    boolean remoteUser = remoteEdited(item, twin);
    boolean crmUser = crmEdited(twin, null, item);
    if (!remoteUser && crmUser) {
      plan.add(new Action.UpdateRemote<>(link, twin, c.changeKey(), false));
      return;
    }
    if (remoteUser && !crmUser) {
      plan.add(new Action.SaveCrm<>(twin.crmId(), c.remoteId(), c.changeKey(), item));
      return;
    }
    ConflictResolver.Resolution<T> r = arbiter.decide(plan, mailbox, now, Conflict.Kind.UNLINKED_MATCH,
        twin.crmId(), c.remoteId(), twin.item(), item);
    resolveBoth(r, twin.crmId(), c, twin, link);
  }

  private CrmRecord<T> findTwin(Change<T> c, boolean full) {
    // 1. a CRM-created item whose link write was lost: it names its CRM record
    String crmId = c.item().extensions().get(Reserved.CRM_ID);
    CrmRecord<T> twin = unlinkedRecord(crmId);
    if (twin != null) {
      return twin;
    }
    // 2. the same, found by the write-ahead marker keyed by content (gateways that drop extensions)
    String key = c.item().matchKey();
    twin = unlinkedRecord(note.pushedCrmId(key));
    if (twin != null) {
      return twin;
    }
    // 3. a CRM record created from this item whose link write was lost (found by its origin, or by
    // the content noted before the crash: the item may have changed since), or a content twin after a 410
    if (full || note.pulling(c.remoteId())) {
      return index().claim(c.remoteId(), note.pulledKey(c.remoteId()), key);
    }
    return null;
  }

  private CrmRecord<T> unlinkedRecord(String crmId) {
    if (crmId == null || claimedBy.containsKey(crmId)) {
      return null;
    }
    IdLink link = links.byCrmId(crmId);
    if (link != null && !gone(link.remoteId())) {
      return null;
    }
    return crm.find(mailbox, crmId).orElse(null);
  }

  private ContentIndex index() {
    if (index == null) {
      index = new ContentIndex();
    }
    return index;
  }

  /** Whether this round learned that the item is gone from Microsoft 365. */
  private boolean gone(String remoteId) {
    Change<T> c = pulled.changes().get(remoteId);
    return c != null ? c.kind() == Change.Kind.DELETE : pulled.absent(remoteId);
  }

  // ---- CRM side

  private void crmChanged(String crmId) {
    handledCrm.add(crmId);
    IdLink link = links.byCrmId(crmId);
    Optional<CrmRecord<T>> current = crm.find(mailbox, crmId);
    if (current.isEmpty()) {
      if (link != null) {
        plan.add(new Action.DeleteRemote<>(link, link.changeKey(), options.policy() == io.m365sync.sync.ConflictPolicy.CRM_WINS));
      }
      return;
    }
    CrmRecord<T> rec = current.get();
    if (link != null && rec.version() == link.crmVersion()) {
      plan.unchanged++; // the echo of our own CRM write
      return;
    }
    if (link != null && Reserved.untouchedSinceOurWrite(rec.item())) {
      plan.add(new Action.Link<>(relink(link, link.remoteId(), link.changeKey(), rec.version())));
      return;
    }
    if (!options.crmFilter().test(Reserved.strip(rec.item()))) {
      if (link != null) {
        plan.add(new Action.Link<>(relink(link, link.remoteId(), link.changeKey(), rec.version())));
      }
      return;
    }
    if (link == null) {
      String origin = rec.item().extensions().get(Reserved.REMOTE_ID);
      if (origin != null && !handledRemote.contains(origin) && note.pulling(origin)) {
        // created from a Microsoft 365 item, link lost in a crash, and the item is gone since
        originDeleted(rec, link(crmId, origin, null, -1));
      } else if (rules.inScope(rec.item(), window)) {
        plan.add(new Action.CreateRemote<>(rec));
      }
      return;
    }
    plan.add(new Action.UpdateRemote<>(link, rec, link.changeKey(), options.policy() == io.m365sync.sync.ConflictPolicy.CRM_WINS));
  }

  // ---- helpers

  /**
   * Whether a user edited the CRM record since the last sync: not when its version is the linked one,
   * not when it still holds our own write, not when Microsoft 365 holds what we pushed from it.
   */
  private boolean crmEdited(CrmRecord<T> rec, IdLink link, T remote) {
    if (!pushes) {
      return false; // a mirror: CRM edits are not synced, so they never conflict
    }
    if (link != null && rec.version() == link.crmVersion()) {
      return false;
    }
    if (Reserved.untouchedSinceOurWrite(rec.item())) {
      return false;
    }
    String pushed = remote == null ? null : remote.extensions().get(Reserved.BASE);
    return pushed == null || !pushed.equals(Reserved.fingerprint(asRemote(rec.item())));
  }

  /**
   * Whether a user edited the Microsoft 365 item since the last sync: not when it still holds our own
   * write, not when the CRM holds what we pulled from it.
   */
  private boolean remoteEdited(T remote, CrmRecord<T> rec) {
    if (Reserved.untouchedSinceOurWrite(remote)) {
      return false;
    }
    String pulled = rec == null ? null : rec.item().extensions().get(Reserved.BASE);
    return pulled == null || !pulled.equals(Reserved.fingerprint(asCrm(remote)));
  }

  private T asRemote(T crmItem) {
    return rules.toRemote(Reserved.strip(crmItem), id -> {
      IdLink l = links.byCrmId(id);
      return l == null ? null : l.remoteId();
    });
  }

  private T asCrm(T remoteItem) {
    return rules.toCrm(Reserved.strip(remoteItem), id -> {
      IdLink l = links.byRemoteId(id);
      return l == null ? null : l.crmId();
    });
  }

  /** Whether a CRM item (CRM form) and a Microsoft 365 item hold the same content. */
  private boolean sameContent(T crmItem, T remoteItem) {
    return asRemote(crmItem).equals(Reserved.strip(remoteItem));
  }

  /** {@code link} with new values; in the container the item was read in this round, else where the link had it. */
  private IdLink relink(IdLink link, String remoteId, String changeKey, long crmVersion) {
    String container = pulled.containerOf(remoteId, remoteId.equals(link.remoteId()) ? link.container() : "");
    return new IdLink(mailbox, type.resource(), link.crmId(), remoteId, changeKey, crmVersion, container);
  }

  /** A new link, in the container the item was read in this round (else the default). */
  private IdLink link(String crmId, String remoteId, String changeKey, long crmVersion) {
    return new IdLink(mailbox, type.resource(), crmId, remoteId, changeKey, crmVersion, pulled.containerOf(remoteId, ""));
  }

  /**
   * The pipeline's one content index: CRM records without a link, by the remote id they were created
   * from (two-way stamps it) and by content key; read once, when a round first needs it.
   */
  private final class ContentIndex {
    private final Map<String, CrmRecord<T>> byRemoteId = new HashMap<>();
    private final Map<String, CrmRecord<T>> byKey = new HashMap<>();

    ContentIndex() {
      Set<String> linked = new HashSet<>();
      for (IdLink l : links.all()) {
        linked.add(l.crmId());
      }
      for (CrmRecord<T> r : crm.list(mailbox)) {
        if (linked.contains(r.crmId()) || r.item() == null) {
          continue;
        }
        String remoteId = r.item().extensions().get(Reserved.REMOTE_ID);
        if (remoteId != null) {
          byRemoteId.putIfAbsent(remoteId, r);
        }
        if (r.item().matchKey() != null) {
          byKey.putIfAbsent(r.item().matchKey(), r);
        }
      }
    }

    /** The unlinked record created from {@code remoteId}, else one holding either content key. */
    CrmRecord<T> claim(String remoteId, String notedKey, String key) {
      CrmRecord<T> r = byRemoteId.remove(remoteId);
      if (r == null && notedKey != null) {
        r = byKey.get(notedKey);
      }
      if (r == null && key != null) {
        r = byKey.get(key);
      }
      if (r == null || claimedBy.containsKey(r.crmId())) {
        return null;
      }
      byKey.values().remove(r);
      byRemoteId.values().remove(r);
      return r;
    }
  }

  Resource resource() {
    return type.resource();
  }
}

package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.state.IdLink;
import io.m365sync.sync.SyncRound;
import java.util.List;
import java.util.Map;

/** One round's collaborators for the write steps, with the id translations both ways. */
final class SyncContext<T extends SyncItem> {
  final SyncRound round;
  final ResourceType<T> type;
  final CrmStore<T> crm;
  final ItemRules<T> rules;
  final Flow flow;
  final RoundLinks links;
  final WriteAhead note;
  final String createContainer;
  /** Where this round read each item it pulled (remote id to container; empty string: the default). */
  final Map<String, String> readIn;
  final Counts counts;
  final MailboxId mailbox;
  final Markers markers;

  SyncContext(SyncRound round, ResourceType<T> type, CrmStore<T> crm, ItemRules<T> rules, Flow flow, RoundLinks links,
              WriteAhead note, String createContainer, Map<String, String> readIn, Counts counts) {
    this.round = round;
    this.type = type;
    this.crm = crm;
    this.rules = rules;
    this.flow = flow;
    this.links = links;
    this.note = note;
    this.createContainer = createContainer;
    this.readIn = readIn;
    this.counts = counts;
    this.mailbox = round.mailbox().id();
    this.markers = new Markers(round, type.resource());
  }

  String crmIdOf(String remoteId) {
    IdLink l = links.byRemoteId(remoteId);
    return l == null ? null : l.crmId();
  }

  String remoteIdOf(String crmId) {
    IdLink l = links.byCrmId(crmId);
    return l == null ? null : l.remoteId();
  }

  /**
   * A Microsoft 365 item as the CRM stores it: as it is when mirrored; two-way and captured, in CRM
   * form (references translated, attachments capped) and stamped with its origin and fingerprint.
   */
  T crmForm(T remote, String remoteId) {
    if (!flow.stamps()) {
      return remote;
    }
    return Reserved.stamp(rules.toCrm(Reserved.strip(remote), this::crmIdOf), Map.of(Reserved.REMOTE_ID, remoteId));
  }

  /** A CRM item (CRM form) as written to Microsoft 365: references translated, stamped, flagged. */
  T remoteForm(T crmItem, String crmId, boolean create) {
    T stamped = Reserved.stamp(rules.toRemote(Reserved.strip(crmItem), this::remoteIdOf), Map.of(Reserved.CRM_ID, crmId));
    return rules.forWrite(stamped, create);
  }

  IdLink newLink(String crmId, String remoteId, String changeKey, long crmVersion) {
    return new IdLink(mailbox, type.resource(), crmId, remoteId, changeKey, crmVersion, containerOf(remoteId));
  }

  /**
   * The container {@code remoteId} lies in (empty string: the default): where this round read it,
   * else where its link says, else where this round's creates go (an item it has just created).
   */
  String containerOf(String remoteId) {
    String read = readIn.get(remoteId);
    if (read != null) {
      return read;
    }
    IdLink l = links.byRemoteId(remoteId);
    if (l != null) {
      return l.container();
    }
    return createContainer == null ? "" : createContainer;
  }

  /** A link's container as the gateway takes it: null for the default one. */
  static String gatewayForm(String container) {
    return container == null || container.isEmpty() ? null : container;
  }

  /**
   * Links {@code crmId} and {@code remoteId} now, with {@code synced} (the CRM record's content as of
   * this sync, CRM form) noted in the same transaction as the base of the record's next push.
   */
  void link(String crmId, String remoteId, String changeKey, long crmVersion, T synced) {
    holdLink(crmId, remoteId, changeKey, crmVersion, synced);
    note.commit(Map.of());
  }

  /** {@link #link}, held for the round's next write (a batch's). */
  void holdLink(String crmId, String remoteId, String changeKey, long crmVersion, T synced) {
    IdLink link = newLink(crmId, remoteId, changeKey, crmVersion);
    note.link(List.of(link), List.of(), List.of());
    noteSynced(crmId, synced);
    links.put(link);
  }

  /**
   * Notes {@code synced}, the CRM record's content as the CRM stored it, as the base of its next push;
   * it goes to the store with the record's link (both held for the next write).
   */
  void noteSynced(String crmId, T synced) {
    note.hold(markers.key(Markers.base(crmId)), SyncedFields.of(synced));
  }

  /**
   * The update that sends what the CRM changed in {@code crmItem} since it was last synced, written
   * over {@code remoteItem} (its Microsoft 365 form); the whole item when no base was noted (links
   * from before notes were kept).
   */
  ItemPatch<T> patch(String crmId, T crmItem, T remoteItem) {
    String name = Markers.base(crmId);
    return note.cursor(markers.key(name), () -> markers.get(name))
        .map(base -> SyncedFields.patch(base, crmItem, remoteItem))
        .orElseGet(() -> ItemPatch.full(remoteItem));
  }

  /** Removes the link of {@code crmId}, if it has one, with the round's next write (the batch's). */
  void unlink(String crmId) {
    IdLink link = links.byCrmId(crmId);
    if (link != null) {
      note.unlink(link);
      links.remove(crmId);
      if (flow.pushes()) {
        note.hold(markers.key(Markers.base(crmId)), null); // removed with the round's next write
      }
    }
  }

  CrmRecord<T> save(String crmId, T item) {
    return crm.save(mailbox, crmId, item);
  }
}

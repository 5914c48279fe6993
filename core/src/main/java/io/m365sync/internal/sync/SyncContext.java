package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.resource.CrmRecord;
import io.m365sync.resource.CrmStore;
import io.m365sync.resource.ItemPatch;
import io.m365sync.resource.ResourceType;
import io.m365sync.resource.SyncItem;
import io.m365sync.resource.SyncRound;
import io.m365sync.state.IdLink;
import java.util.List;
import java.util.Map;

/** One round's collaborators for the write steps, with the id translations both ways. */
final class SyncContext<T extends SyncItem> {
  final SyncRound round;
  final ResourceType<T> type;
  final CrmStore<T> crm;
  final ItemRules<T> rules;
  final Markers markers;
  final String createContainer;
  final Counts counts;
  final MailboxId mailbox;

  SyncContext(SyncRound round, ResourceType<T> type, CrmStore<T> crm, ItemRules<T> rules, Markers markers,
              String createContainer, Counts counts) {
    this.round = round;
    this.type = type;
    this.crm = crm;
    this.rules = rules;
    this.markers = markers;
    this.createContainer = createContainer;
    this.counts = counts;
    this.mailbox = round.mailbox().id();
  }

  String crmIdOf(String remoteId) {
    return round.state().linkByRemoteId(mailbox, type.resource(), remoteId).map(IdLink::crmId).orElse(null);
  }

  String remoteIdOf(String crmId) {
    return round.state().linkByCrmId(mailbox, type.resource(), crmId).map(IdLink::remoteId).orElse(null);
  }

  /** A Microsoft 365 item as the CRM stores it: references translated, stamped with its origin. */
  T crmForm(T remote, String remoteId) {
    return Reserved.stamp(rules.toCrm(Reserved.strip(remote), this::crmIdOf), Map.of(Reserved.REMOTE_ID, remoteId));
  }

  /** A CRM item (CRM form) as written to Microsoft 365: references translated, stamped, flagged. */
  T remoteForm(T crmItem, String crmId, boolean create) {
    T stamped = Reserved.stamp(rules.toRemote(Reserved.strip(crmItem), this::remoteIdOf), Map.of(Reserved.CRM_ID, crmId));
    return rules.forWrite(stamped, create);
  }

  void link(String crmId, String remoteId, String changeKey, long crmVersion) {
    round.state().putLink(new IdLink(mailbox, type.resource(), crmId, remoteId, changeKey, crmVersion), round.fence());
  }

  /**
   * {@link #link}, and {@code synced} (the CRM record's content as of this sync, CRM form) noted in
   * the same call as the base of the record's next push.
   */
  void link(String crmId, String remoteId, String changeKey, long crmVersion, T synced) {
    IdLink link = new IdLink(mailbox, type.resource(), crmId, remoteId, changeKey, crmVersion);
    round.state().putLinksAndCursor(List.of(link), List.of(), markers.key(Markers.base(crmId)),
        SyncedFields.of(synced), round.fence());
  }

  /**
   * The update that sends what the CRM changed in {@code crmItem} since it was last synced, written
   * over {@code remoteItem} (its Microsoft 365 form); the whole item when no base was noted (links
   * from before notes were kept).
   */
  ItemPatch<T> patch(String crmId, T crmItem, T remoteItem) {
    return markers.get(Markers.base(crmId)).map(base -> SyncedFields.patch(base, crmItem, remoteItem))
        .orElseGet(() -> ItemPatch.full(remoteItem));
  }

  void putLink(IdLink link) {
    round.state().putLink(link, round.fence());
  }

  void unlink(String crmId) {
    round.state().removeLink(mailbox, type.resource(), crmId, round.fence());
    markers.remove(Markers.base(crmId));
  }

  CrmRecord<T> save(String crmId, T item) {
    return crm.save(mailbox, crmId, item);
  }
}

package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.resource.CrmRecord;
import io.m365sync.resource.CrmStore;
import io.m365sync.resource.ResourceType;
import io.m365sync.resource.SyncItem;
import io.m365sync.resource.SyncRound;
import io.m365sync.state.IdLink;
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
  final Counts counts;
  final MailboxId mailbox;

  SyncContext(SyncRound round, ResourceType<T> type, CrmStore<T> crm, ItemRules<T> rules, Flow flow, RoundLinks links,
              WriteAhead note, String createContainer, Counts counts) {
    this.round = round;
    this.type = type;
    this.crm = crm;
    this.rules = rules;
    this.flow = flow;
    this.links = links;
    this.note = note;
    this.createContainer = createContainer;
    this.counts = counts;
    this.mailbox = round.mailbox().id();
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
   * A Microsoft 365 item as the CRM stores it: as it is when mirrored; two-way, references translated
   * and stamped with its origin and fingerprint.
   */
  T crmForm(T remote, String remoteId) {
    if (!flow.pushes()) {
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
    return new IdLink(mailbox, type.resource(), crmId, remoteId, changeKey, crmVersion);
  }

  void link(String crmId, String remoteId, String changeKey, long crmVersion) {
    putLink(newLink(crmId, remoteId, changeKey, crmVersion));
  }

  void putLink(IdLink link) {
    round.state().putLink(link, round.fence());
    links.put(link);
  }

  void unlink(String crmId) {
    if (links.byCrmId(crmId) != null) {
      round.state().removeLink(mailbox, type.resource(), crmId, round.fence());
      links.remove(crmId);
    }
  }

  CrmRecord<T> save(String crmId, T item) {
    return crm.save(mailbox, crmId, item);
  }
}

package io.m365sync.internal.sync;

import io.m365sync.MailboxId;
import io.m365sync.resource.Change;
import io.m365sync.resource.CrmRecord;
import io.m365sync.resource.CrmStore;
import io.m365sync.resource.MailMessage;
import io.m365sync.resource.MailOptions;
import io.m365sync.resource.ResourceResult;
import io.m365sync.resource.ResourceSyncer;
import io.m365sync.resource.ResourceType;
import io.m365sync.resource.SyncRound;
import io.m365sync.state.CursorKey;
import io.m365sync.state.IdLink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Mail capture, Microsoft 365 → CRM: pull every configured folder's delta → map by immutable id
 * (a move keeps it) and by Internet Message-ID (a copy) → capture filter → cap attachments → save →
 * link → commit the folders' delta links. Captured mail is never deleted from the CRM.
 */
public final class MailSyncer implements ResourceSyncer<MailMessage> {
  private final CrmStore<MailMessage> crm;
  private final MailOptions options;
  private final DeltaReader<MailMessage> reader;

  public MailSyncer(CrmStore<MailMessage> crm, MailOptions options) {
    this.crm = crm;
    this.options = options;
    this.reader = new DeltaReader<>(ResourceType.MAIL, options.folders(), false);
  }

  @Override
  public ResourceType<MailMessage> type() {
    return ResourceType.MAIL;
  }

  @Override
  public ResourceResult sync(SyncRound round) {
    MailboxId mailbox = round.mailbox().id();
    Markers markers = new Markers(round, ResourceType.MAIL.resource());
    WriteAhead note = new WriteAhead(round.state(), mailbox, ResourceType.MAIL.resource(), round.fence());
    Pulled<MailMessage> pulled = reader.read(round, markers, null, java.time.Duration.ofDays(1));
    int created = 0;
    int updated = 0;
    int unchanged = 0;
    Map<String, CrmRecord<MailMessage>> byOrigin = null;
    for (Change<MailMessage> c : pulled.all()) {
      if (c.kind() == Change.Kind.DELETE) {
        unchanged++; // deleted or moved out of the synced folders: the CRM keeps what it captured
        continue;
      }
      MailMessage item = capped(Reserved.strip(c.item()));
      IdLink link = round.state().linkByRemoteId(mailbox, ResourceType.MAIL.resource(), c.remoteId()).orElse(null);
      if (link != null) {
        if (c.changeKey() != null && c.changeKey().equals(link.changeKey())) {
          unchanged++;
          continue;
        }
        CrmRecord<MailMessage> rec = crm.find(mailbox, link.crmId()).orElse(null);
        if (rec == null || Reserved.strip(rec.item()).equals(item)) {
          unchanged++; // a move (new change key, same message) or a record the host removed
          putLink(round, link(round, link.crmId(), c, rec == null ? link.crmVersion() : rec.version()));
          continue;
        }
        CrmRecord<MailMessage> saved = crm.save(mailbox, link.crmId(), stamped(item, c.remoteId()));
        putLink(round, link(round, saved.crmId(), c, saved.version()));
        updated++;
        continue;
      }
      String msgIdMarker = item.internetMessageId() == null ? null : "mail:" + Reserved.hash(item.internetMessageId());
      if (msgIdMarker != null && markers.get(msgIdMarker).flatMap(id -> crm.find(mailbox, id)).isPresent()) {
        unchanged++; // a copy of a message already captured
        continue;
      }
      if (!options.capture().test(item)) {
        unchanged++;
        continue;
      }
      CrmRecord<MailMessage> twin = null;
      if (note.pulling(c.remoteId()) || pulled.full() || pendingCopy(note, item)) {
        if (byOrigin == null) {
          byOrigin = capturedByOrigin(mailbox);
        }
        twin = byOrigin.get(c.remoteId());
        if (twin == null && item.matchKey() != null) {
          twin = byOrigin.get(item.matchKey());
        }
      }
      if (twin == null) {
        note.notePulls(Map.of(c.remoteId(), item.matchKey() == null ? "" : item.matchKey()));
        twin = crm.save(mailbox, null, stamped(item, c.remoteId()));
        created++;
      } else {
        unchanged++;
      }
      // the Message-ID marker before the link, which clears the note: a crash in between leaves the
      // note, whose replay re-links, and never a link without its marker (a copy would be captured again)
      if (msgIdMarker != null) {
        markers.put(msgIdMarker, twin.crmId());
      }
      note.link(List.of(link(round, twin.crmId(), c, twin.version())), List.of(), List.of(c.remoteId()));
    }
    pulled.cursors().forEach((folder, cursor) -> round.state().putCursor(
        new CursorKey(mailbox, ResourceType.MAIL.resource(), folder), cursor, round.fence()));
    return new ResourceResult(ResourceType.MAIL.resource(), round.session().mode(), ResourceResult.Outcome.SYNCED,
        created, updated, 0, unchanged, pulled.full(), null);
  }

  private static IdLink link(SyncRound round, String crmId, Change<MailMessage> c, long version) {
    return new IdLink(round.mailbox().id(), ResourceType.MAIL.resource(), crmId, c.remoteId(), c.changeKey(), version);
  }

  private static void putLink(SyncRound round, IdLink link) {
    round.state().putLink(link, round.fence());
  }

  private static MailMessage stamped(MailMessage item, String remoteId) {
    return Reserved.stamp(item, Map.of(Reserved.REMOTE_ID, remoteId));
  }

  /**
   * Whether a capture of the same Internet Message-ID from another item was noted but its marker
   * never written (a crash after the CRM save): a copy read first must find that record, not make one.
   */
  private static boolean pendingCopy(WriteAhead note, MailMessage item) {
    String key = item.matchKey();
    return key != null && note.pulledIds().stream().anyMatch(id -> key.equals(note.pulledKey(id)));
  }

  /** Captured records by the message they came from and by Internet Message-ID (read once, after a crash or a 410). */
  private Map<String, CrmRecord<MailMessage>> capturedByOrigin(MailboxId mailbox) {
    Map<String, CrmRecord<MailMessage>> m = new HashMap<>();
    for (CrmRecord<MailMessage> r : crm.list(mailbox)) {
      String origin = r.item().extensions().get(Reserved.REMOTE_ID);
      if (origin != null) {
        m.putIfAbsent(origin, r);
      }
      if (r.item().matchKey() != null) {
        m.putIfAbsent(r.item().matchKey(), r);
      }
    }
    return m;
  }

  private MailMessage capped(MailMessage m) {
    List<MailMessage.Attachment> kept = new ArrayList<>();
    int omitted = 0;
    for (MailMessage.Attachment a : m.attachments()) {
      if (a.size() <= options.maxAttachmentSize()) {
        kept.add(a);
      } else {
        omitted++;
      }
    }
    if (omitted == 0) {
      return m;
    }
    Map<String, String> ext = new HashMap<>(m.extensions());
    ext.put(MailOptions.ATTACHMENTS_OMITTED, Integer.toString(omitted));
    return new MailMessage(m.subject(), m.from(), m.to(), m.cc(), m.receivedAt(), m.bodyPreview(),
        m.internetMessageId(), m.folderId(), kept, ext);
  }
}

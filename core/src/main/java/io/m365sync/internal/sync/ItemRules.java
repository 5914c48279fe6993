package io.m365sync.internal.sync;

import io.m365sync.model.CalendarEvent;
import io.m365sync.model.MailMessage;
import io.m365sync.model.SyncItem;
import io.m365sync.sync.MailOptions;
import io.m365sync.sync.TwoWayOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What differs per resource in the shared two-way algorithm: reference translation between the
 * sides (an exception's series master), scope (the events window), processing order (masters before
 * their exceptions) and write flags (attendee notifications). The defaults are the plain rules: the
 * item as it is on both sides, always in scope, no order, no flags.
 */
interface ItemRules<T extends SyncItem> {

  /** Microsoft 365 form → CRM form; {@code crmIdOf} maps a remote id to its linked CRM id (or null). */
  default T toCrm(T remote, UnaryOperator<String> crmIdOf) {
    return remote;
  }

  /** CRM form → Microsoft 365 form; {@code remoteIdOf} maps a CRM id to its linked remote id (or null). */
  default T toRemote(T crm, UnaryOperator<String> remoteIdOf) {
    return crm;
  }

  /** Whether the item lies inside the synced scope; {@code window} is null for unwindowed resources. */
  default boolean inScope(T item, Window window) {
    return true;
  }

  /** Lower ranks are processed first. */
  default int rank(T item) {
    return 0;
  }

  /** The item as written to Microsoft 365 by a create ({@code create}) or an update. */
  default T forWrite(T remote, boolean create) {
    return remote;
  }

  /** What makes two items one for capture ({@link Flow#CAPTURE}), across containers; null: none. */
  default String identity(T item) {
    return item.matchKey();
  }

  static <T extends SyncItem> ItemRules<T> plain() {
    return new ItemRules<>() {};
  }

  /**
   * Captured mail: the CRM form keeps attachment metadata up to {@code maxAttachmentSize}; larger
   * attachments are left out and counted in {@link MailOptions#ATTACHMENTS_OMITTED}.
   */
  static ItemRules<MailMessage> mailCapture(long maxAttachmentSize) {
    return new ItemRules<>() {
      @Override
      public MailMessage toCrm(MailMessage m, UnaryOperator<String> crmIdOf) {
        List<MailMessage.Attachment> kept = new ArrayList<>();
        for (MailMessage.Attachment a : m.attachments()) {
          if (a.size() <= maxAttachmentSize) {
            kept.add(a);
          }
        }
        if (kept.size() == m.attachments().size()) {
          return m;
        }
        Map<String, String> ext = new HashMap<>(m.extensions());
        ext.put(MailOptions.ATTACHMENTS_OMITTED, Integer.toString(m.attachments().size() - kept.size()));
        return new MailMessage(m.subject(), m.from(), m.to(), m.cc(), m.receivedAt(), m.bodyPreview(),
            m.internetMessageId(), m.folderId(), kept, ext);
      }

      @Override
      public String identity(MailMessage m) {
        return m.internetMessageId();
      }
    };
  }

  /**
   * Events: series masters first; an exception's {@code seriesMasterId} holds the master's CRM id in
   * the CRM and its Microsoft 365 id in Microsoft 365; scope is the calendar view window; updates
   * carry {@link TwoWayOptions#NOTIFY_ATTENDEES} so they never re-send invitations unless the host
   * asked.
   */
  static ItemRules<CalendarEvent> events(boolean notifyOnUpdate) {
    return events(notifyOnUpdate, true);
  }

  /**
   * Events as one-way sync mirrors them: the same window and order, but the CRM keeps Microsoft 365's
   * ids in {@code seriesMasterId} (nothing is translated: the CRM holds the items as they are).
   */
  static ItemRules<CalendarEvent> eventsMirrored() {
    return events(false, false);
  }

  private static ItemRules<CalendarEvent> events(boolean notifyOnUpdate, boolean translate) {
    return new ItemRules<>() {
      @Override
      public CalendarEvent toCrm(CalendarEvent remote, UnaryOperator<String> crmIdOf) {
        return withMaster(remote, crmIdOf);
      }

      @Override
      public CalendarEvent toRemote(CalendarEvent crm, UnaryOperator<String> remoteIdOf) {
        return withMaster(crm, remoteIdOf);
      }

      private CalendarEvent withMaster(CalendarEvent e, UnaryOperator<String> map) {
        if (!translate || e.seriesMasterId() == null) {
          return e;
        }
        String other = map.apply(e.seriesMasterId());
        if (other == null || other.equals(e.seriesMasterId())) {
          return e;
        }
        return new CalendarEvent(e.subject(), e.body(), e.start(), e.end(), e.originalTimeZone(), e.allDay(),
            e.location(), e.organizer(), e.attendees(), e.type(), other, e.recurrence(), e.iCalUid(), e.extensions());
      }

      @Override
      public boolean inScope(CalendarEvent e, Window w) {
        return w == null || (e.start().isBefore(w.end()) && e.end().isAfter(w.start()));
      }

      @Override
      public int rank(CalendarEvent e) {
        return e.type() == CalendarEvent.EventType.SERIES_MASTER ? 0 : 1;
      }

      @Override
      public CalendarEvent forWrite(CalendarEvent e, boolean create) {
        Map<String, String> ext = new HashMap<>(e.extensions());
        ext.put(TwoWayOptions.NOTIFY_ATTENDEES, Boolean.toString(create || notifyOnUpdate));
        return Reserved.withExtensions(e, ext);
      }
    };
  }
}

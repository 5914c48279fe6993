package io.m365sync.internal.sync;

import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.MailMessage;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.SyncItem;
import io.m365sync.model.TodoTask;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The syncers' reserved extension keys ({@code m365sync.*}) and content fingerprints.
 *
 * <p>{@link #BASE} is the fingerprint of the content as a syncer last wrote it to that side: an item
 * whose fingerprint still matches has not been edited by a user since, which tells an echo of our own
 * write (even when the id-map write after it was lost in a crash) from a user's change.
 */
public final class Reserved {
  public static final String PREFIX = "m365sync.";
  /** On CRM records: the Microsoft 365 id they were created from (write-ahead for crash recovery). */
  public static final String REMOTE_ID = "m365sync.remoteId";
  /** On Microsoft 365 items: the CRM id they were created from. */
  public static final String CRM_ID = "m365sync.crmId";
  /** On either side: the fingerprint of the content as the syncer wrote it. */
  public static final String BASE = "m365sync.base";

  private Reserved() {}

  /** The host's own extensions: every reserved key removed. */
  public static Map<String, String> userExtensions(Map<String, String> ext) {
    Map<String, String> m = new HashMap<>();
    ext.forEach((k, v) -> {
      if (!k.startsWith(PREFIX)) {
        m.put(k, v);
      }
    });
    return m;
  }

  /** The item without reserved keys: what is compared across sides. */
  public static <T extends SyncItem> T strip(T item) {
    return item == null ? null : withExtensions(item, userExtensions(item.extensions()));
  }

  /** Content fingerprint of the stripped item (stable across JVMs: extensions in key order). */
  public static String fingerprint(SyncItem item) {
    SyncItem bare = withExtensions(item, Map.of());
    return hash(bare + "|" + new TreeMap<>(userExtensions(item.extensions())));
  }

  /** A short SHA-256 digest of {@code text}. */
  public static String hash(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 22);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }

  /** Whether the item still carries the fingerprint we wrote: nobody edited it since our write. */
  public static boolean untouchedSinceOurWrite(SyncItem item) {
    String base = item.extensions().get(BASE);
    return base != null && base.equals(fingerprint(item));
  }

  /** The stripped item stamped with {@code extra} reserved keys and its fingerprint. */
  public static <T extends SyncItem> T stamp(T item, Map<String, String> extra) {
    Map<String, String> ext = userExtensions(item.extensions());
    T bare = withExtensions(item, ext);
    ext.putAll(extra);
    ext.put(BASE, fingerprint(bare));
    return withExtensions(item, ext);
  }

  /** A copy of {@code item} with {@code ext} as its extensions. */
  @SuppressWarnings("unchecked")
  public static <T extends SyncItem> T withExtensions(T item, Map<String, String> ext) {
    SyncItem r;
    if (item instanceof CalendarEvent e) {
      r = new CalendarEvent(e.subject(), e.body(), e.start(), e.end(), e.originalTimeZone(), e.allDay(), e.location(),
          e.organizer(), e.attendees(), e.type(), e.seriesMasterId(), e.recurrence(), e.iCalUid(), ext);
    } else if (item instanceof Contact c) {
      r = new Contact(c.givenName(), c.surname(), c.displayName(), c.emailAddresses(), c.phones(), c.companyName(),
          c.jobTitle(), ext);
    } else if (item instanceof TodoTask t) {
      r = new TodoTask(t.title(), t.body(), t.status(), t.due(), t.importance(), t.completedAt(), ext);
    } else if (item instanceof MailMessage m) {
      r = new MailMessage(m.subject(), m.from(), m.to(), m.cc(), m.receivedAt(), m.bodyPreview(), m.internetMessageId(),
          m.folderId(), m.attachments(), ext);
    } else if (item instanceof MailboxSettings s) {
      r = new MailboxSettings(s.timeZone(), s.workingHours(), s.automaticReplies(), ext);
    } else {
      throw new IllegalArgumentException("unknown item " + item);
    }
    return (T) r;
  }
}

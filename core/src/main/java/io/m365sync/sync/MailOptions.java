package io.m365sync.sync;

import io.m365sync.Checks;
import io.m365sync.model.MailMessage;
import java.util.List;
import java.util.function.Predicate;

/**
 * How the mail syncer ({@link ResourceSyncers#mail}) captures messages, Microsoft 365 → CRM.
 *
 * <ul>
 *   <li>{@link #folders()} — each read with its own delta (default Inbox and Sent Items).</li>
 *   <li>{@link #capture()} — the host decides which messages the CRM keeps (for example: a participant
 *       is a CRM contact). A message that does not pass is not captured; one captured earlier stays.</li>
 *   <li>Immutable ids: a message moved between folders keeps its id and its CRM record; a copy with
 *       the same Internet Message-ID is not captured a second time.</li>
 *   <li>{@link #maxAttachmentSize()} — attachment metadata is kept for attachments up to this size;
 *       larger ones are left out and counted in the extension {@link #ATTACHMENTS_OMITTED}.</li>
 *   <li>Captured mail is the CRM's record of correspondence: deleting or moving the message out of the
 *       synced folders does not delete it from the CRM.</li>
 * </ul>
 */
public record MailOptions(List<String> folders, Predicate<? super MailMessage> capture, long maxAttachmentSize) {
  /** Extension key on captured messages: how many attachments were left out for their size. */
  public static final String ATTACHMENTS_OMITTED = "attachmentsOmitted";

  public MailOptions {
    folders = List.copyOf(Checks.requireNonNull(folders, "folders"));
    if (folders.isEmpty()) {
      throw new IllegalArgumentException("'folders' must name at least one folder but was empty");
    }
    Checks.requireNonNull(capture, "capture");
    if (maxAttachmentSize < 0) {
      throw new IllegalArgumentException("'maxAttachmentSize' must not be negative but was " + maxAttachmentSize);
    }
  }

  /** Inbox and Sent Items, every message, attachments up to 25 MB. */
  public static MailOptions defaults() {
    return new MailOptions(List.of("inbox", "sentitems"), m -> true, 25L * 1024 * 1024);
  }

  public MailOptions withFolders(List<String> value) {
    return new MailOptions(value, capture, maxAttachmentSize);
  }

  public MailOptions withCapture(Predicate<? super MailMessage> value) {
    return new MailOptions(folders, value, maxAttachmentSize);
  }

  public MailOptions withMaxAttachmentSize(long value) {
    return new MailOptions(folders, capture, value);
  }
}

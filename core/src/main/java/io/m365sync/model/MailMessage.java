package io.m365sync.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A mail message as the CRM captures it (Microsoft 365 → CRM only).
 *
 * @param internetMessageId the RFC 5322 Message-ID, stable across folders and mailboxes
 * @param folderId the mail folder holding it when read
 */
public record MailMessage(String subject, EmailAddress from, List<EmailAddress> to, List<EmailAddress> cc,
                          Instant receivedAt, String bodyPreview, String internetMessageId, String folderId,
                          List<Attachment> attachments, Map<String, String> extensions) implements SyncItem {

  /** Attachment metadata only; content is never copied. */
  public record Attachment(String name, String contentType, long size) {}

  public MailMessage {
    subject = subject == null ? "" : subject;
    to = Items.list(to);
    cc = Items.list(cc);
    attachments = Items.list(attachments);
    extensions = Items.map(extensions);
  }

  public static MailMessage of(String subject, String from, String to, Instant receivedAt, String internetMessageId) {
    return new MailMessage(subject, EmailAddress.of(from), List.of(EmailAddress.of(to)), List.of(), receivedAt,
        null, internetMessageId, null, List.of(), Map.of());
  }

  @Override
  public MailMessage withExtensions(Map<String, String> newExtensions) {
    return new MailMessage(subject, from, to, cc, receivedAt, bodyPreview, internetMessageId, folderId, attachments,
        newExtensions);
  }

  @Override
  public String matchKey() {
    return internetMessageId == null ? null : "msgid:" + internetMessageId;
  }
}

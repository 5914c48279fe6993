package io.m365sync.model;

import java.time.LocalTime;
import java.util.List;
import java.util.Map;

/**
 * A mailbox's settings snapshot. Graph has no delta for these: gateways poll and the syncer diffs.
 *
 * @param timeZone the mailbox's default time zone: a Windows or IANA name, or a custom zone's name, kept as
 *     Graph gave it
 * @param workingHours when the user works; may be null
 * @param automaticReplies out-of-office state; may be null
 */
public record MailboxSettings(String timeZone, WorkingHours workingHours, AutomaticReplies automaticReplies,
                              Map<String, String> extensions) implements SyncItem {

  /**
   * Working days and hours in a time zone.
   *
   * @param timeZone the zone's name (Windows, IANA, or a custom zone's own name); may be null
   * @param customTimeZone a custom zone kept whole: Graph's {@code customTimeZone} object (bias,
   *     standard and daylight offsets) as JSON text, written back as it came; null for a named zone
   */
  public record WorkingHours(List<String> daysOfWeek, LocalTime start, LocalTime end, String timeZone,
                             String customTimeZone) {
    public WorkingHours {
      daysOfWeek = Items.list(daysOfWeek);
    }

    /** Working hours in a named zone. */
    public WorkingHours(List<String> daysOfWeek, LocalTime start, LocalTime end, String timeZone) {
      this(daysOfWeek, start, end, timeZone, null);
    }
  }

  /** Automatic replies: {@code disabled}, {@code alwaysEnabled} or {@code scheduled}. */
  public record AutomaticReplies(String status, String internalReplyMessage, String externalReplyMessage) {}

  public MailboxSettings {
    extensions = Items.map(extensions);
  }

  @Override
  public MailboxSettings withExtensions(Map<String, String> newExtensions) {
    return new MailboxSettings(timeZone, workingHours, automaticReplies, newExtensions);
  }

  @Override
  public String matchKey() {
    return "mailboxSettings";
  }
}

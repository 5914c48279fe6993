package io.m365sync.sync;

import io.m365sync.Checks;

/**
 * Which way each mailbox setting flows ({@link ResourceSyncers#mailboxSettings}). Graph has no delta
 * for settings: every round reads the snapshot and diffs it against the CRM's record, field by field.
 * The CRM holds at most one settings record per mailbox.
 *
 * @param timeZone the mailbox's time zone
 * @param workingHours working days and hours
 * @param automaticReplies out-of-office
 */
public record MailboxSettingsOptions(Direction timeZone, Direction workingHours, Direction automaticReplies) {

  /** Where a field's truth lives. */
  public enum Direction {
    /** Microsoft 365's value is copied to the CRM. */
    MICROSOFT_TO_CRM,
    /** The CRM's value is written to Microsoft 365. */
    CRM_TO_MICROSOFT,
    /** The field is not synced. */
    NONE
  }

  public MailboxSettingsOptions {
    Checks.requireNonNull(timeZone, "timeZone");
    Checks.requireNonNull(workingHours, "workingHours");
    Checks.requireNonNull(automaticReplies, "automaticReplies");
  }

  /** Everything flows Microsoft 365 → CRM. */
  public static MailboxSettingsOptions defaults() {
    return new MailboxSettingsOptions(Direction.MICROSOFT_TO_CRM, Direction.MICROSOFT_TO_CRM, Direction.MICROSOFT_TO_CRM);
  }
}

package io.m365sync.sync;

/**
 * Who wins when the same item changed on both sides since the last sync (or changed on one side and
 * was deleted on the other). Every conflict is written to the {@link ConflictJournal} whatever the
 * policy.
 */
public enum ConflictPolicy {
  /** Microsoft 365's version replaces the CRM's; a Microsoft 365 deletion deletes the edited CRM record. */
  MICROSOFT_WINS,
  /** The CRM's version replaces Microsoft 365's; a CRM deletion deletes the edited Microsoft 365 item. */
  CRM_WINS,
  /**
   * The side with the later last-modified time wins ({@link TwoWayOptions#lastModified}); when either
   * time is unknown Microsoft 365 wins. A deletion against an edit is decided for the edit: no data is
   * lost to a deletion whose time nobody knows.
   */
  NEWEST_WINS,
  /** The host's {@link ConflictResolver} decides. */
  CUSTOM
}

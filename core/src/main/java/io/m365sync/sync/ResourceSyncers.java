package io.m365sync.sync;

import io.m365sync.crm.CrmStore;
import io.m365sync.internal.sync.SyncPipeline;
import io.m365sync.model.MailMessage;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import java.util.List;

/** Stock {@link ResourceSyncer}s. */
public final class ResourceSyncers {
  private ResourceSyncers() {}

  /**
   * Microsoft 365 → CRM for the default container of {@code type}: creates, updates and deletes CRM
   * records as the mailbox changes; never writes to Microsoft 365. It is the two-way pipeline with
   * pushing switched off, so the same rules hold: an expired delta link re-links instead of
   * duplicating, events sync inside the calendar view window (an event that leaves it keeps its CRM
   * record), and a round that would delete or overwrite most records is quarantined with the
   * {@link TwoWayOptions} defaults.
   */
  public static <T extends SyncItem> ResourceSyncer<T> oneWay(ResourceType<T> type, CrmStore<T> crm) {
    return oneWay(type, crm, List.of());
  }

  /** Like {@link #oneWay(ResourceType, CrmStore)} over the given folders or lists (empty: the default one). */
  public static <T extends SyncItem> ResourceSyncer<T> oneWay(ResourceType<T> type, CrmStore<T> crm,
                                                              List<String> containers) {
    io.m365sync.Checks.requireNonNull(type, "type");
    io.m365sync.Checks.requireNonNull(crm, "crm");
    io.m365sync.Checks.requireNonNull(containers, "containers");
    return SyncPipeline.oneWay(type, crm, containers);
  }

  /**
   * Two-way sync of {@link ResourceType#EVENTS}, {@link ResourceType#CONTACTS} or
   * {@link ResourceType#TASKS} with the default {@link TwoWayOptions}.
   */
  public static <T extends SyncItem> ResourceSyncer<T> twoWay(ResourceType<T> type, CrmStore<T> crm) {
    return twoWay(type, crm, TwoWayOptions.defaults());
  }

  /**
   * Two-way sync of {@link ResourceType#EVENTS}, {@link ResourceType#CONTACTS} or
   * {@link ResourceType#TASKS}: Microsoft 365 changes go to the CRM and CRM changes to Microsoft 365
   * (with If-Match), echoes of its own writes are not applied back, conflicts are decided by
   * {@link TwoWayOptions#policy()} and journaled, mass deletions or overwrites are quarantined, and
   * an expired delta link (410) re-links through the id map and by content instead of duplicating.
   *
   * <pre>{@code
   * ConflictJournal journal = ConflictJournal.inMemory();
   * ResourceSyncer<Contact> contacts = ResourceSyncers.twoWay(ResourceType.CONTACTS, crmContacts,
   *     TwoWayOptions.<Contact>builder()
   *         .containers(List.of("contacts", "customers"))
   *         .policy(ConflictPolicy.NEWEST_WINS)
   *         .journal(journal)
   *         .crmFilter(c -> !c.emailAddresses().isEmpty())
   *         .build());
   * }</pre>
   *
   * @throws IllegalArgumentException for mail or mailbox settings (see {@link #mail} and {@link #mailboxSettings})
   */
  public static <T extends SyncItem> ResourceSyncer<T> twoWay(ResourceType<T> type, CrmStore<T> crm,
                                                              TwoWayOptions<T> options) {
    io.m365sync.Checks.requireNonNull(type, "type");
    io.m365sync.Checks.requireNonNull(crm, "crm");
    io.m365sync.Checks.requireNonNull(options, "options");
    if (type == ResourceType.MAIL || type == ResourceType.MAILBOX_SETTINGS) {
      throw new IllegalArgumentException("'type' " + type + " has no two-way sync; use ResourceSyncers.mail(...) "
          + "or ResourceSyncers.mailboxSettings(...)");
    }
    if (type == ResourceType.EVENTS && !options.containers().isEmpty()) {
      throw new IllegalArgumentException("'containers' must be empty for EVENTS (the primary calendar view) but was "
          + options.containers());
    }
    return SyncPipeline.twoWay(type, crm, options);
  }

  /** Mail capture with {@link MailOptions#defaults()}: Inbox and Sent Items, every message. */
  public static ResourceSyncer<MailMessage> mail(CrmStore<MailMessage> crm) {
    return mail(crm, MailOptions.defaults());
  }

  /**
   * Mail capture, Microsoft 365 → CRM, over the configured folders; see {@link MailOptions}.
   *
   * <pre>{@code
   * ResourceSyncer<MailMessage> mail = ResourceSyncers.mail(crmMail, MailOptions.defaults()
   *     .withCapture(m -> crmContacts.knows(m.from()))
   *     .withMaxAttachmentSize(10_000_000));
   * }</pre>
   */
  public static ResourceSyncer<MailMessage> mail(CrmStore<MailMessage> crm, MailOptions options) {
    io.m365sync.Checks.requireNonNull(crm, "crm");
    io.m365sync.Checks.requireNonNull(options, "options");
    return SyncPipeline.mail(crm, options);
  }

  /**
   * Mailbox settings (time zone, working hours, automatic replies): a snapshot diff each round, each
   * field flowing the way {@code options} says; see {@link MailboxSettingsOptions}.
   */
  public static ResourceSyncer<MailboxSettings> mailboxSettings(CrmStore<MailboxSettings> crm,
                                                               MailboxSettingsOptions options) {
    io.m365sync.Checks.requireNonNull(crm, "crm");
    io.m365sync.Checks.requireNonNull(options, "options");
    return new io.m365sync.internal.sync.MailboxSettingsSyncer(crm, options);
  }
}

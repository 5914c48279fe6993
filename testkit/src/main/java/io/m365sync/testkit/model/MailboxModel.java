package io.m365sync.testkit.model;

import io.m365sync.Resource;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.MailMessage;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.TodoTask;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One user's mailbox: the primary calendar, contact folders, mail folders, To Do lists and the
 * mailbox settings. Folder and list ids are stable; well-known mail folder names
 * ({@code inbox}, {@code sentitems}, …) resolve to their folders. Thread-safe.
 */
public final class MailboxModel {
  public static final String DEFAULT_CONTACTS = "contacts";
  public static final String DEFAULT_TASK_LIST = "tasks";
  private static final List<String> WELL_KNOWN_MAIL = List.of("inbox", "sentitems", "drafts", "deleteditems", "archive");

  private final String userId;
  private final ItemCollection<CalendarEvent> calendar;
  private final Map<String, ItemCollection<Contact>> contactFolders = new LinkedHashMap<>();
  private final Map<String, ItemCollection<MailMessage>> mailFolders = new LinkedHashMap<>();
  private final Map<String, ItemCollection<TodoTask>> taskLists = new LinkedHashMap<>();
  private MailboxSettings settings = new MailboxSettings("UTC",
      new MailboxSettings.WorkingHours(List.of("monday", "tuesday", "wednesday", "thursday", "friday"),
          LocalTime.of(8, 0), LocalTime.of(17, 0), "UTC"),
      new MailboxSettings.AutomaticReplies("disabled", null, null), Map.of());
  private long settingsVersion = 1;

  private final SubscriptionModel subscriptions;

  MailboxModel(String userId, SubscriptionModel subscriptions) {
    this.userId = userId;
    this.subscriptions = subscriptions;
    this.calendar = watched(new ItemCollection<>(userId + "/calendar", "Calendar",
        (e, w) -> e.start().isBefore(w.end()) && e.end().isAfter(w.start()), Recurrence.SERIES), Resource.EVENTS, null);
    contactFolders.put(DEFAULT_CONTACTS, watched(new ItemCollection<>(userId + "/contacts/" + DEFAULT_CONTACTS, "Contacts",
        null), Resource.CONTACTS, DEFAULT_CONTACTS));
    for (String name : WELL_KNOWN_MAIL) {
      mailFolders.put(name, watched(new ItemCollection<>(userId + "/mail/" + name, name, null), Resource.MAIL, name));
    }
    taskLists.put(DEFAULT_TASK_LIST, watched(new ItemCollection<>(userId + "/todo/" + DEFAULT_TASK_LIST, "Tasks", null),
        Resource.TASKS, DEFAULT_TASK_LIST));
  }

  /** Every change in {@code c} goes to the tenant's subscriptions, which notify the matching ones. */
  private <T extends io.m365sync.model.SyncItem> ItemCollection<T> watched(ItemCollection<T> c, Resource resource,
                                                                           String container) {
    if (subscriptions != null) {
      c.observe((itemId, changeType) -> subscriptions.changed(userId, resource, container, itemId, changeType));
    }
    return c;
  }

  public String userId() {
    return userId;
  }

  /** The primary calendar (calendar view delta needs a window). */
  public ItemCollection<CalendarEvent> calendar() {
    return calendar;
  }

  /** A contact folder; null id means the default folder. */
  public synchronized ItemCollection<Contact> contacts(String folderId) {
    return require(contactFolders, folderId == null ? DEFAULT_CONTACTS : folderId, "contact folder");
  }

  public ItemCollection<Contact> contacts() {
    return contacts(null);
  }

  public synchronized ItemCollection<Contact> addContactFolder(String folderId) {
    return contactFolders.computeIfAbsent(folderId,
        id -> watched(new ItemCollection<>(userId + "/contacts/" + id, id, null), Resource.CONTACTS, id));
  }

  /** A mail folder by id or well-known name; null means the inbox. */
  public synchronized ItemCollection<MailMessage> mail(String folder) {
    return require(mailFolders, folder == null ? "inbox" : folder.toLowerCase(Locale.ROOT), "mail folder");
  }

  public synchronized ItemCollection<MailMessage> addMailFolder(String folderId) {
    return mailFolders.computeIfAbsent(folderId,
        id -> watched(new ItemCollection<>(userId + "/mail/" + id, id, null), Resource.MAIL, id));
  }

  /** Moves a message to another folder, keeping its immutable id: per-folder deltas see a remove and an add. */
  public synchronized StoredItem<MailMessage> moveMessage(String messageId, String toFolder) {
    ItemCollection<MailMessage> target = mail(toFolder);
    for (ItemCollection<MailMessage> folder : mailFolders.values()) {
      Optional<StoredItem<MailMessage>> found = folder.get(messageId);
      if (found.isPresent()) {
        folder.delete(messageId, null);
        return target.put(messageId, found.get().item());
      }
    }
    throw GraphError.itemNotFound();
  }

  /** A To Do list; null means the default list. */
  public synchronized ItemCollection<TodoTask> tasks(String listId) {
    return require(taskLists, listId == null ? DEFAULT_TASK_LIST : listId, "To Do list");
  }

  public ItemCollection<TodoTask> tasks() {
    return tasks(null);
  }

  public synchronized ItemCollection<TodoTask> addTaskList(String listId) {
    return taskLists.computeIfAbsent(listId,
        id -> watched(new ItemCollection<>(userId + "/todo/" + id, id, null), Resource.TASKS, id));
  }

  public synchronized List<String> contactFolderIds() {
    return List.copyOf(contactFolders.keySet());
  }

  public synchronized List<String> mailFolderIds() {
    return List.copyOf(mailFolders.keySet());
  }

  public synchronized List<String> taskListIds() {
    return List.copyOf(taskLists.keySet());
  }

  public synchronized MailboxSettings settings() {
    return settings;
  }

  /** The settings' change key: changes on every update. */
  public synchronized String settingsChangeKey() {
    return "settings-" + settingsVersion;
  }

  synchronized long settingsVersion() {
    return settingsVersion;
  }

  synchronized void restoreSettings(MailboxSettings restored, long version) {
    settings = restored;
    settingsVersion = version;
  }

  public synchronized MailboxSettings updateSettings(MailboxSettings newSettings) {
    settings = newSettings;
    settingsVersion++;
    return settings;
  }

  private static <C> C require(Map<String, C> map, String id, String what) {
    C c = map.get(id);
    if (c == null) {
      throw new GraphError(404, "ErrorItemNotFound", "The " + what + " '" + id + "' was not found.");
    }
    return c;
  }
}

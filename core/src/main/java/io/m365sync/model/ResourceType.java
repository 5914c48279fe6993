package io.m365sync.model;

import io.m365sync.Resource;
import java.util.List;

/**
 * A {@link Resource} together with the record class its items have, so gateways, CRM stores and
 * syncers stay type-safe.
 *
 * @param <T> the item record
 */
public final class ResourceType<T extends SyncItem> {
  public static final ResourceType<CalendarEvent> EVENTS = new ResourceType<>(Resource.EVENTS, CalendarEvent.class);
  public static final ResourceType<Contact> CONTACTS = new ResourceType<>(Resource.CONTACTS, Contact.class);
  public static final ResourceType<MailMessage> MAIL = new ResourceType<>(Resource.MAIL, MailMessage.class);
  public static final ResourceType<TodoTask> TASKS = new ResourceType<>(Resource.TASKS, TodoTask.class);
  public static final ResourceType<MailboxSettings> MAILBOX_SETTINGS =
      new ResourceType<>(Resource.MAILBOX_SETTINGS, MailboxSettings.class);

  private static final List<ResourceType<?>> ALL = List.of(EVENTS, CONTACTS, MAIL, TASKS, MAILBOX_SETTINGS);

  private final Resource resource;
  private final Class<T> itemClass;

  private ResourceType(Resource resource, Class<T> itemClass) {
    this.resource = resource;
    this.itemClass = itemClass;
  }

  public Resource resource() {
    return resource;
  }

  public Class<T> itemClass() {
    return itemClass;
  }

  /** Casts {@code item} to this type's record, failing with a message naming both. */
  public T cast(SyncItem item) {
    if (!itemClass.isInstance(item)) {
      throw new IllegalArgumentException("Expected a " + itemClass.getSimpleName() + " for " + resource
          + " but got " + (item == null ? "null" : item.getClass().getSimpleName()));
    }
    return itemClass.cast(item);
  }

  public static ResourceType<?> of(Resource resource) {
    return ALL.get(resource.ordinal());
  }

  public static List<ResourceType<?>> all() {
    return ALL;
  }

  @Override
  public String toString() {
    return resource.name();
  }
}

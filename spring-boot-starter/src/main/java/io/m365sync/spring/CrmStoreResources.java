package io.m365sync.spring;

import io.m365sync.Resource;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.MailMessage;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.sync.MailboxSettingsOptions;
import io.m365sync.sync.ResourceSyncer;
import io.m365sync.sync.ResourceSyncers;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.ResolvableType;

/**
 * One syncer per resource: the host's own {@link ResourceSyncer} bean for it, else the stock syncer
 * over its {@code CrmStore<T>} bean, found by item type ({@code CrmStore<Contact>} is CONTACTS).
 * Events, contacts and tasks sync two-way when listed in {@code m365sync.two-way}, else Microsoft
 * 365 to CRM only; mail is captured; mailbox settings use their default options.
 */
final class CrmStoreResources {
  private CrmStoreResources() {}

  static List<ResourceSyncer<?>> syncers(ListableBeanFactory beans, List<ResourceSyncer<?>> hostSyncers, Set<Resource> twoWay) {
    Map<Resource, ResourceSyncer<?>> byResource = new EnumMap<>(Resource.class);
    for (ResourceSyncer<?> s : hostSyncers) {
      byResource.put(s.type().resource(), s); // a duplicate reaches the engine builder, which names it
    }
    List<ResourceSyncer<?>> result = new ArrayList<>(hostSyncers);
    for (ResourceType<?> type : ResourceType.all()) {
      if (!byResource.containsKey(type.resource())) {
        CrmStore<?> crm = crmStore(beans, type);
        if (crm != null) {
          result.add(stock(type, crm, twoWay.contains(type.resource())));
        }
      }
    }
    if (result.isEmpty()) {
      throw new IllegalStateException("m365sync found no CrmStore<T> bean (T = CalendarEvent, Contact, MailMessage, "
          + "TodoTask or MailboxSettings) and no ResourceSyncer bean: declare the CRM side of at least one resource");
    }
    return result;
  }

  /** The unique {@code CrmStore<T>} bean of the type's item class, or null; two of them fail naming both. */
  private static CrmStore<?> crmStore(ListableBeanFactory beans, ResourceType<?> type) {
    return beans.<CrmStore<?>>getBeanProvider(ResolvableType.forClassWithGenerics(CrmStore.class, type.itemClass()))
        .getIfAvailable();
  }

  @SuppressWarnings("unchecked")
  private static <T extends SyncItem> ResourceSyncer<?> stock(ResourceType<T> type, CrmStore<?> store, boolean twoWay) {
    CrmStore<T> crm = (CrmStore<T>) store; // resolved by T above
    if (type == ResourceType.MAIL) {
      return ResourceSyncers.mail((CrmStore<MailMessage>) store);
    }
    if (type == ResourceType.MAILBOX_SETTINGS) {
      return ResourceSyncers.mailboxSettings((CrmStore<MailboxSettings>) store, MailboxSettingsOptions.defaults());
    }
    return twoWay ? ResourceSyncers.twoWay(type, crm) : ResourceSyncers.oneWay(type, crm);
  }
}

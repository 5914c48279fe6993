package io.m365sync.resource;

import io.m365sync.internal.OneWaySyncer;
import java.util.List;

/** Stock {@link ResourceSyncer}s. */
public final class ResourceSyncers {
  private ResourceSyncers() {}

  /**
   * Microsoft 365 → CRM for the default container of {@code type}: creates, updates and deletes CRM
   * records as the mailbox changes; never writes to Microsoft 365.
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
    return new OneWaySyncer<>(type, crm, containers);
  }
}

package io.m365sync.sync;

import io.m365sync.gateway.SyncStateExpiredException;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;

/**
 * Syncs one resource of one mailbox for one round: pull delta → map ids → resolve → apply to the CRM
 * → push CRM changes → commit the cursor. Stock implementations: {@link ResourceSyncers}.
 *
 * <p>Contract: the delta cursor is committed only after the page's changes were applied; applying
 * is idempotent; a {@link SyncStateExpiredException} restarts a full round that re-links existing
 * items instead of creating them again. Gateway exceptions other than that propagate to the engine.
 *
 * @param <T> the item record
 */
public interface ResourceSyncer<T extends SyncItem> {

  ResourceType<T> type();

  ResourceResult sync(SyncRound round);

  /**
   * The containers (folders, lists) each round reads, as in {@link io.m365sync.state.CursorKey}:
   * {@code ""} is the resource's default one. With change notifications on, the engine keeps one
   * subscription per container. Default: the default container only.
   */
  default java.util.List<String> containers() {
    return java.util.List.of("");
  }
}

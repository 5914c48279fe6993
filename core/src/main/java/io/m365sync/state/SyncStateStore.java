package io.m365sync.state;

import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.internal.InMemorySyncStateStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the engine must remember: enrollments, tenant settings, mailbox status, delta cursors,
 * the id map, encrypted token-cache blobs and run history. In memory here; durable in the jdbc
 * module. Every implementation passes the testkit's {@code SyncStateStoreContract}.
 *
 * <p>Fencing: a round claims a fence with {@link #claimFence}; cursor and id-map writes carry it and
 * are refused with {@link FencedOutException} once a newer fence was claimed for that mailbox.
 * Thread-safe.
 */
public interface SyncStateStore {

  /** A thread-safe store in this JVM's memory: lost on restart. */
  static SyncStateStore inMemory() {
    return new InMemorySyncStateStore();
  }

  // enrollments
  void putEnrollment(Mailbox mailbox);

  Optional<Mailbox> enrollment(MailboxId mailbox);

  List<Mailbox> enrollments();

  /** Removes the enrollment and purges everything stored for the mailbox. */
  void purge(MailboxId mailbox);

  // tenant settings
  void putTenantSettings(TenantSettings settings);

  Optional<TenantSettings> tenantSettings(TenantId tenant);

  // status
  void putStatus(MailboxState state);

  Optional<MailboxState> status(MailboxId mailbox);

  List<MailboxState> statuses();

  // fencing
  /** Claims a new lease for the mailbox and returns its fence, greater than every earlier one. */
  long claimFence(MailboxId mailbox);

  // cursors
  Optional<String> cursor(CursorKey key);

  void putCursor(CursorKey key, String cursor, long fence);

  void removeCursor(CursorKey key, long fence);

  // id map
  Optional<IdLink> linkByRemoteId(MailboxId mailbox, Resource resource, String remoteId);

  Optional<IdLink> linkByCrmId(MailboxId mailbox, Resource resource, String crmId);

  List<IdLink> links(MailboxId mailbox, Resource resource);

  /** The links of those remote ids that have one, by remote id. Stores override to look them up in one go. */
  default Map<String, IdLink> linksByRemoteIds(MailboxId mailbox, Resource resource, Collection<String> remoteIds) {
    Map<String, IdLink> found = new HashMap<>();
    for (String id : remoteIds) {
      linkByRemoteId(mailbox, resource, id).ifPresent(l -> found.put(id, l));
    }
    return found;
  }

  /** Inserts or replaces the link for {@code link.crmId()} (and its remote id). */
  void putLink(IdLink link, long fence);

  /**
   * {@link #putLink} for several links of one mailbox, all or nothing. Stores override to write them
   * in one transaction; this default writes them one by one.
   */
  default void putLinks(List<IdLink> links, long fence) {
    for (IdLink link : links) {
      putLink(link, fence);
    }
  }

  /**
   * A page's links and cursor in one call: {@code links} as {@link #putLinks} writes them, then
   * {@code freshLinks}, none of whose CRM or remote ids has a link yet (nothing to replace, so the
   * store may skip looking), then the cursor at {@code key} set to {@code cursor}, or removed when
   * {@code cursor} is null; a null {@code key} leaves cursors alone. Stores override this to write it
   * all in one transaction; this default makes one call per part.
   */
  default void putLinksAndCursor(List<IdLink> links, List<IdLink> freshLinks, CursorKey key, String cursor, long fence) {
    List<IdLink> all = new ArrayList<>(links);
    all.addAll(freshLinks);
    if (!all.isEmpty()) {
      putLinks(all, fence);
    }
    if (key != null && cursor != null) {
      putCursor(key, cursor, fence);
    } else if (key != null) {
      removeCursor(key, fence);
    }
  }

  void removeLink(MailboxId mailbox, Resource resource, String crmId, long fence);

  // token cache (opaque, already encrypted by the token strategy)
  Optional<byte[]> tokenCache(MailboxId mailbox);

  void putTokenCache(MailboxId mailbox, byte[] blob);

  // run history
  void recordRun(RunRecord run);

  /** The newest runs first, at most {@code limit}. */
  List<RunRecord> runs(MailboxId mailbox, int limit);
}

package io.m365sync.gateway;

import io.m365sync.MailboxId;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The port to Microsoft 365 for one mailbox at a time. Implemented over the Graph SDK in
 * graph-adapter and in memory in testkit.
 *
 * <p>Failures are the {@link GatewayException} subclasses: {@link ThrottledException},
 * {@link SyncStateExpiredException}, {@link AccessDeniedByPolicyException},
 * {@link MailboxUnavailableException}, {@link ItemNotFoundException},
 * {@link PreconditionFailedException}, {@link TokenRejectedException},
 * {@link RemoteUnavailableException}. Thread-safe.
 *
 * <p>{@link ResourceType#MAILBOX_SETTINGS} has no delta in Graph: {@code delta} returns a one-item
 * snapshot page and {@code update} patches the settings; create and delete are refused.
 *
 * <p>Containers: every item lies in a container (a contact or mail folder, a To Do list; events
 * have the primary calendar only), which the host names in its sync options and the engine keeps
 * with each item's link. Reads and writes of one item name the container it lies in, as
 * {@link #create} does: Graph finds an event, contact or message by its id alone, but a To Do task
 * only through its list, so a gateway must not guess the list (nor remember it in memory, which a
 * restart or a failover to another node loses).
 *
 * <p>Updates are patches, as in Graph: an update writes the fields and extension keys its
 * {@link ItemPatch} names and leaves the rest of the item as it is, so what Microsoft 365 holds
 * beyond what the CRM stores survives a CRM edit.
 */
public interface MailboxGateway {

  /** Reads the next delta page. */
  <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request);

  /**
   * Reads the next delta page of each probe, as {@link #delta} would, each judged on its own: a probe
   * that fails is a {@link BatchedDelta} with its {@link GatewayException} (never an empty page), and
   * does not fail the probes of other mailboxes. Probes of one mailbox under one token are read in
   * their order, and once one of them fails the later ones are not sent: each fails with status 424
   * {@code FailedDependency} ({@link BatchedDelta#notSent()}), as dependent steps of Graph's
   * {@code $batch} do, so a mailbox that refuses (a policy's 403, a 429) is asked once. Probes may
   * name different mailboxes and tokens. The engine polls idle mailbox-resources with it; a gateway
   * may read the probes in fewer round trips (Graph's {@code $batch}). Default: one {@link #delta}
   * call per probe, in order.
   *
   * @return one result per probe, in the order of {@code probes}
   */
  default List<BatchedDelta<?>> deltaBatch(List<? extends DeltaProbe<?>> probes) {
    List<BatchedDelta<?>> results = new ArrayList<>(probes.size());
    Set<Map.Entry<MailboxId, String>> failed = new HashSet<>();
    for (DeltaProbe<?> probe : probes) {
      Map.Entry<MailboxId, String> chain = Map.entry(probe.session().mailbox().id(), probe.session().token().value());
      BatchedDelta<?> result = failed.contains(chain) ? BatchedDelta.dependencyFailed(probe) : readOne(this, probe);
      if (!result.ok()) {
        failed.add(chain);
      }
      results.add(result);
    }
    return results;
  }

  private static <T extends SyncItem> BatchedDelta<T> readOne(MailboxGateway gateway, DeltaProbe<T> probe) {
    try {
      return BatchedDelta.read(probe, gateway.delta(probe.session(), probe.type(), probe.request()));
    } catch (GatewayException e) {
      return BatchedDelta.failed(probe, e);
    }
  }

  /**
   * Reads one item by its id in {@code container} (null: the default folder/list), wherever it lies
   * in time (in or out of a calendar view window); empty when Microsoft 365 answers 404 (the item is
   * deleted, or is not in that container where the resource addresses items through their container).
   * The syncers use it to confirm a deletion seen through a windowed delta, which reports an item
   * moved out of the window as {@code @removed}.
   */
  <T extends SyncItem> Optional<T> get(MailboxSession session, ResourceType<T> type, String container, String remoteId);

  /** Creates an item in {@code container} (null: the default folder/list). */
  <T extends SyncItem> WriteResult create(MailboxSession session, ResourceType<T> type, String container, T item);

  /**
   * Writes the fields and extension keys {@code patch} names to an item in {@code container} (null:
   * the default folder/list) and leaves the others as they are; {@code ifMatch} (nullable) makes it
   * fail with 412 on a concurrent change.
   */
  <T extends SyncItem> WriteResult update(MailboxSession session, ResourceType<T> type, String container, String remoteId,
                                          String ifMatch, ItemPatch<T> patch);

  /**
   * Deletes an item in {@code container} (null: the default folder/list); deleting an item that is
   * already gone raises {@link ItemNotFoundException}.
   */
  void delete(MailboxSession session, ResourceType<?> type, String container, String remoteId, String ifMatch);

  /**
   * Subscribes {@code notificationUrl} to changes of {@code type} in {@code container} (null or
   * empty: the resource's default collection, as for reads) of the session's mailbox, with the
   * session's token. Microsoft 365 first calls both URLs to validate them; {@code lifecycleUrl}
   * (nullable) receives {@code subscriptionRemoved}, {@code reauthorizationRequired} and
   * {@code missed}; {@code clientState} (at most 128 characters) comes back in every notification.
   * The expiry granted may be earlier than {@code expiresAt}. Fails like reads do, e.g. with
   * {@link AccessDeniedByPolicyException} where an application access policy denies the mailbox.
   *
   * @throws UnsupportedOperationException from gateways without change notifications
   */
  default RemoteSubscription createSubscription(MailboxSession session, ResourceType<?> type, String container,
                                                URI notificationUrl, URI lifecycleUrl, String clientState,
                                                Instant expiresAt) {
    throw new UnsupportedOperationException(getClass().getName() + " does not support change notifications");
  }

  /**
   * Extends subscription {@code id} to {@code expiresAt} (which also reauthorizes it); the expiry
   * granted may be earlier. A subscription that is gone raises {@link ItemNotFoundException}.
   *
   * @throws UnsupportedOperationException from gateways without change notifications
   */
  default RemoteSubscription renewSubscription(MailboxSession session, String id, Instant expiresAt) {
    throw new UnsupportedOperationException(getClass().getName() + " does not support change notifications");
  }

  /**
   * Deletes subscription {@code id}; one that is already gone raises {@link ItemNotFoundException}.
   *
   * @throws UnsupportedOperationException from gateways without change notifications
   */
  default void deleteSubscription(MailboxSession session, String id) {
    throw new UnsupportedOperationException(getClass().getName() + " does not support change notifications");
  }
}

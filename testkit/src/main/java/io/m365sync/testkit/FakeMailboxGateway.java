package io.m365sync.testkit;

import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.gateway.Change;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.GatewayErrors;
import io.m365sync.gateway.ItemNotFoundException;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.RemoteSubscription;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.DeltaWindow;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.MailboxModel;
import io.m365sync.testkit.model.ModelChange;
import io.m365sync.testkit.model.ModelDeltaPage;
import io.m365sync.testkit.model.ModelSubscription;
import io.m365sync.testkit.model.StoredItem;
import io.m365sync.testkit.model.TenantModel;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link MailboxGateway} over the {@link CloudModel}, in process: every call goes through the model's
 * Graph rules (token validation, authorization, access policies, throttling, faults) and is logged
 * per mailbox. Errors arrive as core exceptions, mapped exactly as the Graph SDK gateway maps them.
 */
public final class FakeMailboxGateway implements MailboxGateway {
  private static final String SETTINGS_ID = "mailboxSettings";

  private final CloudModel cloud;

  public FakeMailboxGateway(CloudModel cloud) {
    this.cloud = cloud;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
    String user = session.mailbox().id().userObjectId();
    if (type.resource() == Resource.MAILBOX_SETTINGS) {
      return call(session, type, "GET /users/" + user + "/mailboxSettings", box -> {
        String key = box.settingsChangeKey();
        List<Change<T>> changes = key.equals(request.cursor()) ? List.of()
            : List.of(Change.upsert(SETTINGS_ID, key, (T) box.settings()));
        return new DeltaPage<>(changes, key, false);
      });
    }
    String container = request.container();
    return call(session, type, "GET " + collectionPath(user, type, container) + "/delta", box -> {
      ItemCollection<T> c = collection(box, type, container);
      DeltaWindow window = request.cursor() == null && c.windowed()
          ? new DeltaWindow(request.windowStart(), request.windowEnd()) : null;
      ModelDeltaPage<T> page = c.delta(request.cursor(), window, request.pageSize());
      List<Change<T>> changes = new ArrayList<>(page.changes().size());
      for (ModelChange<T> ch : page.changes()) {
        changes.add(ch.removed() ? Change.delete(ch.id()) : Change.upsert(ch.id(), ch.changeKey(), ch.item()));
      }
      return new DeltaPage<>(changes, page.more() ? page.nextToken() : page.deltaToken(), page.more());
    });
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends SyncItem> Optional<T> get(MailboxSession session, ResourceType<T> type, String container,
                                              String remoteId) {
    String user = session.mailbox().id().userObjectId();
    if (type.resource() == Resource.MAILBOX_SETTINGS) {
      return call(session, type, "GET /users/" + user + "/mailboxSettings", box -> Optional.of((T) box.settings()));
    }
    try {
      return call(session, type, "GET " + itemPath(user, type, container, remoteId),
          box -> Optional.of(find(box, type, container, remoteId).get(remoteId).orElseThrow(GraphError::itemNotFound).item()));
    } catch (ItemNotFoundException gone) {
      return Optional.empty();
    }
  }

  @Override
  public <T extends SyncItem> WriteResult create(MailboxSession session, ResourceType<T> type, String container, T item) {
    String user = session.mailbox().id().userObjectId();
    refuseSettings(type, "create");
    String in = container != null ? container : route(type).createIn();
    return call(session, type, "POST " + collectionPath(user, type, in), box -> {
      StoredItem<T> s = collection(box, type, in).create(type.cast(item));
      return new WriteResult(s.id(), s.changeKey());
    });
  }

  @Override
  public <T extends SyncItem> WriteResult update(MailboxSession session, ResourceType<T> type, String container,
                                                 String remoteId, String ifMatch, ItemPatch<T> patch) {
    String user = session.mailbox().id().userObjectId();
    if (type.resource() == Resource.MAILBOX_SETTINGS) {
      return call(session, type, "PATCH /users/" + user + "/mailboxSettings", box -> {
        box.updateSettings((MailboxSettings) patch.applyTo(type.cast(box.settings())));
        return new WriteResult(SETTINGS_ID, box.settingsChangeKey());
      });
    }
    // Graph merges a PATCH into the item: what the patch does not name stays as it is
    return call(session, type, "PATCH " + itemPath(user, type, container, remoteId), box -> {
      StoredItem<T> s = find(box, type, container, remoteId).patch(remoteId, ifMatch, patch::applyTo);
      return new WriteResult(s.id(), s.changeKey());
    });
  }

  @Override
  public void delete(MailboxSession session, ResourceType<?> type, String container, String remoteId, String ifMatch) {
    String user = session.mailbox().id().userObjectId();
    refuseSettings(type, "delete");
    call(session, type, "DELETE " + itemPath(user, type, container, remoteId), box -> {
      find(box, type, container, remoteId).delete(remoteId, ifMatch);
      return null;
    });
  }

  /**
   * Subscribes in the tenant's in-memory {@link io.m365sync.testkit.model.SubscriptionModel} (no
   * validation call: nothing listens in process), authorized like a read of the resource; the
   * model's notifications go to the cloud's sinks.
   */
  @Override
  public RemoteSubscription createSubscription(MailboxSession session, ResourceType<?> type, String container,
                                               URI notificationUrl, URI lifecycleUrl, String clientState,
                                               Instant expiresAt) {
    if (type.resource() == Resource.MAILBOX_SETTINGS) {
      throw new IllegalArgumentException("mailbox settings have no change notifications: they stay on polling");
    }
    String user = session.mailbox().id().userObjectId();
    String in = container == null || container.isEmpty() ? null : container;
    String resource = "users/" + user + route(type).subscribedPath().apply(in);
    return call(session, type, "POST /subscriptions", box -> {
      ModelSubscription s = tenant(session).subscriptions().create(user, cloud.validate(session.token().value()).clientId(), session.mode(),
          resource, "created,updated,deleted", notificationUrl, lifecycleUrl, clientState, expiresAt, url -> true);
      return new RemoteSubscription(s.id(), s.expiresAt());
    });
  }

  @Override
  public RemoteSubscription renewSubscription(MailboxSession session, String id, Instant expiresAt) {
    return call(session, subscribedResource(session, id), "PATCH /subscriptions/" + id, box -> {
      ModelSubscription s = tenant(session).subscriptions().renew(id, expiresAt);
      return new RemoteSubscription(s.id(), s.expiresAt());
    });
  }

  @Override
  public void deleteSubscription(MailboxSession session, String id) {
    call(session, subscribedResource(session, id), "DELETE /subscriptions/" + id, box -> {
      tenant(session).subscriptions().delete(id);
      return null;
    });
  }

  private TenantModel tenant(MailboxSession session) {
    return cloud.findTenant(session.mailbox().id().tenant().value()).orElseThrow();
  }

  /** The resource a subscription watches, so a renewal is authorized like it; null when it is gone. */
  private Resource subscribedResource(MailboxSession session, String id) {
    return cloud.findTenant(session.mailbox().id().tenant().value())
        .flatMap(t -> t.subscriptions().find(id)).map(s -> s.target().resource()).orElse(null);
  }

  private static void refuseSettings(ResourceType<?> type, String what) {
    if (type.resource() == Resource.MAILBOX_SETTINGS) {
      throw new UnsupportedOperationException("mailbox settings cannot be " + what + "d, only updated");
    }
  }

  private <R> R call(MailboxSession session, ResourceType<?> type, String request, Function<MailboxModel, R> action) {
    return call(session, type.resource(), request, action);
  }

  private <R> R call(MailboxSession session, Resource resource, String request, Function<MailboxModel, R> action) {
    MailboxId id = session.mailbox().id();
    TenantModel tenant = cloud.findTenant(id.tenant().value()).orElse(null);
    Supplier<R> body = () -> action.apply(tenant.mailbox(tenant.user(id.userObjectId())));
    try {
      if (tenant == null) {
        throw GraphError.invalidToken("Access token validation failure. Invalid audience or tenant.");
      }
      return tenant.graph(request, session.token().value(), id.userObjectId(), resource, body);
    } catch (GraphError e) {
      // every Graph answer carries a request-id, as the adapter reports it for support tickets
      throw GatewayErrors.toException(id, resource, e.status(), e.code(), e.getMessage(), e.retryAfter(),
          java.util.UUID.randomUUID().toString(), e);
    }
  }

  /**
   * What the fake knows of one resource, as the Graph gateway's route table knows it: where a delta
   * round reads and a create writes when the request names no container, the collections an item may
   * lie in when its id alone finds it, and the request paths logged. One entry per resource.
   *
   * @param collection the collection of a container (its default for null)
   * @param all every collection of the resource in a mailbox
   * @param createIn the container a create names when the request names none (null: the collection's default)
   * @param itemInContainer whether an item is addressed through its container (To Do: a task is found
   *     only in the list named) or by its id alone, wherever it lies
   * @param collectionPath the logged path of a container's collection
   * @param itemPath the logged path of an item (container, id)
 * @param subscribedPath the path a subscription to a container's changes names (Graph's subscribable
 *     collection: {@code /events}, not the calendar view)
   */
  private record Route(BiFunction<MailboxModel, String, ItemCollection<?>> collection,
                       Function<MailboxModel, List<ItemCollection<?>>> all, String createIn, boolean itemInContainer,
                       Function<String, String> collectionPath, BiFunction<String, String, String> itemPath,
                       Function<String, String> subscribedPath) {}

  private static final Map<Resource, Route> ROUTES = new EnumMap<>(Resource.class);

  static {
    ROUTES.put(Resource.EVENTS, new Route((box, c) -> box.calendar(), box -> List.of(box.calendar()), null, false,
        c -> "/calendarView", (c, id) -> "/events/" + id, c -> "/events"));
    ROUTES.put(Resource.CONTACTS, new Route(MailboxModel::contacts,
        box -> box.contactFolderIds().stream().<ItemCollection<?>>map(box::contacts).toList(), null, false,
        c -> "/contactFolders/" + (c == null ? MailboxModel.DEFAULT_CONTACTS : c) + "/contacts",
        (c, id) -> "/contacts/" + id, c -> c == null ? "/contacts" : "/contactFolders/" + c + "/contacts"));
    ROUTES.put(Resource.MAIL, new Route(MailboxModel::mail,
        box -> box.mailFolderIds().stream().<ItemCollection<?>>map(box::mail).toList(), "drafts", false,
        c -> "/mailFolders/" + (c == null ? "inbox" : c) + "/messages", (c, id) -> "/messages/" + id,
        c -> "/mailFolders/" + (c == null ? "inbox" : c) + "/messages"));
    ROUTES.put(Resource.TASKS, new Route(MailboxModel::tasks,
        box -> box.taskListIds().stream().<ItemCollection<?>>map(box::tasks).toList(), null, true,
        c -> "/todo/lists/" + (c == null ? MailboxModel.DEFAULT_TASK_LIST : c) + "/tasks",
        (c, id) -> "/todo/lists/" + (c == null ? MailboxModel.DEFAULT_TASK_LIST : c) + "/tasks/" + id,
        c -> "/todo/lists/" + (c == null ? MailboxModel.DEFAULT_TASK_LIST : c) + "/tasks"));
  }

  private static Route route(ResourceType<?> type) {
    Route r = ROUTES.get(type.resource());
    if (r == null) {
      throw new IllegalArgumentException(type.resource() + " has no delta, items or containers");
    }
    return r;
  }

  /** The collection a write targets: the default folder/list when {@code container} is null. */
  @SuppressWarnings("unchecked")
  private static <T extends SyncItem> ItemCollection<T> collection(MailboxModel box, ResourceType<T> type, String container) {
    return (ItemCollection<T>) route(type).collection().apply(box, container);
  }

  /**
   * The collection holding {@code id}: the container named where the resource addresses items through
   * it (a task in another list is not found, as in Graph), else any folder of the resource.
   */
  @SuppressWarnings("unchecked")
  private static <T extends SyncItem> ItemCollection<T> find(MailboxModel box, ResourceType<T> type, String container,
                                                             String id) {
    Route route = route(type);
    List<ItemCollection<?>> candidates = route.itemInContainer() ? List.of(route.collection().apply(box, container))
        : route.all().apply(box);
    for (ItemCollection<?> c : candidates) {
      if (c.get(id).isPresent()) {
        return (ItemCollection<T>) c;
      }
    }
    throw GraphError.itemNotFound();
  }

  static String collectionPath(String user, ResourceType<?> type, String container) {
    return "/users/" + user + route(type).collectionPath().apply(container);
  }

  private static String itemPath(String user, ResourceType<?> type, String container, String id) {
    return "/users/" + user + route(type).itemPath().apply(container, id);
  }
}

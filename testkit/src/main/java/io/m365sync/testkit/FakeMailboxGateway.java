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
import io.m365sync.testkit.model.StoredItem;
import io.m365sync.testkit.model.TenantModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    return call(session, type, "GET " + collectionPath(user, type.resource(), container) + "/delta", box -> {
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
  public <T extends SyncItem> Optional<T> get(MailboxSession session, ResourceType<T> type, String remoteId) {
    String user = session.mailbox().id().userObjectId();
    if (type.resource() == Resource.MAILBOX_SETTINGS) {
      return call(session, type, "GET /users/" + user + "/mailboxSettings", box -> Optional.of((T) box.settings()));
    }
    try {
      return call(session, type, "GET " + itemPath(user, type.resource(), remoteId),
          box -> Optional.of(find(box, type, remoteId).get(remoteId).orElseThrow(GraphError::itemNotFound).item()));
    } catch (ItemNotFoundException gone) {
      return Optional.empty();
    }
  }

  @Override
  public <T extends SyncItem> WriteResult create(MailboxSession session, ResourceType<T> type, String container, T item) {
    String user = session.mailbox().id().userObjectId();
    refuseSettings(type, "create");
    return call(session, type, "POST " + collectionPath(user, type.resource(), container), box -> {
      StoredItem<T> s = collection(box, type, container).create(type.cast(item));
      return new WriteResult(s.id(), s.changeKey());
    });
  }

  @Override
  public <T extends SyncItem> WriteResult update(MailboxSession session, ResourceType<T> type, String remoteId,
                                                 String ifMatch, ItemPatch<T> patch) {
    String user = session.mailbox().id().userObjectId();
    if (type.resource() == Resource.MAILBOX_SETTINGS) {
      return call(session, type, "PATCH /users/" + user + "/mailboxSettings", box -> {
        box.updateSettings((MailboxSettings) patch.applyTo(type.cast(box.settings())));
        return new WriteResult(SETTINGS_ID, box.settingsChangeKey());
      });
    }
    // Graph merges a PATCH into the item: what the patch does not name stays as it is
    return call(session, type, "PATCH " + itemPath(user, type.resource(), remoteId), box -> {
      StoredItem<T> s = find(box, type, remoteId).patch(remoteId, ifMatch, patch::applyTo);
      return new WriteResult(s.id(), s.changeKey());
    });
  }

  @Override
  public void delete(MailboxSession session, ResourceType<?> type, String remoteId, String ifMatch) {
    String user = session.mailbox().id().userObjectId();
    refuseSettings(type, "delete");
    call(session, type, "DELETE " + itemPath(user, type.resource(), remoteId), box -> {
      find(box, type, remoteId).delete(remoteId, ifMatch);
      return null;
    });
  }

  private static void refuseSettings(ResourceType<?> type, String what) {
    if (type.resource() == Resource.MAILBOX_SETTINGS) {
      throw new UnsupportedOperationException("mailbox settings cannot be " + what + "d, only updated");
    }
  }

  private <R> R call(MailboxSession session, ResourceType<?> type, String request, Function<MailboxModel, R> action) {
    MailboxId id = session.mailbox().id();
    TenantModel tenant = cloud.findTenant(id.tenant().value()).orElse(null);
    Supplier<R> body = () -> action.apply(tenant.mailbox(tenant.user(id.userObjectId())));
    try {
      if (tenant == null) {
        throw GraphError.invalidToken("Access token validation failure. Invalid audience or tenant.");
      }
      return tenant.graph(request, session.token().value(), id.userObjectId(), type.resource(), body);
    } catch (GraphError e) {
      throw GatewayErrors.toException(id, type.resource(), e.status(), e.code(), e.getMessage(), e.retryAfter(), null, e);
    }
  }

  /** The collection a write targets: the default folder/list when {@code container} is null. */
  @SuppressWarnings("unchecked")
  private static <T extends SyncItem> ItemCollection<T> collection(MailboxModel box, ResourceType<T> type, String container) {
    return (ItemCollection<T>) switch (type.resource()) {
      case EVENTS -> box.calendar();
      case CONTACTS -> box.contacts(container);
      case MAIL -> box.mail(container);
      case TASKS -> box.tasks(container);
      case MAILBOX_SETTINGS -> throw new IllegalArgumentException("mailbox settings are not a collection");
    };
  }

  /** The collection holding {@code id}, searching every folder or list of the resource. */
  @SuppressWarnings("unchecked")
  private static <T extends SyncItem> ItemCollection<T> find(MailboxModel box, ResourceType<T> type, String id) {
    List<ItemCollection<?>> candidates = switch (type.resource()) {
      case EVENTS -> List.of(box.calendar());
      case CONTACTS -> box.contactFolderIds().stream().<ItemCollection<?>>map(box::contacts).toList();
      case MAIL -> box.mailFolderIds().stream().<ItemCollection<?>>map(box::mail).toList();
      case TASKS -> box.taskListIds().stream().<ItemCollection<?>>map(box::tasks).toList();
      case MAILBOX_SETTINGS -> List.of();
    };
    for (ItemCollection<?> c : candidates) {
      if (c.get(id).isPresent()) {
        return (ItemCollection<T>) c;
      }
    }
    throw GraphError.itemNotFound();
  }

  static String collectionPath(String user, Resource resource, String container) {
    return switch (resource) {
      case EVENTS -> "/users/" + user + "/calendarView";
      case CONTACTS -> "/users/" + user + "/contactFolders/" + (container == null ? MailboxModel.DEFAULT_CONTACTS : container) + "/contacts";
      case MAIL -> "/users/" + user + "/mailFolders/" + (container == null ? "inbox" : container) + "/messages";
      case TASKS -> "/users/" + user + "/todo/lists/" + (container == null ? MailboxModel.DEFAULT_TASK_LIST : container) + "/tasks";
      case MAILBOX_SETTINGS -> "/users/" + user + "/mailboxSettings";
    };
  }

  private static String itemPath(String user, Resource resource, String id) {
    return switch (resource) {
      case EVENTS -> "/users/" + user + "/events/" + id;
      case CONTACTS -> "/users/" + user + "/contacts/" + id;
      case MAIL -> "/users/" + user + "/messages/" + id;
      case TASKS -> "/users/" + user + "/todo/tasks/" + id;
      case MAILBOX_SETTINGS -> "/users/" + user + "/mailboxSettings";
    };
  }
}

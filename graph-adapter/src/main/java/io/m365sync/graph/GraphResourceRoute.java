package io.m365sync.graph;

import io.m365sync.Resource;
import io.m365sync.model.SyncItem;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * Where one resource's items live in Graph and how they are read: the gateway's only per-resource
 * knowledge, one entry per resource in {@link #of}. Paths are relative to {@code /users/{id}} and take
 * containers and ids already URL-encoded.
 *
 * @param reader streams the resource's items from delta pages and single reads
 * @param deltaCollection the collection a delta round reads, by container (null: the user's root
 *     collection, for contacts only)
 * @param createCollection the collection a create posts to, by container
 * @param item an item's path by container and id
 * @param readIn the container a delta round reads when the request names none
 * @param createIn the container an item is created in when the request names none
 * @param itemInContainer whether an item's path names its container (To Do lists) or its id alone
 *     finds it wherever it lies (events, contacts, messages)
 * @param windowed whether a first delta round reads a calendar view window
 */
record GraphResourceRoute(GraphJsonReader.ItemReader<? extends SyncItem> reader, UnaryOperator<String> deltaCollection,
                          UnaryOperator<String> createCollection, BiFunction<String, String, String> item,
                          DefaultContainer readIn, DefaultContainer createIn, boolean itemInContainer, boolean windowed) {

  /** How a container the request leaves out is chosen (see the gateway's builder for the configured ones). */
  enum DefaultContainer {
    /** The resource has one collection (the primary calendar): containers are ignored. */
    NONE,
    /** The configured default contact folder; none configured: the user's root {@code /contacts}. */
    CONTACT_FOLDER,
    /** The configured default mail folder ({@code inbox}). */
    MAIL_FOLDER,
    /** The well-known {@code drafts} folder: a created message is a draft. */
    DRAFTS,
    /** The configured default To Do list, else the list Graph marks {@code defaultList}, looked up per mailbox. */
    TASK_LIST
  }

  private static final Map<Resource, GraphResourceRoute> ROUTES = new EnumMap<>(Resource.class);

  static {
    ROUTES.put(Resource.EVENTS, new GraphResourceRoute(GraphJsonReader.EVENT, c -> "/calendarView", c -> "/events",
        (c, id) -> "/events/" + id, DefaultContainer.NONE, DefaultContainer.NONE, false, true));
    ROUTES.put(Resource.CONTACTS, new GraphResourceRoute(GraphJsonReader.CONTACT, GraphResourceRoute::contactFolder,
        GraphResourceRoute::contactFolder, (c, id) -> "/contacts/" + id, DefaultContainer.CONTACT_FOLDER,
        DefaultContainer.CONTACT_FOLDER, false, false));
    ROUTES.put(Resource.MAIL, new GraphResourceRoute(GraphJsonReader.MESSAGE, c -> "/mailFolders/" + c + "/messages",
        c -> "/mailFolders/" + c + "/messages", (c, id) -> "/messages/" + id, DefaultContainer.MAIL_FOLDER,
        DefaultContainer.DRAFTS, false, false));
    ROUTES.put(Resource.TASKS, new GraphResourceRoute(GraphJsonReader.TASK, c -> "/todo/lists/" + c + "/tasks",
        c -> "/todo/lists/" + c + "/tasks", (c, id) -> "/todo/lists/" + c + "/tasks/" + id, DefaultContainer.TASK_LIST,
        DefaultContainer.TASK_LIST, true, false));
  }

  private static String contactFolder(String c) {
    return c == null ? "/contacts" : "/contactFolders/" + c + "/contacts";
  }

  /**
   * The route of {@code resource}.
   *
   * @throws IllegalArgumentException for mailbox settings, a single object with no delta, items or containers
   */
  static GraphResourceRoute of(Resource resource) {
    GraphResourceRoute r = ROUTES.get(resource);
    if (r == null) {
      throw new IllegalArgumentException(resource + " has no delta, items or containers");
    }
    return r;
  }
}

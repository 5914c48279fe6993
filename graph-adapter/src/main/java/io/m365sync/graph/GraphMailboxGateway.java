package io.m365sync.graph;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.ApiException;
import com.microsoft.kiota.HttpMethod;
import com.microsoft.kiota.RequestInformation;
import com.microsoft.kiota.RequestOption;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import com.microsoft.kiota.http.middleware.options.RetryHandlerOption;
import com.microsoft.kiota.serialization.Parsable;
import com.microsoft.kiota.serialization.ParsableFactory;
import io.m365sync.AuthMode;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.TenantId;
import io.m365sync.gateway.BatchedDelta;
import io.m365sync.gateway.Change;
import io.m365sync.gateway.DeltaProbe;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.DeltaRequest;
import io.m365sync.gateway.GatewayErrors;
import io.m365sync.gateway.GatewayException;
import io.m365sync.gateway.ItemNotFoundException;
import io.m365sync.gateway.ItemPatch;
import io.m365sync.gateway.MailboxGateway;
import io.m365sync.gateway.MailboxSession;
import io.m365sync.gateway.RemoteSubscription;
import io.m365sync.gateway.UnreadableItemException;
import io.m365sync.gateway.WriteResult;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.ResourceType;
import io.m365sync.model.SyncItem;
import io.m365sync.sync.TwoWayOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.OkHttpClient;

/**
 * {@link MailboxGateway} over the Microsoft Graph SDK v6.
 *
 * <p>One {@code GraphServiceClient} per (tenant, auth mode), all sharing one {@link OkHttpClient};
 * each authenticates through a kiota {@code AccessTokenProvider} that hands out the calling
 * session's token, and only to the configured hosts. The SDK's retry handler is off on every request
 * (a throttled mailbox comes back at once as {@link io.m365sync.gateway.ThrottledException} so the
 * engine reschedules it without parking a thread). Every request carries
 * {@code Prefer: IdType="ImmutableId"}, {@code outlook.timezone="UTC"}, a text body preference and
 * its own {@code client-request-id}.
 *
 * <p>Delta pages are the hot path: the SDK builds and sends the request (auth, middleware, error
 * mapping) and the body is streamed with Jackson straight into core records, ~10× faster than
 * materialising SDK models. Errors map through {@link GatewayErrors}.
 *
 * <p>Containers ({@link GraphResourceRoute}, one entry per resource): events read the primary
 * calendar's calendar view in the request's window; contacts a contact folder (default:
 * {@code /contacts}); mail a mail folder (default {@code inbox}; creates go to {@code drafts}); To Do
 * a list (default: the list whose {@code wellknownListName} is {@code defaultList}, looked up once per
 * mailbox). Events, contacts and messages are addressed by id alone; a task through its list, which
 * the caller names on every call (the engine keeps it with the item's link): the gateway keeps no
 * id-to-list map that a restart would lose. Mailbox settings have no delta: {@code delta} returns a one-item snapshot page whose
 * cursor is a hash of the content, with no change when the cursor already matches.
 *
 * <p>Item extensions, including the syncers' reserved {@code m365sync.*} keys, are written as
 * single-value extended properties on events, contacts and messages (see {@code GraphJsonWriter});
 * To Do tasks cannot carry them. Delta reads do not request them back: calendarView delta supports no
 * {@code $expand}, To Do delta cannot expand extensions, and contact delta documents none. Items read
 * by delta therefore arrive without reserved keys, and the syncers recognise their own writes by change
 * key and content instead (see the syncers' notes on fingerprints). Event updates flagged
 * {@code m365sync.notifyAttendees=false} are sent as minimal PATCHes: see {@link #update}.
 *
 * <p>Thread-safe and shareable; build one per host.
 */
public final class GraphMailboxGateway implements MailboxGateway {
  static final String SETTINGS_ID = "mailboxSettings";
  private static final HashMap<String, ParsableFactory<? extends Parsable>> ERRORS = new HashMap<>();
  static final RequestOption NO_RETRY = new RetryHandlerOption((delay, attempt, rq, rs) -> false, 0, 0);

  static {
    ERRORS.put("XXX", ODataError::createFromDiscriminatorValue);
  }

  private final String baseUrl;
  private final OkHttpClient http;
  private final String[] allowedHosts;
  private final String defaultMailFolder;
  private final String defaultContactFolder;
  private final String defaultTaskList;
  private final Clock clock;
  private final ConcurrentHashMap<ClientKey, Client> clients = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<MailboxId, String> defaultLists = new ConcurrentHashMap<>();

  private record ClientKey(TenantId tenant, AuthMode mode) {}

  /** One SDK client and its token provider. */
  record Client(GraphServiceClient graph, SessionTokenProvider tokens) {}

  private GraphMailboxGateway(Builder b) {
    String url = b.baseUrl.endsWith("/") ? b.baseUrl.substring(0, b.baseUrl.length() - 1) : b.baseUrl;
    this.baseUrl = url;
    OkHttpClient given = b.http != null ? b.http : defaultHttpClient();
    this.http = given.newBuilder().addInterceptor(new GraphErrorBodies()).build();
    Set<String> hosts = new LinkedHashSet<>(b.extraHosts);
    hosts.add(URI.create(url).getHost());
    this.allowedHosts = hosts.toArray(String[]::new);
    this.defaultMailFolder = b.defaultMailFolder;
    this.defaultContactFolder = b.defaultContactFolder;
    this.defaultTaskList = b.defaultTaskList;
    this.clock = b.clock;
  }

  /** The clock that HTTP-date {@code Retry-After} values are measured against. */
  Clock clock() {
    return clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The SDK's middleware chain with its retry handler switched off. */
  public static OkHttpClient defaultHttpClient() {
    return GraphClientFactory.create(new RequestOption[] {NO_RETRY}).build();
  }

  /** The Graph base URL, e.g. {@code https://graph.microsoft.com/v1.0}. */
  public String baseUrl() {
    return baseUrl;
  }

  Client client(MailboxSession session) {
    return clients.computeIfAbsent(new ClientKey(session.mailbox().tenant(), session.mode()), k -> {
      SessionTokenProvider tokens = new SessionTokenProvider(allowedHosts);
      GraphServiceClient graph = new GraphServiceClient(new BaseBearerTokenAuthenticationProvider(tokens), http);
      graph.getRequestAdapter().setBaseUrl(baseUrl);
      return new Client(graph, tokens);
    });
  }

  // ------------------------------------------------------------------ sending

  /** Adds what every request carries: preferences, a fresh client-request-id, retry handler off. */
  static void decorate(RequestInformation ri, int pageSize) {
    ri.headers.tryAdd("Prefer", "IdType=\"ImmutableId\", outlook.timezone=\"UTC\", outlook.body-content-type=\"text\""
        + (pageSize > 0 ? ", odata.maxpagesize=" + pageSize : ""));
    ri.headers.tryAdd("client-request-id", UUID.randomUUID().toString());
    ri.addRequestOptions(List.of(NO_RETRY));
  }

  <R> R send(MailboxSession session, Resource resource, RequestInformation ri, Class<R> type) {
    Client c = client(session);
    c.tokens().bind(session.token().value());
    try {
      return c.graph().getRequestAdapter().sendPrimitive(ri, ERRORS, type);
    } catch (ApiException e) {
      throw GraphErrorMapping.map(session.mailbox().id(), resource, e, clock);
    } catch (GatewayException e) {
      throw e;
    } catch (RuntimeException e) {
      throw GraphErrorMapping.noAnswer(session.mailbox().id(), resource, e);
    } finally {
      c.tokens().unbind();
    }
  }

  RequestInformation byUrl(HttpMethod method, String url) {
    RequestInformation ri = new RequestInformation();
    ri.httpMethod = method;
    ri.setUri(URI.create(url.startsWith("http") ? url : baseUrl + url));
    return ri;
  }

  static String enc(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String user(MailboxSession s) {
    return s.mailbox().id().userObjectId();
  }

  private static String userPath(MailboxSession s) {
    return "/users/" + enc(user(s));
  }

  // ------------------------------------------------------------------ delta

  @Override
  @SuppressWarnings("unchecked")
  public <T extends SyncItem> DeltaPage<T> delta(MailboxSession session, ResourceType<T> type, DeltaRequest request) {
    if (type.resource() == Resource.MAILBOX_SETTINGS) {
      return (DeltaPage<T>) settingsSnapshot(session, request.cursor());
    }
    RequestInformation ri = request.cursor() != null ? byUrl(HttpMethod.GET, ownLink(session, type.resource(), request.cursor()))
        : firstDeltaRequest(session, type.resource(), request);
    decorate(ri, request.pageSize());
    GraphJsonReader.Page<T> page;
    try (InputStream in = send(session, type.resource(), ri, InputStream.class)) {
      if (in == null) {
        throw GatewayErrors.toException(session.mailbox().id(), type.resource(), 0, "EmptyResponse",
            "a delta request returned no body", null, null, null);
      }
      page = GraphJsonReader.page(in, (GraphJsonReader.ItemReader<T>) reader(type.resource()));
    } catch (IOException e) {
      throw GraphErrorMapping.noAnswer(session.mailbox().id(), type.resource(), e);
    }
    return toDeltaPage(session.mailbox().id(), type.resource(), page);
  }

  /**
   * The probes through Graph's {@code $batch}: probes sharing a token go together, at most 20 steps
   * and 4 of one mailbox per round trip, each step judged on its own status (a throttled or failed
   * step keeps its own {@code Retry-After} and request-id). A stored link that does not lead to this
   * gateway's host and the session's own user is never sent, as for {@link #delta}.
   */
  @Override
  public List<BatchedDelta<?>> deltaBatch(List<? extends DeltaProbe<?>> probes) {
    return new GraphBatchPoller(this).poll(probes);
  }

  /**
   * A stored next or delta link, once it is known to lead to this gateway's Graph host and to the
   * session's own user: a link that a bug, a restore or a tampered store pointed at another host or
   * another mailbox is never followed (its token would go there). Such a link is an expired delta
   * state: the round starts over from a full read.
   */
  String ownLink(MailboxSession session, Resource resource, String link) {
    URI base = URI.create(baseUrl);
    URI u;
    try {
      u = new URI(link);
    } catch (java.net.URISyntaxException e) {
      throw foreignLink(session, resource, "is not a URL");
    }
    if (!u.isAbsolute()) {
      return ownLink(session, resource, baseUrl + (link.startsWith("/") ? "" : "/") + link);
    }
    if (!base.getScheme().equalsIgnoreCase(u.getScheme()) || u.getHost() == null
        || !base.getHost().equalsIgnoreCase(u.getHost()) || port(base) != port(u)) {
      throw foreignLink(session, resource, "points at another host");
    }
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    String prefix = (base.getRawPath() == null ? "" : base.getRawPath()) + "/users";
    String rest = path.regionMatches(true, 0, prefix, 0, prefix.length()) ? path.substring(prefix.length()) : "";
    String userId = user(session);
    String encoded = enc(userId);
    // Graph writes the user as a path segment or in the key form users('id'), quotes possibly escaped
    boolean own = startsWithIgnoreCase(rest, "/" + encoded + "/") || startsWithIgnoreCase(rest, "('" + encoded + "')/")
        || startsWithIgnoreCase(rest, "(%27" + encoded + "%27)/");
    if (!own) {
      throw foreignLink(session, resource, "points at another user's data");
    }
    return link;
  }

  private static boolean startsWithIgnoreCase(String s, String prefix) {
    return s.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  private static int port(URI u) {
    return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  private static GatewayException foreignLink(MailboxSession session, Resource resource, String why) {
    return GatewayErrors.toException(session.mailbox().id(), resource, 0, "SyncStateInvalid",
        "the stored delta link " + why + " (not followed; a full round starts over)", null, null, null);
  }

  static <T extends SyncItem> DeltaPage<T> toDeltaPage(MailboxId mailbox, Resource resource, GraphJsonReader.Page<T> page) {
    if (page.nextLink() != null) {
      return new DeltaPage<>(page.changes(), page.nextLink(), true, page.skipped());
    }
    if (page.deltaLink() != null) {
      return new DeltaPage<>(page.changes(), page.deltaLink(), false, page.skipped());
    }
    throw GatewayErrors.toException(mailbox, resource, 0, "MalformedDeltaPage",
        "a delta page carried neither @odata.nextLink nor @odata.deltaLink", null, null, null);
  }

  static GraphJsonReader.ItemReader<? extends SyncItem> reader(Resource resource) {
    return GraphResourceRoute.of(resource).reader();
  }

  /** The first request of a full delta round: the resource's delta collection in the request's container. */
  RequestInformation firstDeltaRequest(MailboxSession session, Resource resource, DeltaRequest request) {
    GraphResourceRoute route = GraphResourceRoute.of(resource);
    String query = "";
    if (route.windowed()) {
      if (request.windowStart() == null || request.windowEnd() == null) {
        throw new IllegalArgumentException("a first events round needs a calendar view window (mailbox "
            + session.mailbox().id() + ")");
      }
      query = "?startDateTime=" + enc(request.windowStart().truncatedTo(ChronoUnit.SECONDS).toString())
          + "&endDateTime=" + enc(request.windowEnd().truncatedTo(ChronoUnit.SECONDS).toString());
    }
    String container = container(session, route.readIn(), request.container());
    return byUrl(HttpMethod.GET, userPath(session) + route.deltaCollection().apply(encOrNull(container)) + "/delta" + query);
  }

  /** The container a request names, else the route's default for it (null: the resource's root collection). */
  String container(MailboxSession session, GraphResourceRoute.DefaultContainer rule, String given) {
    if (given != null || rule == GraphResourceRoute.DefaultContainer.NONE) {
      return given;
    }
    return switch (rule) {
      case CONTACT_FOLDER -> defaultContactFolder;
      case MAIL_FOLDER -> defaultMailFolder;
      case DRAFTS -> "drafts";
      case TASK_LIST -> defaultTaskList(session);
      case NONE -> null;
    };
  }

  private static String encOrNull(String segment) {
    return segment == null ? null : enc(segment);
  }

  /** The mailbox's default To Do list id: configured, or looked up once ({@code wellknownListName: defaultList}). */
  String defaultTaskList(MailboxSession session) {
    if (defaultTaskList != null) {
      return defaultTaskList;
    }
    MailboxId id = session.mailbox().id();
    String known = defaultLists.get(id);
    if (known != null) {
      return known;
    }
    RequestInformation ri = byUrl(HttpMethod.GET, userPath(session) + "/todo/lists");
    decorate(ri, 0);
    String found = null;
    String first = null;
    try (InputStream in = send(session, Resource.TASKS, ri, InputStream.class);
         JsonParser p = GraphJsonReader.JSON.createParser(in)) {
      JsonNodeLists lists = JsonNodeLists.read(p);
      for (String[] l : lists.lists) {
        first = first == null ? l[0] : first;
        if ("defaultList".equals(l[1])) {
          found = l[0];
        }
      }
    } catch (IOException e) {
      throw GraphErrorMapping.noAnswer(id, Resource.TASKS, e);
    }
    String list = found != null ? found : first;
    if (list == null) {
      throw GatewayErrors.toException(id, Resource.TASKS, 404, "ErrorItemNotFound", "the mailbox has no To Do list",
          null, null, null);
    }
    defaultLists.put(id, list);
    return list;
  }

  /** {@code {"value":[{"id","wellknownListName"}]}} of the To Do lists call. */
  private static final class JsonNodeLists {
    final List<String[]> lists = new ArrayList<>();

    static JsonNodeLists read(JsonParser p) throws IOException {
      JsonNodeLists out = new JsonNodeLists();
      p.nextToken();
      if (!JsonWalk.isObject(p)) {
        return out;
      }
      for (String name; (name = JsonWalk.nextField(p)) != null; ) {
        if (!name.equals("value")) {
          p.skipChildren();
          continue;
        }
        if (!JsonWalk.isArray(p)) {
          continue;
        }
        while (JsonWalk.nextObject(p)) {
          String id = null;
          String wellKnown = null;
          for (String f; (f = JsonWalk.nextField(p)) != null; ) {
            if (f.equals("id")) {
              id = JsonWalk.text(p);
            } else if (f.equals("wellknownListName")) {
              wellKnown = JsonWalk.text(p);
            } else {
              p.skipChildren();
            }
          }
          if (id != null) {
            out.lists.add(new String[] {id, wellKnown});
          }
        }
      }
      return out;
    }
  }

  private DeltaPage<MailboxSettings> settingsSnapshot(MailboxSession session, String cursor) {
    RequestInformation ri = byUrl(HttpMethod.GET, userPath(session) + "/mailboxSettings");
    decorate(ri, 0);
    MailboxSettings settings;
    try (InputStream in = send(session, Resource.MAILBOX_SETTINGS, ri, InputStream.class)) {
      settings = GraphJsonReader.settings(in);
    } catch (IOException e) {
      throw GraphErrorMapping.noAnswer(session.mailbox().id(), Resource.MAILBOX_SETTINGS, e);
    }
    return settingsPage(settings, cursor);
  }

  static DeltaPage<MailboxSettings> settingsPage(MailboxSettings settings, String cursor) {
    String hash = contentHash(settings);
    List<Change<MailboxSettings>> changes = hash.equals(cursor) ? List.of() : List.of(Change.upsert(SETTINGS_ID, hash, settings));
    return new DeltaPage<>(changes, hash, false);
  }

  /**
   * The settings after a PATCH: Graph answers with the patched properties only, so the rest is what
   * was written.
   */
  static MailboxSettings patched(MailboxSettings written, MailboxSettings answer) {
    return new MailboxSettings(answer.timeZone() != null ? answer.timeZone() : written.timeZone(),
        answer.workingHours() != null ? answer.workingHours() : written.workingHours(),
        answer.automaticReplies() != null ? answer.automaticReplies() : written.automaticReplies(), java.util.Map.of());
  }

  /** A stable hash of the settings' content: the snapshot's cursor and change key. */
  static String contentHash(MailboxSettings s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ single reads

  /** GET of one item with the delta's preferences, read by the same JSON reader; 404 is empty. */
  @Override
  @SuppressWarnings("unchecked")
  public <T extends SyncItem> Optional<T> get(MailboxSession session, ResourceType<T> type, String container,
                                              String remoteId) {
    Resource r = type.resource();
    if (r == Resource.MAILBOX_SETTINGS) {
      return Optional.of((T) settingsSnapshot(session, null).changes().get(0).item());
    }
    RequestInformation ri = byUrl(HttpMethod.GET, itemPath(session, r, container, remoteId));
    decorate(ri, 0);
    try (InputStream in = send(session, r, ri, InputStream.class)) {
      if (in == null) {
        throw GatewayErrors.toException(session.mailbox().id(), r, 0, "EmptyResponse", "an item read returned no body",
            null, null, null);
      }
      return Optional.ofNullable(GraphJsonReader.item(in, (GraphJsonReader.ItemReader<T>) reader(r)).item());
    } catch (ItemNotFoundException gone) {
      return Optional.empty();
    } catch (GraphJsonReader.Unreadable u) {
      // it exists, but cannot be read: never an empty answer, which would read as a deletion
      throw new UnreadableItemException(u.getMessage(), session.mailbox().id(), r, remoteId);
    } catch (IOException e) {
      throw GraphErrorMapping.noAnswer(session.mailbox().id(), r, e);
    }
  }

  // ------------------------------------------------------------------ writes

  @Override
  public <T extends SyncItem> WriteResult create(MailboxSession session, ResourceType<T> type, String container, T item) {
    Resource r = type.resource();
    if (r == Resource.MAILBOX_SETTINGS) {
      throw new UnsupportedOperationException("mailbox settings cannot be created, only updated");
    }
    GraphResourceRoute route = GraphResourceRoute.of(r);
    String list = container(session, route.createIn(), container);
    String path = userPath(session) + route.createCollection().apply(encOrNull(list));
    return write(session, r, HttpMethod.POST, path, null, type.cast(item), null);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends SyncItem> WriteResult update(MailboxSession session, ResourceType<T> type, String container,
                                                 String remoteId, String ifMatch, ItemPatch<T> patch) {
    Resource r = type.resource();
    T item = type.cast(patch.item());
    if (r == Resource.MAILBOX_SETTINGS) {
      RequestInformation ri = byUrl(HttpMethod.PATCH, userPath(session) + "/mailboxSettings");
      ri.setStreamContent(new ByteArrayInputStream(GraphJsonWriter.patch(patch)), "application/json");
      decorate(ri, 0);
      try (InputStream in = send(session, r, ri, InputStream.class)) {
        MailboxSettings after = in == null ? (MailboxSettings) item : patched((MailboxSettings) item, GraphJsonReader.settings(in));
        return new WriteResult(SETTINGS_ID, contentHash(after));
      } catch (IOException e) {
        throw GraphErrorMapping.noAnswer(session.mailbox().id(), r, e);
      }
    }
    if (r == Resource.EVENTS && ("false".equals(item.extensions().get(TwoWayOptions.NOTIFY_ATTENDEES))
        || GraphJsonWriter.writesTimes(patch) && GraphTime.zone(((CalendarEvent) item).originalTimeZone()) == null)) {
      // also when the event's zone is unknown here: its times go out only if they moved, so it keeps its zone
      return quietEventUpdate(session, remoteId, ifMatch, (ItemPatch<CalendarEvent>) patch);
    }
    return writeBody(session, r, HttpMethod.PATCH, itemPath(session, r, container, remoteId), ifMatch,
        GraphJsonWriter.patch(patch), remoteId);
  }

  /**
   * An event update that must not notify attendees ({@link TwoWayOptions#NOTIFY_ATTENDEES}{@code =false}).
   * Graph has no switch for this: a PATCH by the organizer of a meeting sends attendees an update
   * when a field they see changes, and a PATCH carrying the attendees collection re-sends it. So the
   * adapter reads the event first (one GET) and PATCHes only the fields of the patch that differ, with If-Match:
   * the attendees collection only when it changed, the extended properties always (they notify
   * nobody). An update whose only change is host or sync metadata therefore notifies no one; a change
   * of subject, body, time, location or recurrence does produce one meeting update from Exchange,
   * and no re-sent invitations — that is the most Graph allows.
   */
  private WriteResult quietEventUpdate(MailboxSession session, String remoteId, String ifMatch,
                                      ItemPatch<CalendarEvent> patch) {
    String path = itemPath(session, Resource.EVENTS, null, remoteId);
    RequestInformation get = byUrl(HttpMethod.GET, path);
    decorate(get, 0);
    CalendarEvent current;
    try (InputStream in = send(session, Resource.EVENTS, get, InputStream.class)) {
      if (in == null) {
        throw GatewayErrors.toException(session.mailbox().id(), Resource.EVENTS, 0, "EmptyResponse",
            "an event read returned no body", null, null, null);
      }
      current = GraphJsonReader.item(in, GraphJsonReader.EVENT).item();
    } catch (IOException e) {
      throw GraphErrorMapping.noAnswer(session.mailbox().id(), Resource.EVENTS, e);
    }
    return writeBody(session, Resource.EVENTS, HttpMethod.PATCH, path, ifMatch, GraphJsonWriter.eventPatch(current, patch), remoteId);
  }

  @Override
  public void delete(MailboxSession session, ResourceType<?> type, String container, String remoteId, String ifMatch) {
    Resource r = type.resource();
    if (r == Resource.MAILBOX_SETTINGS) {
      throw new UnsupportedOperationException("mailbox settings cannot be deleted, only updated");
    }
    RequestInformation ri = byUrl(HttpMethod.DELETE, itemPath(session, r, container, remoteId));
    ifMatch(ri, ifMatch);
    decorate(ri, 0);
    try (InputStream in = send(session, r, ri, InputStream.class)) {
      // 204: nothing to read
    } catch (IOException e) {
      throw GraphErrorMapping.noAnswer(session.mailbox().id(), r, e);
    }
  }

  /** An item's path; its container is resolved only where Graph addresses the item through it (To Do). */
  private String itemPath(MailboxSession session, Resource r, String container, String id) {
    if (r == Resource.MAILBOX_SETTINGS) {
      return userPath(session) + "/mailboxSettings";
    }
    GraphResourceRoute route = GraphResourceRoute.of(r);
    String in = route.itemInContainer() ? container(session, route.createIn(), container) : null;
    return userPath(session) + route.item().apply(encOrNull(in), enc(id));
  }

  private static void ifMatch(RequestInformation ri, String ifMatch) {
    if (ifMatch != null) {
      boolean quoted = ifMatch.startsWith("W/") || ifMatch.startsWith("\"") || ifMatch.equals("*");
      ri.headers.tryAdd("If-Match", quoted ? ifMatch : "W/\"" + ifMatch + "\"");
    }
  }

  private WriteResult write(MailboxSession session, Resource r, HttpMethod method, String path, String ifMatch,
                            SyncItem item, String knownId) {
    return writeBody(session, r, method, path, ifMatch, GraphJsonWriter.write(item), knownId);
  }

  private WriteResult writeBody(MailboxSession session, Resource r, HttpMethod method, String path, String ifMatch,
                           byte[] body, String knownId) {
    RequestInformation ri = byUrl(method, path);
    ri.setStreamContent(new ByteArrayInputStream(body), "application/json");
    ifMatch(ri, ifMatch);
    decorate(ri, 0);
    try (InputStream in = send(session, r, ri, InputStream.class)) {
      String[] idKey = in == null ? new String[] {knownId, null} : GraphJsonReader.idAndChangeKey(in);
      String id = idKey[0] != null ? idKey[0] : knownId;
      if (id == null) {
        throw GatewayErrors.toException(session.mailbox().id(), r, 0, "MalformedResponse",
            "the created item came back without an id", null, null, null);
      }
      return new WriteResult(id, idKey[1]);
    } catch (IOException e) {
      throw GraphErrorMapping.noAnswer(session.mailbox().id(), r, e);
    }
  }

  // ------------------------------------------------------------------ subscriptions

  /**
   * {@code POST /subscriptions} for the collection reads of {@code type} use (the same route table
   * and default containers), with {@code Prefer: IdType="ImmutableId"} so notifications carry the
   * ids the engine stores.
   */
  @Override
  public RemoteSubscription createSubscription(MailboxSession session, ResourceType<?> type, String container,
                                               URI notificationUrl, URI lifecycleUrl, String clientState,
                                               Instant expiresAt) {
    Resource r = type.resource();
    if (r == Resource.MAILBOX_SETTINGS) {
      throw new IllegalArgumentException("mailbox settings have no change notifications: they stay on polling");
    }
    GraphResourceRoute route = GraphResourceRoute.of(r);
    String in = container(session, route.readIn(), container == null || container.isEmpty() ? null : container);
    ObjectNode body = GraphJsonReader.MAPPER.createObjectNode();
    body.put("changeType", "created,updated,deleted");
    body.put("notificationUrl", notificationUrl.toString());
    if (lifecycleUrl != null) {
      body.put("lifecycleNotificationUrl", lifecycleUrl.toString());
    }
    body.put("resource", userPath(session).substring(1) + route.createCollection().apply(encOrNull(in)));
    body.put("expirationDateTime", expiresAt.truncatedTo(ChronoUnit.SECONDS).toString());
    if (clientState != null) {
      body.put("clientState", clientState);
    }
    return subscriptionCall(session, r, HttpMethod.POST, "/subscriptions", body);
  }

  @Override
  public RemoteSubscription renewSubscription(MailboxSession session, String id, Instant expiresAt) {
    ObjectNode body = GraphJsonReader.MAPPER.createObjectNode();
    body.put("expirationDateTime", expiresAt.truncatedTo(ChronoUnit.SECONDS).toString());
    return subscriptionCall(session, null, HttpMethod.PATCH, "/subscriptions/" + enc(id), body);
  }

  @Override
  public void deleteSubscription(MailboxSession session, String id) {
    RequestInformation ri = byUrl(HttpMethod.DELETE, "/subscriptions/" + enc(id));
    decorate(ri, 0);
    try (InputStream in = send(session, null, ri, InputStream.class)) {
      // 204: nothing to read
    } catch (IOException e) {
      throw GraphErrorMapping.noAnswer(session.mailbox().id(), null, e);
    }
  }

  private RemoteSubscription subscriptionCall(MailboxSession session, Resource r, HttpMethod method, String path,
                                              ObjectNode body) {
    RequestInformation ri = byUrl(method, path);
    try {
      ri.setStreamContent(new ByteArrayInputStream(GraphJsonReader.MAPPER.writeValueAsBytes(body)), "application/json");
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a subscription request", e);
    }
    decorate(ri, 0);
    try (InputStream in = send(session, r, ri, InputStream.class)) {
      JsonNode answer = in == null ? null : GraphJsonReader.MAPPER.readTree(in);
      if (answer == null || !answer.hasNonNull("id") || !answer.hasNonNull("expirationDateTime")) {
        throw GatewayErrors.toException(session.mailbox().id(), r, 0, "MalformedResponse",
            "the subscription came back without an id or expiry", null, null, null);
      }
      return new RemoteSubscription(answer.get("id").asText(),
          OffsetDateTime.parse(answer.get("expirationDateTime").asText()).toInstant());
    } catch (IOException | java.time.format.DateTimeParseException e) {
      throw GraphErrorMapping.noAnswer(session.mailbox().id(), r, e);
    }
  }

  @Override
  public String toString() {
    return "GraphMailboxGateway[" + baseUrl + ", clients=" + clients.size() + "]";
  }

  /** Single-use, fail-fast builder; every setting has a default. */
  public static final class Builder {
    private String baseUrl = "https://graph.microsoft.com/v1.0";
    private OkHttpClient http;
    private final Set<String> extraHosts = new LinkedHashSet<>(Set.of("graph.microsoft.com"));
    private String defaultMailFolder = "inbox";
    private String defaultContactFolder;
    private String defaultTaskList;
    private Clock clock = Clock.systemUTC();
    private boolean built;

    private Builder() {}

    /**
     * Graph's base URL including the version, e.g. {@code http://127.0.0.1:PORT/v1.0} for the emulator.
     *
     * @throws InsecureEndpointException for an {@code http://} URL to a host other than the loopback interface
     */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = Endpoints.requireSecure("baseUrl", Objects.requireNonNull(baseUrl, "baseUrl"));
      return this;
    }

    /**
     * The HTTP client shared by every Graph client (connection pool, proxy, timeouts). Build it with
     * {@link #defaultHttpClient()}{@code .newBuilder()} to keep the SDK's middleware; the retry
     * handler is switched off per request regardless.
     */
    public Builder httpClient(OkHttpClient http) {
      this.http = Objects.requireNonNull(http, "http");
      return this;
    }

    /** Another host tokens may be sent to (the base URL's host always is). */
    public Builder allowHost(String host) {
      extraHosts.add(Objects.requireNonNull(host, "host"));
      return this;
    }

    public Builder defaultMailFolder(String folder) {
      this.defaultMailFolder = Objects.requireNonNull(folder, "folder");
      return this;
    }

    /** The contact folder read when a request names none; default: the user's {@code /contacts}. */
    public Builder defaultContactFolder(String folder) {
      this.defaultContactFolder = folder;
      return this;
    }

    /** The To Do list used when a request names none; default: looked up per mailbox. */
    public Builder defaultTaskList(String list) {
      this.defaultTaskList = list;
      return this;
    }

    /** The engine's clock, for {@code Retry-After} given as an HTTP date; default {@code Clock.systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public GraphMailboxGateway build() {
      if (built) {
        throw new IllegalStateException("this builder was already used");
      }
      built = true;
      return new GraphMailboxGateway(this);
    }
  }

}

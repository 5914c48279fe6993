package io.m365sync.testkit.emulator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365sync.AuthMode;
import io.m365sync.Resource;
import io.m365sync.model.CalendarEvent;
import io.m365sync.model.Contact;
import io.m365sync.model.MailMessage;
import io.m365sync.model.MailboxSettings;
import io.m365sync.model.SyncItem;
import io.m365sync.model.TodoTask;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.DeltaWindow;
import io.m365sync.testkit.model.FaultRule;
import io.m365sync.testkit.model.GraphError;
import io.m365sync.testkit.model.ItemCollection;
import io.m365sync.testkit.model.MailboxModel;
import io.m365sync.testkit.model.ModelChange;
import io.m365sync.testkit.model.ModelDeltaPage;
import io.m365sync.testkit.model.ModelUser;
import io.m365sync.testkit.model.StoredItem;
import io.m365sync.testkit.model.TenantModel;
import io.m365sync.testkit.model.TokenClaims;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Microsoft Graph v1.0 over the tenant model: routing, authorization through
 * {@link TenantModel#graph}, mailbox resources, {@code $batch}, and Graph's error shape.
 */
final class GraphApi {
  /** What a path resolves to before authorization: the resource it touches and what to do. */
  record Route(Resource resource, boolean mailbox, Function<Call, Resp> action) {}

  @FunctionalInterface
  interface ItemWriter<T> {
    void write(JsonGenerator g, T item) throws IOException;
  }

  private final CloudModel cloud;
  private final Supplier<String> baseUrl;
  private final Consumer<Throwable> internalErrors;
  private final GraphJson.Stamps stamps = new GraphJson.Stamps();
  private final DirectoryApi directory;
  private final Map<String, String> displayNames = new ConcurrentHashMap<>();

  private final SubscriptionsApi subscriptions;

  GraphApi(CloudModel cloud, Supplier<String> baseUrl, Consumer<Throwable> internalErrors, DirectoryApi directory,
           NotificationDelivery delivery) {
    this.cloud = cloud;
    this.subscriptions = new SubscriptionsApi(cloud, delivery);
    this.baseUrl = baseUrl;
    this.internalErrors = internalErrors;
    this.directory = directory;
  }

  // ------------------------------------------------------------------ entry, errors

  /**
   * Serves {@code req} whose path is {@code /v1.0} + {@code sub}. {@code release} receives what ends
   * the request's place among its mailbox's concurrent requests, for the server to run as it sends
   * the answer; null ends it as soon as the answer is computed (a {@code $batch} step: Graph runs a
   * batch's steps a few at a time, not all for the batch's whole duration).
   */
  Resp handle(Req req, String sub, boolean inBatch, Consumer<Runnable> release) {
    String requestId = UUID.randomUUID().toString();
    String clientRequestId = Optional.ofNullable(req.header("client-request-id")).orElse(requestId);
    Resp resp;
    try {
      List<String> seg = segments(sub);
      req = req.withPath("/v1.0" + linkPath(sub));
      if (seg.size() == 1 && seg.get(0).equals("$batch")) {
        if (inBatch) {
          throw new HttpError(400, "BadRequest", "A batch request cannot contain another batch request.");
        }
        resp = batch(req);
      } else {
        resp = dispatch(req, seg, release);
      }
    } catch (GraphError e) {
      resp = error(e.status(), e.code(), e.getMessage(), e.retryAfter(), requestId, clientRequestId);
    } catch (HttpError e) {
      resp = error(e.status, e.code, e.getMessage(), null, requestId, clientRequestId);
    } catch (RuntimeException e) {
      internalErrors.accept(e);
      resp = error(500, "generalException", "An internal error occurred in the emulator.", null, requestId, clientRequestId);
    }
    if (resp != Resp.DROP) {
      resp.header("request-id", requestId).header("client-request-id", clientRequestId);
    }
    return resp;
  }

  private static final java.util.regex.Pattern USER_SEGMENT =
      java.util.regex.Pattern.compile("^/users/([^/(]+)(/.*)?$", java.util.regex.Pattern.CASE_INSENSITIVE);

  /**
   * The path as Graph writes it into the links it returns: {@code /users/{id}/...} becomes
   * {@code /users('{id}')/...}, so clients must follow links in the key form.
   */
  private static String linkPath(String sub) {
    java.util.regex.Matcher m = USER_SEGMENT.matcher(sub);
    if (!m.matches()) {
      return sub;
    }
    return "/users('" + m.group(1).replace("'", "''") + "')" + (m.group(2) == null ? "" : m.group(2));
  }

  static Resp error(int status, String code, String message, Duration retryAfter, String requestId, String clientRequestId) {
    String date = Json.offset(Instant.now());
    byte[] body = Json.write(g -> {
      g.writeStartObject();
      g.writeObjectFieldStart("error");
      g.writeStringField("code", code);
      g.writeStringField("message", message == null ? "" : message);
      g.writeObjectFieldStart("innerError");
      if (status == 429) {
        g.writeStringField("code", "429");
        g.writeStringField("message", "Please retry after");
        g.writeStringField("status", "429");
      }
      g.writeStringField("date", date);
      g.writeStringField("request-id", requestId);
      g.writeStringField("client-request-id", clientRequestId);
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
    });
    Resp r = Resp.json(status, body);
    if (retryAfter != null) {
      r.header("Retry-After", retryAfterValue(retryAfter));
    }
    if (status == 401) {
      r.header("WWW-Authenticate", "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\","
          + " client_id=\"00000003-0000-0000-c000-000000000000\"");
    }
    return r;
  }

  /** Path keywords, matched ignoring case as Graph does; ids keep their case. */
  private static final Map<String, String> KEYWORDS = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);

  static {
    for (String k : List.of("me", "users", "mailboxSettings", "calendar", "calendarView", "delta", "delta()",
        "microsoft.graph.delta", "microsoft.graph.delta()", "events", "instances", "contacts", "contactFolders",
        "mailFolders", "messages", "move", "attachments", "todo", "lists", "tasks", "$batch", "servicePrincipals",
        "applications", "oauth2PermissionGrants", "groups", "members", "transitiveMembers", "memberOf",
        "transitiveMemberOf", "appRoleAssignments", "subscriptions")) {
      KEYWORDS.put(k, k);
    }
  }

  /** {@code users('id')}: Graph's key form, which it also writes into the next links it returns. */
  private static final java.util.regex.Pattern KEY_FORM =
      java.util.regex.Pattern.compile("^([A-Za-z][A-Za-z0-9.]*)\\('((?:[^']|'')*)'\\)$");

  /** Whole seconds where the delay is whole, else seconds with a fraction ({@code 2.5}), as Graph sends them. */
  static String retryAfterValue(Duration d) {
    long millis = Math.max(0, d.toMillis());
    if (millis % 1000 == 0) {
      return Long.toString(Math.max(1, millis / 1000));
    }
    return java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString();
  }

  static List<String> segments(String sub) {
    List<String> out = new ArrayList<>();
    for (String raw : sub.split("/")) {
      if (raw.isEmpty()) {
        continue;
      }
      String s = Req.decodeSegment(raw);
      java.util.regex.Matcher key = KEY_FORM.matcher(s);
      if (key.matches() && KEYWORDS.containsKey(key.group(1))) {
        out.add(KEYWORDS.get(key.group(1)));
        out.add(key.group(2).replace("''", "'"));
      } else {
        out.add(KEYWORDS.getOrDefault(s, s));
      }
    }
    if (out.isEmpty()) {
      throw new HttpError(400, "BadRequest", "Invalid request: the request URL names no resource.");
    }
    return out;
  }

  static HttpError notFoundSegment(String segment) {
    return new HttpError(400, "BadRequest", "Resource not found for the segment '" + segment + "'.");
  }

  static HttpError methodNotAllowed(String method) {
    return new HttpError(405, "Request_BadRequest", "The HTTP method '" + method + "' is not allowed for this resource.");
  }

  private static boolean isDelta(String s) {
    return s.equals("delta") || s.equals("delta()") || s.equals("microsoft.graph.delta") || s.equals("microsoft.graph.delta()");
  }

  // ------------------------------------------------------------------ dispatch and authorization

  private Resp dispatch(Req req, List<String> seg, Consumer<Runnable> release) {
    String first = seg.get(0);
    if (first.equals("me") || (first.equals("users") && seg.size() >= 2)) {
      boolean me = first.equals("me");
      String userSeg = me ? "me" : seg.get(1);
      List<String> rest = seg.subList(me ? 1 : 2, seg.size());
      Route route = userRoute(req.method(), rest);
      return invoke(req, userSeg, null, "/" + String.join("/", rest), route, release);
    }
    if (first.equals("subscriptions")) {
      return subscriptions.handle(req, seg, (r, user, logged, route) -> invoke(r, user, logged, logged, route, release));
    }
    Route route = directory.route(req.method(), seg);
    if (route == null) {
      throw notFoundSegment(first);
    }
    return invoke(req, null, null, "/" + String.join("/", seg), route, release);
  }

  /** {@code loggedPath}: the path fault rules match and the log shows, when not the user's {@code restPath}. */
  private Resp invoke(Req req, String userSeg, String loggedPath, String restPath, Route route,
                      Consumer<Runnable> release) {
    String token = bearer(req);
    TokenClaims claims = null;
    try {
      claims = cloud.validate(token);
    } catch (GraphError e) {
      // the model answers (and logs) the 401 below
    }
    TenantModel tenant = claims == null ? null : cloud.findTenant(claims.tenantId()).orElse(null);
    if (tenant == null && userSeg != null && !userSeg.equals("me")) {
      tenant = cloud.tenants().stream().filter(t -> t.findUser(userSeg).isPresent()).findFirst().orElse(null);
    }
    if (tenant == null) {
      tenant = cloud.tenants().stream().findFirst().orElse(null);
    }
    if (tenant == null) {
      cloud.validate(token);
      throw GraphError.invalidToken("Access token validation failure. Invalid audience or tenant.");
    }
    String method = req.method();
    if (claims == null) {
      String path = userSeg == null ? restPath : "/users/" + userSeg + restPath;
      tenant.graph(method + " " + path, token, null, null, () -> null);
      throw GraphError.invalidToken("Access token validation failure.");
    }
    String targetUser = null;
    ModelUser user = null;
    if (userSeg != null) {
      if (userSeg.equals("me")) {
        if (claims.mode() == AuthMode.APPLICATION) {
          throw new HttpError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
        }
        targetUser = claims.objectId();
      } else {
        targetUser = userSeg;
      }
      user = tenant.findUser(targetUser).orElse(null);
    }
    String userId = user != null ? user.objectId() : targetUser;
    String methodAndPath = method + " " + (loggedPath != null ? loggedPath
        : userSeg == null ? restPath : "/users/" + userId + restPath);
    Duration latency = Duration.ZERO;
    for (FaultRule f : tenant.faults()) {
      if (f.error() == null && f.tryFire(methodAndPath, userId)) {
        if (f.dropConnection()) {
          return Resp.DROP;
        }
        if (f.rawResponse() != null) {
          FaultRule.RawResponse raw = f.rawResponse();
          Resp r = new Resp(raw.status(), raw.body().getBytes(StandardCharsets.UTF_8));
          return raw.contentType() == null ? r : r.header("Content-Type", raw.contentType());
        }
        latency = latency.plus(f.latency());
      }
    }
    TenantModel t = tenant;
    ModelUser u = user;
    TokenClaims c = claims;
    Duration delay = latency;
    return tenant.graph(methodAndPath, token, route.mailbox() ? targetUser : null, route.resource(), () -> {
      pause(delay);
      MailboxModel box = route.mailbox() ? t.mailbox(u) : null;
      if (!route.mailbox() && route.resource() == null) {
        DirectoryApi.authorize(c, userSeg == null ? restPath : "/users" + restPath, u);
      }
      try {
        return route.action().apply(new Call(req, t, u, box, c, baseUrl.get()));
      } catch (HttpError e) {
        throw new GraphError(e.status, e.code, e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new GraphError(400, "ErrorInvalidRequest", e.getMessage());
      }
    }, release);
  }

  /** Injected latency: the only sleep in the emulator. */
  static void pause(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String bearer(Req req) {
    String h = req.header("Authorization");
    if (h == null) {
      return null;
    }
    return h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : "";
  }

  // ------------------------------------------------------------------ mailbox routes

  private Route userRoute(String method, List<String> rest) {
    if (rest.isEmpty() || rest.get(0).equals("transitiveMemberOf") || rest.get(0).equals("memberOf")) {
      Route r = directory.userRoute(method, rest);
      if (r != null) {
        return r;
      }
    }
    if (rest.isEmpty()) {
      throw methodNotAllowed(method);
    }
    List<String> r = rest;
    if (r.get(0).equals("calendar") && r.size() > 1) {
      r = r.subList(1, r.size());
    }
    String head = r.get(0);
    int n = r.size();
    switch (head) {
      case "mailboxSettings" -> {
        if (n != 1) {
          throw notFoundSegment(r.get(1));
        }
        return switch (method) {
          case "GET" -> mailbox(Resource.MAILBOX_SETTINGS, this::getSettings);
          case "PATCH" -> mailbox(Resource.MAILBOX_SETTINGS, this::patchSettings);
          default -> throw methodNotAllowed(method);
        };
      }
      case "calendarView" -> {
        if (n == 1 && method.equals("GET")) {
          return mailbox(Resource.EVENTS, this::calendarView);
        }
        if (n == 2 && isDelta(r.get(1)) && method.equals("GET")) {
          return mailbox(Resource.EVENTS, c -> delta(c, c.mailbox.calendar(), "#microsoft.graph.event", "event",
              (g, s) -> GraphJson.event(g, s, c.zone, c.user, stamps, c.now), true));
        }
        throw n > 2 ? notFoundSegment(r.get(2)) : n == 2 && !isDelta(r.get(1)) ? notFoundSegment(r.get(1)) : methodNotAllowed(method);
      }
      case "events" -> {
        return eventsRoute(method, r);
      }
      case "contacts" -> {
        return contactsRoute(method, r, null);
      }
      case "contactFolders" -> {
        if (n == 1) {
          return switch (method) {
            case "GET" -> mailbox(Resource.CONTACTS, this::listContactFolders);
            case "POST" -> mailbox(Resource.CONTACTS, this::createContactFolder);
            default -> throw methodNotAllowed(method);
          };
        }
        String folder = r.get(1);
        if (n == 2) {
          if (!method.equals("GET")) {
            throw methodNotAllowed(method);
          }
          return mailbox(Resource.CONTACTS, c -> ok(c, g -> contactFolder(g, c.mailbox.contacts(folder))));
        }
        if (!r.get(2).equals("contacts")) {
          throw notFoundSegment(r.get(2));
        }
        return contactsRoute(method, r.subList(2, n), folder);
      }
      case "mailFolders" -> {
        if (n == 1) {
          if (!method.equals("GET")) {
            throw methodNotAllowed(method);
          }
          return mailbox(Resource.MAIL, this::listMailFolders);
        }
        String folder = r.get(1);
        if (n == 2) {
          if (!method.equals("GET")) {
            throw methodNotAllowed(method);
          }
          return mailbox(Resource.MAIL, c -> ok(c, g -> mailFolder(g, c.mailbox.mail(folder))));
        }
        if (!r.get(2).equals("messages")) {
          throw notFoundSegment(r.get(2));
        }
        return messagesRoute(method, r.subList(2, n), folder);
      }
      case "messages" -> {
        return messagesRoute(method, r, null);
      }
      case "todo" -> {
        return todoRoute(method, r);
      }
      default -> throw notFoundSegment(head);
    }
  }

  private static Route mailbox(Resource resource, Function<Call, Resp> action) {
    return new Route(resource, true, action);
  }

  private Route eventsRoute(String method, List<String> r) {
    int n = r.size();
    if (n == 1) {
      return switch (method) {
        case "GET" -> mailbox(Resource.EVENTS, this::listEvents);
        case "POST" -> mailbox(Resource.EVENTS, this::createEvent);
        default -> throw methodNotAllowed(method);
      };
    }
    String id = r.get(1);
    if (n == 2) {
      return switch (method) {
        case "GET" -> mailbox(Resource.EVENTS, c -> {
          StoredItem<CalendarEvent> s = c.mailbox.calendar().get(id).orElseThrow(GraphError::itemNotFound);
          return ok(c, g -> GraphJson.event(g, s, c.zone, c.user, stamps, c.now, c.req.param("$expand")));
        });
        case "PATCH" -> mailbox(Resource.EVENTS, c -> patchEvent(c, id));
        case "DELETE" -> mailbox(Resource.EVENTS, c -> deleteEvent(c, id));
        default -> throw methodNotAllowed(method);
      };
    }
    if (n == 3 && r.get(2).equals("instances")) {
      if (!method.equals("GET")) {
        throw methodNotAllowed(method);
      }
      return mailbox(Resource.EVENTS, c -> instances(c, id));
    }
    throw notFoundSegment(r.get(2));
  }

  private Route contactsRoute(String method, List<String> r, String folder) {
    int n = r.size();
    if (n == 1) {
      return switch (method) {
        case "GET" -> mailbox(Resource.CONTACTS, c -> list(c, c.mailbox.contacts(folder).all(), "contact",
            (g, s) -> GraphJson.contact(g, s, folderId(c.mailbox.contacts(folder)), stamps, c.now)));
        case "POST" -> mailbox(Resource.CONTACTS, c -> {
          ItemCollection<Contact> coll = c.mailbox.contacts(folder);
          StoredItem<Contact> s = coll.create(GraphJson.contact(Json.object(c.req.body()), null));
          return created(c, g -> GraphJson.contact(g, s, folderId(coll), stamps, c.now));
        });
        default -> throw methodNotAllowed(method);
      };
    }
    if (n == 2 && isDelta(r.get(1))) {
      if (!method.equals("GET")) {
        throw methodNotAllowed(method);
      }
      return mailbox(Resource.CONTACTS, c -> {
        ItemCollection<Contact> coll = c.mailbox.contacts(folder);
        return delta(c, coll, "#microsoft.graph.contact", "contact",
            (g, s) -> GraphJson.contact(g, s, folderId(coll), stamps, c.now), false);
      });
    }
    if (n != 2) {
      throw notFoundSegment(r.get(2));
    }
    String id = r.get(1);
    return switch (method) {
      case "GET" -> mailbox(Resource.CONTACTS, c -> {
        ItemCollection<Contact> coll = findContact(c.mailbox, folder, id);
        StoredItem<Contact> s = coll.get(id).orElseThrow(GraphError::itemNotFound);
        return ok(c, g -> GraphJson.contact(g, s, folderId(coll), stamps, c.now, c.req.param("$expand")));
      });
      case "PATCH" -> mailbox(Resource.CONTACTS, c -> {
        ItemCollection<Contact> coll = findContact(c.mailbox, folder, id);
        ObjectNode body = Json.object(c.req.body());
        StoredItem<Contact> cur = coll.get(id).orElseThrow(GraphError::itemNotFound);
        StoredItem<Contact> s = coll.update(id, c.ifMatch(), GraphJson.contact(body, cur.item()));
        return ok(c, g -> GraphJson.contact(g, s, folderId(coll), stamps, c.now));
      });
      case "DELETE" -> mailbox(Resource.CONTACTS, c -> {
        findContact(c.mailbox, folder, id).delete(id, c.ifMatch());
        return Resp.empty(204);
      });
      default -> throw methodNotAllowed(method);
    };
  }

  private Route messagesRoute(String method, List<String> r, String folder) {
    int n = r.size();
    if (n == 1) {
      return switch (method) {
        case "GET" -> mailbox(Resource.MAIL, c -> {
          List<String[]> keys = new ArrayList<>();
          List<StoredItem<MailMessage>> items = new ArrayList<>();
          for (String f : folder == null ? c.mailbox.mailFolderIds() : List.of(folder)) {
            ItemCollection<MailMessage> coll = c.mailbox.mail(f);
            for (StoredItem<MailMessage> s : coll.all()) {
              items.add(s);
              keys.add(new String[] {s.id(), folderId(coll)});
            }
          }
          Map<String, String> folderOf = new HashMap<>();
          keys.forEach(k -> folderOf.put(k[0], k[1]));
          items.sort(Comparator.comparing((StoredItem<MailMessage> s) ->
              s.item().receivedAt() == null ? Instant.EPOCH : s.item().receivedAt()).reversed());
          return list(c, items, "message", (g, s) -> GraphJson.message(g, s, folderOf.get(s.id()), stamps, c.now));
        });
        case "POST" -> mailbox(Resource.MAIL, c -> {
          ItemCollection<MailMessage> coll = c.mailbox.mail(folder == null ? "drafts" : folder);
          String fid = folderId(coll);
          StoredItem<MailMessage> s = coll.create(GraphJson.message(Json.object(c.req.body()), null, fid, c.now,
              c.tenant.domain()));
          return created(c, g -> GraphJson.message(g, s, fid, stamps, c.now));
        });
        default -> throw methodNotAllowed(method);
      };
    }
    if (n == 2 && isDelta(r.get(1))) {
      if (folder == null) {
        throw new HttpError(400, "ErrorInvalidRequest", "Delta on messages needs a mail folder: use /mailFolders/{id}/messages/delta.");
      }
      if (!method.equals("GET")) {
        throw methodNotAllowed(method);
      }
      return mailbox(Resource.MAIL, c -> {
        ItemCollection<MailMessage> coll = c.mailbox.mail(folder);
        String fid = folderId(coll);
        // message delta supports $expand (e.g. of extended properties); calendarView, contact and To Do delta do not
        String expand = c.req.param("$expand");
        return delta(c, coll, "#microsoft.graph.message", "message",
            (g, s) -> GraphJson.message(g, s, fid, stamps, c.now, expand), false);
      });
    }
    String id = r.get(1);
    if (n == 3 && r.get(2).equals("move")) {
      if (!method.equals("POST")) {
        throw methodNotAllowed(method);
      }
      return mailbox(Resource.MAIL, c -> {
        String dest = Json.text(Json.object(c.req.body()), "destinationId");
        if (dest == null || dest.isBlank()) {
          throw new HttpError(400, "ErrorInvalidRequest", "The destinationId parameter is required.");
        }
        findMessage(c.mailbox, folder, id);
        ItemCollection<MailMessage> target = c.mailbox.mail(dest);
        StoredItem<MailMessage> moved = c.mailbox.moveMessage(id, dest);
        return created(c, g -> GraphJson.message(g, moved, folderId(target), stamps, c.now));
      });
    }
    if (n == 3 && r.get(2).equals("attachments")) {
      if (!method.equals("GET")) {
        throw methodNotAllowed(method);
      }
      return mailbox(Resource.MAIL, c -> {
        StoredItem<MailMessage> s = findMessage(c.mailbox, folder, id).get(id).orElseThrow(GraphError::itemNotFound);
        return ok(c, g -> {
          g.writeStartObject();
          GraphJson.attachments(g, s);
          g.writeEndObject();
        });
      });
    }
    if (n != 2) {
      throw notFoundSegment(r.get(2));
    }
    return switch (method) {
      case "GET" -> mailbox(Resource.MAIL, c -> {
        ItemCollection<MailMessage> coll = findMessage(c.mailbox, folder, id);
        StoredItem<MailMessage> s = coll.get(id).orElseThrow(GraphError::itemNotFound);
        return ok(c, g -> GraphJson.message(g, s, folderId(coll), stamps, c.now, c.req.param("$expand")));
      });
      case "PATCH" -> mailbox(Resource.MAIL, c -> {
        ItemCollection<MailMessage> coll = findMessage(c.mailbox, folder, id);
        ObjectNode body = Json.object(c.req.body());
        StoredItem<MailMessage> cur = coll.get(id).orElseThrow(GraphError::itemNotFound);
        StoredItem<MailMessage> s = coll.update(id, c.ifMatch(),
            GraphJson.message(body, cur.item(), folderId(coll), c.now, c.tenant.domain()));
        return ok(c, g -> GraphJson.message(g, s, folderId(coll), stamps, c.now));
      });
      case "DELETE" -> mailbox(Resource.MAIL, c -> {
        findMessage(c.mailbox, folder, id).delete(id, c.ifMatch());
        return Resp.empty(204);
      });
      default -> throw methodNotAllowed(method);
    };
  }

  private Route todoRoute(String method, List<String> r) {
    int n = r.size();
    if (n < 2 || !r.get(1).equals("lists")) {
      throw notFoundSegment(n < 2 ? "todo" : r.get(1));
    }
    if (n == 2) {
      return switch (method) {
        case "GET" -> mailbox(Resource.TASKS, c -> list(c, c.mailbox.taskListIds(), "todoTaskList",
            (g, id) -> taskList(g, c.mailbox.tasks(id))));
        case "POST" -> mailbox(Resource.TASKS, c -> {
          String name = Json.text(Json.object(c.req.body()), "displayName");
          if (name == null || name.isBlank()) {
            throw new HttpError(400, "invalidRequest", "The displayName property is required.");
          }
          ItemCollection<TodoTask> list = c.mailbox.addTaskList(newContainerId());
          displayNames.put(list.id(), name);
          return created(c, g -> taskList(g, list));
        });
        default -> throw methodNotAllowed(method);
      };
    }
    String listId = r.get(2);
    if (n == 3) {
      if (!method.equals("GET")) {
        throw methodNotAllowed(method);
      }
      return mailbox(Resource.TASKS, c -> ok(c, g -> taskList(g, c.mailbox.tasks(listId))));
    }
    if (!r.get(3).equals("tasks")) {
      throw notFoundSegment(r.get(3));
    }
    if (n == 4) {
      return switch (method) {
        case "GET" -> mailbox(Resource.TASKS, c -> list(c, c.mailbox.tasks(listId).all(), "todoTask",
            (g, s) -> GraphJson.task(g, s, stamps, c.now)));
        case "POST" -> mailbox(Resource.TASKS, c -> {
          StoredItem<TodoTask> s = c.mailbox.tasks(listId).create(GraphJson.task(Json.object(c.req.body()), null, c.now));
          return created(c, g -> GraphJson.task(g, s, stamps, c.now));
        });
        default -> throw methodNotAllowed(method);
      };
    }
    if (n == 5 && isDelta(r.get(4))) {
      if (!method.equals("GET")) {
        throw methodNotAllowed(method);
      }
      return mailbox(Resource.TASKS, c -> delta(c, c.mailbox.tasks(listId), "#microsoft.graph.todoTask", "todoTask",
          (g, s) -> GraphJson.task(g, s, stamps, c.now), false));
    }
    if (n != 5) {
      throw notFoundSegment(r.get(5));
    }
    String id = r.get(4);
    return switch (method) {
      case "GET" -> mailbox(Resource.TASKS, c -> {
        StoredItem<TodoTask> s = c.mailbox.tasks(listId).get(id).orElseThrow(GraphError::itemNotFound);
        return ok(c, g -> GraphJson.task(g, s, stamps, c.now));
      });
      case "PATCH" -> mailbox(Resource.TASKS, c -> {
        ItemCollection<TodoTask> coll = c.mailbox.tasks(listId);
        ObjectNode body = Json.object(c.req.body());
        StoredItem<TodoTask> cur = coll.get(id).orElseThrow(GraphError::itemNotFound);
        StoredItem<TodoTask> s = coll.update(id, c.ifMatch(), GraphJson.task(body, cur.item(), c.now));
        return ok(c, g -> GraphJson.task(g, s, stamps, c.now));
      });
      case "DELETE" -> mailbox(Resource.TASKS, c -> {
        c.mailbox.tasks(listId).delete(id, c.ifMatch());
        return Resp.empty(204);
      });
      default -> throw methodNotAllowed(method);
    };
  }

  // ------------------------------------------------------------------ responses

  private static Resp ok(Call c, Json.Body body) {
    return c.ok(200, selected(c, Json.write(body)));
  }

  /**
   * {@code $select} as Graph honours it: only the selected properties, with {@code id} and the
   * {@code @odata.*} and {@code @removed} annotations, of the item or of each item of a collection.
   */
  static byte[] selected(Call c, byte[] json) {
    String select = c.req.param("$select");
    if (select == null || select.isBlank() || !c.req.method().equals("GET")) {
      return json;
    }
    java.util.Set<String> keep = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (String p : select.split(",")) {
      keep.add(p.trim());
    }
    keep.add("id");
    ObjectNode root = Json.object(json);
    JsonNode value = root.get("value");
    if (value != null && value.isArray()) {
      value.forEach(item -> {
        if (item instanceof ObjectNode o) {
          retain(o, keep);
        }
      });
    } else {
      retain(root, keep);
    }
    return Json.write(g -> g.writeTree(root));
  }

  private static void retain(ObjectNode item, java.util.Set<String> keep) {
    List<String> drop = new ArrayList<>();
    item.fieldNames().forEachRemaining(f -> {
      if (!keep.contains(f) && !f.startsWith("@odata.") && !f.equals("@removed")) {
        drop.add(f);
      }
    });
    item.remove(drop);
  }

  private static Resp created(Call c, Json.Body body) {
    return c.ok(201, Json.write(body));
  }

  private <S> Resp list(Call c, List<S> items, String type, ItemWriter<S> writer) {
    int top = c.intParam("$top", Call.DEFAULT_PAGE_SIZE, 1, 1000);
    if (c.maxPageSize != null && c.req.param("$top") == null) {
      top = c.maxPageSize;
    }
    int skip = c.intParam("$skip", 0, 0, Integer.MAX_VALUE);
    int from = Math.min(skip, items.size());
    int to = Math.min(items.size(), from + top);
    List<S> page = items.subList(from, to);
    String next = to < items.size() ? c.baseUrl + c.req.path() + "?" + withSkip(c.req.rawQuery(), to) : null;
    return ok(c, g -> {
      g.writeStartObject();
      g.writeStringField("@odata.context", c.baseUrl + "/v1.0/$metadata#Collection(" + type + ")");
      g.writeArrayFieldStart("value");
      for (S s : page) {
        writer.write(g, s);
      }
      g.writeEndArray();
      if (next != null) {
        g.writeStringField("@odata.nextLink", next);
      }
      g.writeEndObject();
    });
  }

  private static String withSkip(String rawQuery, int skip) {
    StringBuilder sb = new StringBuilder();
    for (String p : rawQuery.split("&")) {
      String k = p.contains("=") ? p.substring(0, p.indexOf('=')) : p;
      String key = Req.decode(k).toLowerCase(Locale.ROOT);
      if (p.isEmpty() || key.equals("$skip")) {
        continue;
      }
      sb.append(p).append('&');
    }
    return sb.append("$skip=").append(skip).toString();
  }

  private <T extends SyncItem> Resp delta(Call c, ItemCollection<T> coll, String odataType, String type,
                                          ItemWriter<StoredItem<T>> writer, boolean calendarView) {
    String token = c.req.param("$skiptoken");
    if (token == null || token.isBlank()) {
      token = c.req.param("$deltatoken");
    }
    if (token != null && (token.isBlank() || token.equalsIgnoreCase("latest"))) {
      // Graph documents "$deltatoken=latest" (sync from now) for directory objects only; Outlook answers it
      // as a first round, with every item (microsoftgraph/microsoft-graph-docs#9569, msgraph-sdk-dotnet#1281)
      token = null;
    }
    DeltaWindow window = null;
    if (token == null && calendarView) {
      String start = c.req.param("startDateTime");
      String end = c.req.param("endDateTime");
      if (start == null || start.isBlank() || end == null || end.isBlank()) {
        throw new GraphError(400, "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.");
      }
      window = new DeltaWindow(TimeZones.parseDateTime(start, ZoneOffset.UTC), TimeZones.parseDateTime(end, ZoneOffset.UTC));
    }
    ModelDeltaPage<T> page = coll.delta(token, window, c.deltaPageSize());
    String path = c.req.path();
    int slash = path.lastIndexOf('/');
    String link = c.baseUrl + path.substring(0, slash) + "/delta";
    return ok(c, g -> {
      g.writeStartObject();
      g.writeStringField("@odata.context", c.baseUrl + "/v1.0/$metadata#Collection(" + type + ")");
      g.writeArrayFieldStart("value");
      for (ModelChange<T> ch : page.changes()) {
        if (ch.removed()) {
          GraphJson.removed(g, odataType, ch.id());
        } else {
          // a series master never shows here: the model lists its occurrences instead
          typed(g, odataType, x -> writer.write(x, new StoredItem<>(ch.id(), ch.changeKey(), ch.item())));
        }
      }
      g.writeEndArray();
      if (page.more()) {
        g.writeStringField("@odata.nextLink", link + "?$skiptoken=" + page.nextToken());
      } else {
        g.writeStringField("@odata.deltaLink", link + "?$deltatoken=" + page.deltaToken());
      }
      g.writeEndObject();
    });
  }

  /**
   * One item as delta returns it: {@code @odata.type} first, then the item's own properties. Written
   * straight into the page's generator: the item's first object gets the field right after its start,
   * a rendering kept as raw JSON (an event) its members after the field. Rendering each item into a
   * buffer of its own and copying it in was most of the emulator's allocation in the throughput
   * benchmark (an 8 KB buffer and three copies per item).
   */
  private static void typed(JsonGenerator g, String odataType, Json.Body item) throws IOException {
    item.write(new JsonGeneratorDelegate(g, false) {
      private boolean typed;

      @Override
      public void writeStartObject() throws IOException {
        super.writeStartObject();
        typeOnce();
      }

      @Override
      public void writeStartObject(Object forValue) throws IOException {
        super.writeStartObject(forValue);
        typeOnce();
      }

      @Override
      public void writeStartObject(Object forValue, int size) throws IOException {
        super.writeStartObject(forValue, size);
        typeOnce();
      }

      /** A rendered item kept as raw JSON (events): its members go after the type, in the same object. */
      @Override
      public void writeRawValue(SerializableString raw) throws IOException {
        if (typed || !(raw instanceof RawJson json) || !json.isObject()) {
          super.writeRawValue(raw);
          return;
        }
        writeStartObject();
        RawJson members = json.members();
        if (members.size() > 0) {
          delegate.writeRaw(',');
          delegate.writeRaw(members);
        }
        delegate.writeEndObject();
      }

      private void typeOnce() throws IOException {
        if (!typed) {
          typed = true;
          delegate.writeStringField("@odata.type", odataType);
        }
      }
    });
  }

  // ------------------------------------------------------------------ events

  private static DeltaWindow window(Call c) {
    String start = c.req.param("startDateTime");
    String end = c.req.param("endDateTime");
    if (start == null || start.isBlank() || end == null || end.isBlank()) {
      throw new GraphError(400, "ErrorInvalidParameter",
          "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.");
    }
    return new DeltaWindow(TimeZones.parseDateTime(start, ZoneOffset.UTC), TimeZones.parseDateTime(end, ZoneOffset.UTC));
  }

  private static boolean overlaps(CalendarEvent e, DeltaWindow w) {
    return e.start().isBefore(w.end()) && e.end().isAfter(w.start());
  }

  private Resp calendarView(Call c) {
    DeltaWindow w = window(c);
    List<StoredItem<CalendarEvent>> items = c.mailbox.calendar().all().stream()
        .filter(s -> s.item().type() != CalendarEvent.EventType.SERIES_MASTER && overlaps(s.item(), w))
        .sorted(Comparator.comparing(s -> s.item().start())).toList();
    return list(c, items, "event", (g, s) -> GraphJson.event(g, s, c.zone, c.user, stamps, c.now));
  }

  private Resp listEvents(Call c) {
    List<StoredItem<CalendarEvent>> items = c.mailbox.calendar().all().stream()
        .filter(s -> s.item().type() == CalendarEvent.EventType.SINGLE_INSTANCE
            || s.item().type() == CalendarEvent.EventType.SERIES_MASTER).toList();
    return list(c, items, "event", (g, s) -> GraphJson.event(g, s, c.zone, c.user, stamps, c.now));
  }

  private Resp instances(Call c, String masterId) {
    StoredItem<CalendarEvent> master = c.mailbox.calendar().get(masterId).orElseThrow(GraphError::itemNotFound);
    if (master.item().type() != CalendarEvent.EventType.SERIES_MASTER) {
      throw new GraphError(400, "ErrorInvalidRequest", "The event is not a series master.");
    }
    DeltaWindow w = window(c);
    List<StoredItem<CalendarEvent>> items = c.mailbox.calendar().all().stream()
        .filter(s -> masterId.equals(s.item().seriesMasterId()) && overlaps(s.item(), w))
        .sorted(Comparator.comparing(s -> s.item().start())).toList();
    return list(c, items, "event", (g, s) -> GraphJson.event(g, s, c.zone, c.user, stamps, c.now));
  }

  private Resp createEvent(Call c) {
    CalendarEvent e = GraphJson.event(Json.object(c.req.body()), null);
    ItemCollection<CalendarEvent> cal = c.mailbox.calendar();
    StoredItem<CalendarEvent> s = cal.create(e); // a series master brings its occurrences (the model expands it)
    return created(c, g -> GraphJson.event(g, s, c.zone, c.user, stamps, c.now));
  }

  private Resp patchEvent(Call c, String id) {
    ItemCollection<CalendarEvent> cal = c.mailbox.calendar();
    ObjectNode body = Json.object(c.req.body());
    StoredItem<CalendarEvent> cur = cal.get(id).orElseThrow(GraphError::itemNotFound);
    CalendarEvent e = GraphJson.event(body, cur.item());
    if (e.type() == CalendarEvent.EventType.OCCURRENCE) {
      e = new CalendarEvent(e.subject(), e.body(), e.start(), e.end(), e.originalTimeZone(), e.allDay(), e.location(),
          e.organizer(), e.attendees(), CalendarEvent.EventType.EXCEPTION, e.seriesMasterId(), null, e.iCalUid(),
          e.extensions());
    }
    StoredItem<CalendarEvent> s = cal.update(id, c.ifMatch(), e); // the model re-expands an edited series
    recordMeetingUpdate(c, body, cur.item(), e);
    return ok(c, g -> GraphJson.event(g, s, c.zone, c.user, stamps, c.now));
  }

  /** Extension key on the Sent Items copy of a meeting update: what the organizer's PATCH changed. */
  static final String MEETING_UPDATE = "emulator.meetingUpdate";

  /**
   * What Exchange does when the organizer PATCHes a meeting: a field attendees see changed (subject,
   * body, start, end, location, all-day, recurrence), or the attendees collection was sent at all
   * (re-sent invitations), so a meeting update goes to every attendee. Graph has no way to suppress
   * it. The emulator keeps the update as Exchange does, a message in the organizer's Sent Items, whose
   * extension {@link #MEETING_UPDATE} lists what triggered it ({@code attendees} = invitations re-sent).
   * PATCHes that touch only other fields (extended properties, categories, …) notify nobody.
   */
  private static void recordMeetingUpdate(Call c, ObjectNode body, CalendarEvent before, CalendarEvent after) {
    boolean meeting = !before.attendees().isEmpty() || !after.attendees().isEmpty();
    boolean organizer = before.organizer() == null || before.organizer().address().equalsIgnoreCase(c.user.userPrincipalName());
    if (!meeting || !organizer) {
      return;
    }
    List<String> why = new ArrayList<>();
    if (body.has("attendees")) {
      why.add("attendees");
    }
    if (!before.subject().equals(after.subject())) {
      why.add("subject");
    }
    if (!java.util.Objects.equals(before.body(), after.body())) {
      why.add("body");
    }
    if (!before.start().equals(after.start()) || !before.end().equals(after.end())) {
      why.add("time");
    }
    if (!java.util.Objects.equals(before.location(), after.location())) {
      why.add("location");
    }
    if (before.allDay() != after.allDay()) {
      why.add("isAllDay");
    }
    if (!java.util.Objects.equals(before.recurrence(), after.recurrence())) {
      why.add("recurrence");
    }
    if (why.isEmpty()) {
      return;
    }
    List<io.m365sync.model.EmailAddress> to = after.attendees().isEmpty()
        ? before.attendees().stream().map(io.m365sync.model.Attendee::email).toList()
        : after.attendees().stream().map(io.m365sync.model.Attendee::email).toList();
    c.mailbox.mail("sentitems").create(new MailMessage(after.subject(),
        new io.m365sync.model.EmailAddress(c.user.userPrincipalName(), c.user.displayName()), to, List.of(), c.now,
        "Meeting update: " + String.join(", ", why), "<meeting-update-" + UUID.randomUUID() + "@" + c.tenant.domain() + ">",
        "sentitems", List.of(), Map.of(MEETING_UPDATE, String.join(",", why))));
  }

  private Resp deleteEvent(Call c, String id) {
    ItemCollection<CalendarEvent> cal = c.mailbox.calendar();
    cal.delete(id, c.ifMatch()); // a series master's occurrences go with it
    return Resp.empty(204);
  }

  // ------------------------------------------------------------------ folders, lists, settings

  private String folderId(ItemCollection<?> coll) {
    String id = coll.id();
    return id.substring(id.lastIndexOf('/') + 1);
  }

  private String displayName(ItemCollection<?> coll) {
    return displayNames.getOrDefault(coll.id(), coll.displayName());
  }

  private static String newContainerId() {
    byte[] b = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
    return "AQMk" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b).substring(0, 32);
  }

  private static ItemCollection<Contact> findContact(MailboxModel box, String folder, String id) {
    for (String f : folder == null ? box.contactFolderIds() : List.of(folder)) {
      ItemCollection<Contact> c = box.contacts(f);
      if (c.get(id).isPresent()) {
        return c;
      }
    }
    throw GraphError.itemNotFound();
  }

  private static ItemCollection<MailMessage> findMessage(MailboxModel box, String folder, String id) {
    for (String f : folder == null ? box.mailFolderIds() : List.of(folder)) {
      ItemCollection<MailMessage> c = box.mail(f);
      if (c.get(id).isPresent()) {
        return c;
      }
    }
    throw GraphError.itemNotFound();
  }

  private void contactFolder(JsonGenerator g, ItemCollection<Contact> f) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", folderId(f));
    g.writeStringField("displayName", displayName(f));
    g.writeStringField("parentFolderId", "root");
    g.writeEndObject();
  }

  private Resp listContactFolders(Call c) {
    return list(c, c.mailbox.contactFolderIds(), "contactFolder", (g, id) -> contactFolder(g, c.mailbox.contacts(id)));
  }

  private Resp createContactFolder(Call c) {
    String name = Json.text(Json.object(c.req.body()), "displayName");
    if (name == null || name.isBlank()) {
      throw new HttpError(400, "ErrorInvalidRequest", "The displayName property is required.");
    }
    ItemCollection<Contact> f = c.mailbox.addContactFolder(newContainerId());
    displayNames.put(f.id(), name);
    return created(c, g -> contactFolder(g, f));
  }

  private static final Map<String, String> MAIL_NAMES = Map.of("inbox", "Inbox", "sentitems", "Sent Items",
      "drafts", "Drafts", "deleteditems", "Deleted Items", "archive", "Archive");

  private void mailFolder(JsonGenerator g, ItemCollection<MailMessage> f) throws IOException {
    String id = folderId(f);
    g.writeStartObject();
    g.writeStringField("id", id);
    g.writeStringField("displayName", displayNames.getOrDefault(f.id(), MAIL_NAMES.getOrDefault(id, f.displayName())));
    g.writeStringField("parentFolderId", "msgfolderroot");
    g.writeNumberField("childFolderCount", 0);
    g.writeNumberField("unreadItemCount", 0);
    g.writeNumberField("totalItemCount", f.size());
    g.writeNumberField("sizeInBytes", 0);
    g.writeBooleanField("isHidden", false);
    g.writeEndObject();
  }

  private Resp listMailFolders(Call c) {
    return list(c, c.mailbox.mailFolderIds(), "mailFolder", (g, id) -> mailFolder(g, c.mailbox.mail(id)));
  }

  private void taskList(JsonGenerator g, ItemCollection<TodoTask> list) throws IOException {
    String id = folderId(list);
    g.writeStartObject();
    g.writeStringField("@odata.etag", "W/\"" + id + "\"");
    g.writeStringField("displayName", displayName(list));
    g.writeBooleanField("isOwner", true);
    g.writeBooleanField("isShared", false);
    g.writeStringField("wellknownListName", MailboxModel.DEFAULT_TASK_LIST.equals(id) ? "defaultList" : "none");
    g.writeStringField("id", id);
    g.writeEndObject();
  }

  private Resp getSettings(Call c) {
    return ok(c, g -> GraphJson.settings(g, c.mailbox.settings()));
  }

  /** Graph answers a mailboxSettings PATCH with the patched properties only, not the whole object. */
  private Resp patchSettings(Call c) {
    ObjectNode body = Json.object(c.req.body());
    MailboxSettings after = c.mailbox.updateSettings(GraphJson.settings(body, c.mailbox.settings()));
    ObjectNode all = Json.object(Json.write(g -> GraphJson.settings(g, after)));
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("@odata.context", c.baseUrl + "/v1.0/$metadata#Microsoft.OutlookServices.MailboxSettings");
    body.fieldNames().forEachRemaining(f -> {
      if (all.has(f)) {
        out.set(f, all.get(f));
      }
    });
    return ok(c, g -> g.writeTree(out));
  }

  // ------------------------------------------------------------------ $batch

  private Resp batch(Req req) {
    if (!req.method().equals("POST")) {
      throw methodNotAllowed(req.method());
    }
    ObjectNode body = Json.object(req.body());
    JsonNode requests = body.get("requests");
    if (requests == null || !requests.isArray()) {
      throw new HttpError(400, "BadRequest", "Invalid batch payload format: 'requests' must be an array.");
    }
    if (requests.size() > 20) {
      throw new HttpError(400, "BadRequest", "The number of batch requests exceeds the maximum of 20.");
    }
    Map<String, Integer> status = new HashMap<>();
    List<JsonNode> steps = new ArrayList<>();
    for (JsonNode step : requests) {
      String id = Json.text(step, "id");
      if (id == null || Json.text(step, "method") == null || Json.text(step, "url") == null) {
        throw new HttpError(400, "BadRequest", "Invalid batch payload format: every request needs id, method and url.");
      }
      if (status.putIfAbsent(id.toLowerCase(Locale.ROOT), -1) != null) {
        throw new HttpError(400, "BadRequest", "Batch request ids must be unique; '" + id + "' is repeated.");
      }
      steps.add(step);
    }
    for (JsonNode step : steps) {
      for (JsonNode d : step.path("dependsOn")) {
        if (!status.containsKey(d.asText().toLowerCase(Locale.ROOT))) {
          throw new HttpError(400, "BadRequest", "Request '" + Json.text(step, "id") + "' depends on unknown request '" + d.asText() + "'.");
        }
      }
    }
    List<byte[]> parts = new ArrayList<>();
    for (JsonNode step : steps) {
      String id = Json.text(step, "id");
      boolean failedDependency = false;
      for (JsonNode d : step.path("dependsOn")) {
        Integer s = status.get(d.asText().toLowerCase(Locale.ROOT));
        failedDependency |= s == null || s < 0 || s >= 400;
      }
      Resp r;
      if (failedDependency) {
        r = error(424, "FailedDependency", "The request could not be run because a request it depends on failed.", null,
            UUID.randomUUID().toString(), Optional.ofNullable(req.header("client-request-id")).orElse(""));
      } else {
        r = handle(stepRequest(req, step), stepPath(Json.text(step, "url")), true, null);
        if (r == Resp.DROP) {
          r = error(504, "GatewayTimeout", "The request timed out.", null, UUID.randomUUID().toString(), "");
        }
      }
      status.put(id.toLowerCase(Locale.ROOT), r.status);
      Resp resp = r;
      parts.add(Json.write(g -> {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeNumberField("status", resp.status);
        g.writeObjectFieldStart("headers");
        for (Map.Entry<String, String> h : resp.headers.entrySet()) {
          g.writeStringField(h.getKey(), h.getValue());
        }
        g.writeEndObject();
        if (resp.body.length > 0) {
          g.writeFieldName("body");
          g.writeTree(Json.MAPPER.readTree(resp.body));
        }
        g.writeEndObject();
      }));
    }
    return Resp.json(200, Json.write(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("responses");
      for (byte[] p : parts) {
        g.writeRawValue(new String(p, StandardCharsets.UTF_8));
      }
      g.writeEndArray();
      g.writeEndObject();
    }));
  }

  private static String stepPath(String url) {
    String u = url.startsWith("/") ? url : "/" + url;
    int q = u.indexOf('?');
    String path = q < 0 ? u : u.substring(0, q);
    if (path.startsWith("/v1.0/")) {
      path = path.substring(5);
    }
    return path;
  }

  private static Req stepRequest(Req outer, JsonNode step) {
    String url = Json.text(step, "url");
    String u = url.startsWith("/") ? url : "/" + url;
    int q = u.indexOf('?');
    String path = stepPath(url);
    Map<String, List<String>> headers = new HashMap<>();
    step.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), List.of(e.getValue().asText())));
    for (String h : List.of("Authorization", "client-request-id")) {
      if (outer.header(h) != null && headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase(h))) {
        headers.put(h, List.of(outer.header(h)));
      }
    }
    byte[] body = null;
    JsonNode b = step.get("body");
    if (b != null && !b.isNull()) {
      body = b.isTextual() ? b.asText().getBytes(StandardCharsets.UTF_8) : b.toString().getBytes(StandardCharsets.UTF_8);
    }
    return Req.of(Json.text(step, "method"), "/v1.0" + path, q < 0 ? null : u.substring(q + 1), headers, body);
  }
}

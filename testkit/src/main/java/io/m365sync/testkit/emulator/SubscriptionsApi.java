package io.m365sync.testkit.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.m365sync.testkit.model.CloudModel;
import io.m365sync.testkit.model.ModelSubscription;
import io.m365sync.testkit.model.SubscriptionTarget;
import io.m365sync.testkit.model.TenantModel;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * {@code /subscriptions}: create (with the validation call to each URL), read, renew (PATCH) and
 * delete. Each request is authorized as a request to the watched mailbox's resource, so an
 * application access policy that denies the mailbox answers 403 "Access to OData is disabled" here
 * exactly as for reads.
 */
final class SubscriptionsApi {
  /** Authorizes and runs a route for the mailbox of {@code userSeg}, logged as {@code method loggedPath}. */
  interface Invoker {
    Resp invoke(Req req, String userSeg, String loggedPath, GraphApi.Route route);
  }

  private final CloudModel cloud;
  private final NotificationDelivery delivery;

  SubscriptionsApi(CloudModel cloud, NotificationDelivery delivery) {
    this.cloud = cloud;
    this.delivery = delivery;
  }

  Resp handle(Req req, List<String> seg, Invoker invoker) {
    String method = req.method();
    if (seg.size() == 1) {
      if (!method.equals("POST")) {
        throw GraphApi.methodNotAllowed(method);
      }
      ObjectNode body = Json.object(req.body());
      SubscriptionTarget target = SubscriptionTarget.parse(Json.text(body, "resource"));
      return invoker.invoke(req, target.user(), "/subscriptions",
          new GraphApi.Route(target.resource(), true, c -> create(c, body)));
    }
    if (seg.size() != 2) {
      throw GraphApi.notFoundSegment(seg.get(2));
    }
    String id = seg.get(1);
    ModelSubscription s = find(id).orElseThrow(() -> new HttpError(404, "ResourceNotFound", "The object was not found."));
    GraphApi.Route route = new GraphApi.Route(s.target().resource(), true, switch (method) {
      case "GET" -> c -> json(c, 200, c.tenant.subscriptions().find(id).orElseThrow(this::gone));
      case "PATCH" -> c -> {
        Instant at = expiry(Json.object(c.req.body()));
        return json(c, 200, c.tenant.subscriptions().renew(id, at));
      };
      case "DELETE" -> c -> {
        c.tenant.subscriptions().delete(id);
        return Resp.empty(204);
      };
      default -> throw GraphApi.methodNotAllowed(method);
    });
    return invoker.invoke(req, s.userId(), "/subscriptions/" + id, route);
  }

  private HttpError gone() {
    return new HttpError(404, "ResourceNotFound", "The object was not found.");
  }

  private Optional<ModelSubscription> find(String id) {
    for (TenantModel t : cloud.tenants()) {
      Optional<ModelSubscription> s = t.subscriptions().find(id);
      if (s.isPresent()) {
        return s;
      }
    }
    return Optional.empty();
  }

  private Resp create(Call c, ObjectNode body) {
    String lifecycle = Json.text(body, "lifecycleNotificationUrl");
    ModelSubscription s = c.tenant.subscriptions().create(c.user.objectId(), c.claims.clientId(), c.claims.mode(),
        Json.text(body, "resource"), Json.text(body, "changeType"), url(Json.text(body, "notificationUrl")),
        lifecycle == null ? null : url(lifecycle), Json.text(body, "clientState"), expiry(body), delivery::validate);
    return json(c, 201, s);
  }

  private static URI url(String s) {
    if (s == null) {
      return null;
    }
    URI u = URI.create(s);
    if (u.getScheme() == null || !(u.getScheme().equalsIgnoreCase("https") || u.getScheme().equalsIgnoreCase("http"))) {
      throw new HttpError(400, "InvalidRequest", "The notification URL must be an absolute https URL.");
    }
    return u;
  }

  private static Instant expiry(ObjectNode body) {
    String at = Json.text(body, "expirationDateTime");
    if (at == null) {
      throw new HttpError(400, "InvalidRequest", "expirationDateTime is required.");
    }
    return TimeZones.parseDateTime(at, ZoneOffset.UTC);
  }

  private static Resp json(Call c, int status, ModelSubscription s) {
    return c.ok(status, Json.write(g -> {
      g.writeStartObject();
      g.writeStringField("@odata.context", c.baseUrl + "/v1.0/$metadata#subscriptions/$entity");
      g.writeStringField("id", s.id());
      g.writeStringField("resource", s.resourcePath());
      g.writeStringField("applicationId", s.clientId());
      g.writeStringField("changeType", String.join(",", s.changeTypes()));
      Json.field(g, "clientState", s.clientState());
      g.writeStringField("notificationUrl", s.notificationUrl().toString());
      Json.field(g, "lifecycleNotificationUrl", s.lifecycleUrl() == null ? null : s.lifecycleUrl().toString());
      g.writeStringField("expirationDateTime", Json.offset(s.expiresAt()));
      g.writeStringField("creatorId", s.userId());
      g.writeBooleanField("includeResourceData", false);
      g.writeStringField("latestSupportedTlsVersion", "v1_2");
      g.writeEndObject();
    }));
  }
}

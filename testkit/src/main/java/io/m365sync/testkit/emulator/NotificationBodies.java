package io.m365sync.testkit.emulator;

import io.m365sync.testkit.model.ModelNotification;
import java.util.List;

/** The JSON Graph posts to a notification URL, shared by the HTTP emulator and the in-process fake. */
public final class NotificationBodies {
  private NotificationBodies() {}

  /** A notification collection as Graph posts it: {@code {"value":[...]}} with basic (no resource data) items. */
  public static byte[] collection(List<ModelNotification> batch) {
    return Json.write(g -> {
      g.writeStartObject();
      g.writeArrayFieldStart("value");
      for (ModelNotification n : batch) {
        g.writeStartObject();
        g.writeStringField("subscriptionId", n.subscriptionId());
        g.writeStringField("subscriptionExpirationDateTime", Json.offset(n.subscriptionExpiresAt()));
        g.writeStringField("tenantId", n.tenantId());
        Json.field(g, "clientState", n.clientState());
        if (n.lifecycle()) {
          g.writeStringField("lifecycleEvent", n.lifecycleEvent());
        } else {
          g.writeStringField("changeType", n.changeType());
          g.writeStringField("resource", n.resource());
          g.writeObjectFieldStart("resourceData");
          g.writeStringField("@odata.type", n.odataType());
          g.writeStringField("@odata.id", n.resource());
          g.writeStringField("id", n.itemId());
          g.writeEndObject();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }
}

package io.m365sync.notify;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads Graph's notification collection, {@code {"value":[{subscriptionId, clientState,
 * lifecycleEvent?, ...}]}}, keeping only what the receiver needs. Other members (changeType,
 * resource, resourceData, encryptedContent, ...) are ignored: the delta round fetches the data.
 */
final class NotificationItems {
  private NotificationItems() {}

  /** One notification; {@code clientState}, {@code lifecycleEvent} and {@code tenantId} are null when absent. */
  record Item(String subscriptionId, String clientState, String lifecycleEvent, String tenantId) {}

  /** Parses the whole body first, so a malformed body queues nothing; throws {@link Json.Malformed}. */
  static List<Item> parse(byte[] body) {
    Object root = Json.parse(utf8(body));
    if (!(root instanceof Map<?, ?> object) || !(object.get("value") instanceof List<?> values)) {
      throw new Json.Malformed("expected an object with a 'value' array");
    }
    List<Item> items = new ArrayList<>(values.size());
    for (Object v : values) {
      if (!(v instanceof Map<?, ?> item)) {
        throw new Json.Malformed("a 'value' entry is not an object");
      }
      String id = string(item, "subscriptionId");
      if (id == null || id.isBlank()) {
        throw new Json.Malformed("a notification without 'subscriptionId'");
      }
      items.add(new Item(id, string(item, "clientState"), string(item, "lifecycleEvent"), string(item, "tenantId")));
    }
    return items;
  }

  private static String string(Map<?, ?> item, String name) {
    Object v = item.get(name);
    if (v == null || v == Json.NULL) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new Json.Malformed("'" + name + "' is not a string");
    }
    return s;
  }

  private static String utf8(byte[] body) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body)).toString();
    } catch (CharacterCodingException e) {
      throw new Json.Malformed("body is not UTF-8");
    }
  }
}

package io.m365sync.model;

import java.util.HashMap;
import java.util.Map;

/**
 * Helpers over any {@link SyncItem} for hosts and tests. Extension keys under
 * {@link #RESERVED_PREFIX} belong to the engine (write-ahead ids, content fingerprints): they appear on
 * the items a CRM store receives, and a host compares or exports items without them.
 */
public final class SyncItems {
  /** The prefix of the engine's own extension keys. */
  public static final String RESERVED_PREFIX = "m365sync.";

  private SyncItems() {}

  /** A new, mutable map of the host's own extensions: {@code extensions} without the engine's keys. */
  public static Map<String, String> hostExtensions(Map<String, String> extensions) {
    Map<String, String> m = new HashMap<>();
    extensions.forEach((k, v) -> {
      if (!k.startsWith(RESERVED_PREFIX)) {
        m.put(k, v);
      }
    });
    return m;
  }

  /** {@code item} without the engine's reserved extension keys (null for null). */
  @SuppressWarnings("unchecked")
  public static <T extends SyncItem> T withoutReservedExtensions(T item) {
    return item == null ? null : (T) item.withExtensions(hostExtensions(item.extensions()));
  }
}

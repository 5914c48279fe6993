package io.m365sync.model;

import java.util.List;
import java.util.Map;

/** Copy helpers for the item records' compact constructors. */
final class Items {
  private Items() {}

  static <T> List<T> list(List<T> values) {
    return values == null ? List.of() : List.copyOf(values);
  }

  static Map<String, String> map(Map<String, String> values) {
    return values == null ? Map.of() : Map.copyOf(values);
  }
}

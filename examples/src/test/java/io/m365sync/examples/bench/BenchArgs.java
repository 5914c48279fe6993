package io.m365sync.examples.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** A runner's {@code key=value} arguments; anything not given keeps its default. */
record BenchArgs(Map<String, String> values) {
  BenchArgs {
    values = Map.copyOf(values);
  }

  static BenchArgs parse(String... args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("arguments are key=value, but got '" + a + "'");
      }
      values.put(a.substring(0, eq), a.substring(eq + 1));
    }
    return new BenchArgs(values);
  }

  int integer(String key, int otherwise) {
    return values.containsKey(key) ? Integer.parseInt(values.get(key).replace("_", "")) : otherwise;
  }

  double decimal(String key, double otherwise) {
    return values.containsKey(key) ? Double.parseDouble(values.get(key)) : otherwise;
  }

  String text(String key, String otherwise) {
    return values.getOrDefault(key, otherwise);
  }

  /**
   * Goal 2's latency, {@code medianMs} (150) and {@code p99Ms} (1000) of a long tail, for a runner against
   * the emulator; turns on the emulator's TCP_NODELAY, without which its small answers wait on Nagle.
   */
  io.m365sync.testkit.emulator.Latency latency() {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    return io.m365sync.testkit.emulator.Latency.longTail(java.time.Duration.ofMillis(integer("medianMs", 150)),
        java.time.Duration.ofMillis(integer("p99Ms", 1000)));
  }

  /** A copy with {@code key} set, for runs that change one setting. */
  BenchArgs with(String key, Object value) {
    Map<String, String> copy = new LinkedHashMap<>(values);
    copy.put(key, String.valueOf(value));
    return new BenchArgs(copy);
  }
}

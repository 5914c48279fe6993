package io.m365sync.testkit.emulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request as the emulator's handlers see it, independent of the HTTP server so that {@code $batch}
 * steps run through the same code. Header names are case-insensitive; query parameter names too.
 */
record Req(String method, String path, String rawQuery, Map<String, String> query, Map<String, List<String>> headers,
           byte[] body) {

  static Req of(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {
    Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    h.putAll(headers);
    return new Req(method.toUpperCase(Locale.ROOT), path, rawQuery == null ? "" : rawQuery, parseQuery(rawQuery),
        Collections.unmodifiableMap(h), body == null ? new byte[0] : body);
  }

  /** This request at another path (same query, headers and body). */
  Req withPath(String newPath) {
    return newPath.equals(path) ? this : new Req(method, newPath, rawQuery, query, headers, body);
  }

  static Map<String, String> parseQuery(String raw) {
    Map<String, String> q = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String k = eq < 0 ? part : part.substring(0, eq);
      String v = eq < 0 ? "" : part.substring(eq + 1);
      q.putIfAbsent(decode(k), decode(v));
    }
    return q;
  }

  /** Form fields of an {@code application/x-www-form-urlencoded} body. */
  Map<String, String> form() {
    Map<String, String> f = new LinkedHashMap<>();
    String raw = new String(body, StandardCharsets.UTF_8);
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      f.putIfAbsent(decode(eq < 0 ? part : part.substring(0, eq)), eq < 0 ? "" : decode(part.substring(eq + 1)));
    }
    return f;
  }

  static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /** Decodes a path segment: {@code +} stays a plus (Graph ids contain it). */
  static String decodeSegment(String s) {
    return decode(s.replace("+", "%2B"));
  }

  String header(String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** All values of a header, split at commas (for {@code Prefer}). */
  List<String> headerValues(String name) {
    List<String> v = headers.get(name);
    if (v == null) {
      return List.of();
    }
    return v.stream().flatMap(x -> java.util.Arrays.stream(x.split(","))).map(String::trim).toList();
  }

  String param(String name) {
    return query.get(name);
  }
}

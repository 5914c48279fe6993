package io.m365sync.graph;

import java.net.URI;
import java.util.Locale;

/** Checks of the endpoints the adapter is pointed at. */
final class Endpoints {
  private Endpoints() {}

  /**
   * {@code url} unchanged if it is https, or http to the loopback interface (an emulator or a local
   * token gateway); judged on the literal host, without a DNS lookup.
   *
   * @throws InsecureEndpointException naming {@code setting} otherwise
   * @throws IllegalArgumentException if it is not an absolute http(s) URL
   */
  static URI requireSecure(String setting, URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (url.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
      throw new IllegalArgumentException("'" + setting + "' must be an absolute http(s) URL but was '" + url + "'");
    }
    if (scheme.equals("http") && !loopback(url.getHost())) {
      throw new InsecureEndpointException(setting, url.toString());
    }
    return url;
  }

  static String requireSecure(String setting, String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + setting + "' must be an absolute http(s) URL but was '" + url + "'");
    }
    requireSecure(setting, uri);
    return url;
  }

  private static boolean loopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1") || h.matches("127(\\.\\d{1,3}){3}");
  }
}

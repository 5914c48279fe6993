package io.m365sync.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.m365sync.notify.NotificationReceiver;
import io.m365sync.notify.NotificationResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;

/**
 * Serves a {@link NotificationReceiver} with the JDK's built-in {@code HttpServer}: Graph's (or the
 * emulator's) notifications on {@code receiver.path()}. For examples and tests; a Spring host uses
 * the starter's controller instead. Requests are answered on the server's dispatcher thread, which
 * is enough because the receiver only parses and enqueues.
 */
public final class JdkHttpNotificationServer implements AutoCloseable {
  private final HttpServer server;
  private final String path;

  private JdkHttpNotificationServer(HttpServer server, String path) {
    this.server = server;
    this.path = path;
  }

  /**
   * Binds {@code address} (port 0 picks a free one) and starts serving.
   *
   * @throws IOException if the address cannot be bound
   */
  public static JdkHttpNotificationServer start(NotificationReceiver receiver, InetSocketAddress address)
      throws IOException {
    HttpServer server = HttpServer.create(address, 0);
    server.createContext(receiver.path(), handler(receiver));
    server.start();
    return new JdkHttpNotificationServer(server, receiver.path());
  }

  /** A handler to mount on an existing {@code HttpServer} at {@code receiver.path()}. */
  public static HttpHandler handler(NotificationReceiver receiver) {
    return exchange -> {
      try (exchange) {
        respond(exchange, answer(receiver, exchange));
      }
    };
  }

  /** The notification URL to give Graph, e.g. {@code http://127.0.0.1:54321/m365sync/notifications}. */
  public URI url() {
    InetSocketAddress a = server.getAddress();
    return URI.create("http://" + a.getHostString() + ":" + a.getPort() + path);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static NotificationResponse answer(NotificationReceiver receiver, HttpExchange exchange)
      throws IOException {
    Map<String, String> query;
    try {
      query = NotificationReceiver.queryParameters(exchange.getRequestURI().getRawQuery());
    } catch (IllegalArgumentException badEscape) {
      return new NotificationResponse(400, Map.of(), "");
    }
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > receiver.maxBodyBytes()) {
      return new NotificationResponse(413, Map.of(), "");  // refuse before reading a byte of it
    }
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(receiver.maxBodyBytes() + 1);  // one past the limit is enough to refuse it
    }
    return receiver.handle(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), query,
        exchange.getRequestHeaders(), body);
  }

  private static void respond(HttpExchange exchange, NotificationResponse response) throws IOException {
    response.headers().forEach(exchange.getResponseHeaders()::set);
    byte[] body = response.bodyBytes();
    exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }
}

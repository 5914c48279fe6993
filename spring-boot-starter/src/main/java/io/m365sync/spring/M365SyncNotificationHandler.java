package io.m365sync.spring;

import io.m365sync.notify.NotificationReceiver;
import io.m365sync.notify.NotificationResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpMethod;
import org.springframework.web.servlet.function.HandlerFunction;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Serves the engine's {@link NotificationReceiver} in a Spring MVC application: {@code POST} on the
 * receiver's path goes to {@link NotificationReceiver#handle}, and its status, headers and body go
 * back. The path is matched against the whole request path, context path included, because it is
 * the path of the notification URL Graph posts to. The receiver only parses and enqueues, so the
 * request thread answers within milliseconds.
 */
public final class M365SyncNotificationHandler implements HandlerFunction<ServerResponse> {
  private final NotificationReceiver receiver;

  private M365SyncNotificationHandler(NotificationReceiver receiver) {
    this.receiver = receiver;
  }

  /** The route: {@code POST} on {@code receiver.path()}. */
  public static RouterFunction<ServerResponse> route(NotificationReceiver receiver) {
    return RouterFunctions.route(RequestPredicates.method(HttpMethod.POST)
        .and(request -> receiver.path().equals(request.requestPath().value())), new M365SyncNotificationHandler(receiver));
  }

  @Override
  public ServerResponse handle(ServerRequest request) throws IOException {
    HttpServletRequest http = request.servletRequest();
    Map<String, String> query;
    try {
      // decoded as the receiver documents (form encoding, first occurrence wins), not as the container would
      query = NotificationReceiver.queryParameters(http.getQueryString());
    } catch (IllegalArgumentException badEscape) {
      return ServerResponse.badRequest().build();
    }
    if (http.getContentLengthLong() > receiver.maxBodyBytes()) {
      return ServerResponse.status(413).build(); // refuse before reading a byte of it
    }
    byte[] body;
    try (InputStream in = http.getInputStream()) {
      body = in.readNBytes(receiver.maxBodyBytes() + 1); // one past the limit is enough to refuse a chunked body
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    request.headers().asHttpHeaders().forEach(headers::put);
    return write(receiver.handle(http.getMethod(), request.requestPath().value(), query, headers, body));
  }

  /** Raw bytes, not a message converter: the host's converters must not re-encode the echoed token. */
  private static ServerResponse write(NotificationResponse response) {
    ServerResponse.BodyBuilder b = ServerResponse.status(response.status());
    response.headers().forEach(b::header);
    byte[] body = response.bodyBytes();
    if (body.length == 0) {
      return b.build();
    }
    return b.contentLength(body.length).build((servletRequest, servletResponse) -> {
      servletResponse.getOutputStream().write(body);
      return null;
    });
  }
}

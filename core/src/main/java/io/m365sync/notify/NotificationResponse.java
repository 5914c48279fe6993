package io.m365sync.notify;

import io.m365sync.Checks;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the web layer sends back for one request to the notification endpoint.
 *
 * @param status the HTTP status
 * @param headers response headers to set (e.g. {@code Content-Type}, {@code Allow}); never null
 * @param body the response body, {@code ""} for none; sent as UTF-8
 */
public record NotificationResponse(int status, Map<String, String> headers, String body) {
  public NotificationResponse {
    headers = Map.copyOf(Checks.requireNonNull(headers, "headers"));
    Checks.requireNonNull(body, "body");
  }

  static NotificationResponse empty(int status) {
    return new NotificationResponse(status, Map.of(), "");
  }

  static NotificationResponse text(int status, String text) {
    // nosniff: the validation token is echoed verbatim and must never be rendered as HTML
    return new NotificationResponse(status,
        Map.of("Content-Type", "text/plain; charset=utf-8", "X-Content-Type-Options", "nosniff"), text);
  }

  /** The body encoded as UTF-8, for adapters that write bytes. */
  public byte[] bodyBytes() {
    return body.getBytes(StandardCharsets.UTF_8);
  }
}

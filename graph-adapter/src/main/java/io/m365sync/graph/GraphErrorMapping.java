package io.m365sync.graph;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.microsoft.graph.models.odataerrors.MainError;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.kiota.ApiException;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.gateway.GatewayErrors;
import io.m365sync.gateway.GatewayException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/** Graph SDK failures to core exceptions, always through {@link GatewayErrors}. */
final class GraphErrorMapping {
  private GraphErrorMapping() {}

  static GatewayException map(MailboxId mailbox, Resource resource, ApiException e, Clock clock) {
    int status = e.getResponseStatusCode();
    String code = null;
    String message = null;
    if (e instanceof ODataError o && o.getError() != null) {
      MainError m = o.getError();
      code = m.getCode();
      message = m.getMessage();
    }
    if (message == null) {
      message = e.getClass().getSimpleName();
    }
    return GatewayErrors.toException(mailbox, resource, status, code, message,
        parseRetryAfter(header(e.getResponseHeaders(), "Retry-After"), clock), requestId(e), null);
  }

  /** Graph's {@code request-id} of a failed request: the error body's, else the response header's; may be null. */
  static String requestId(ApiException e) {
    if (e instanceof ODataError o && o.getError() != null && o.getError().getInnerError() != null
        && o.getError().getInnerError().getRequestId() != null) {
      return o.getError().getInnerError().getRequestId();
    }
    return header(e.getResponseHeaders(), "request-id");
  }

  /** A failure with no HTTP answer (connection refused, reset, timeout, unreadable body). */
  static GatewayException noAnswer(MailboxId mailbox, Resource resource, Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return GatewayErrors.toException(mailbox, resource, 0, null, "no usable answer from Graph: "
        + root.getClass().getSimpleName(), null, null, null);
  }

  /**
   * Graph's error object {@code {"error":{"code","message","innerError":{"request-id"}}}} as
   * {@code [code, message, requestId]} (each may be null); the parser is on its START_OBJECT.
   */
  static String[] errorBody(JsonParser p) throws IOException {
    String[] out = new String[3];
    for (String f; (f = JsonWalk.nextField(p)) != null; ) {
      if (!f.equals("error")) {
        p.skipChildren();
      } else if (JsonWalk.isObject(p)) {
        for (String g; (g = JsonWalk.nextField(p)) != null; ) {
          switch (g) {
            case "code" -> out[0] = scalar(p);
            case "message" -> out[1] = scalar(p);
            case "innerError", "innererror" -> out[2] = innerRequestId(p);
            default -> p.skipChildren();
          }
        }
      }
    }
    return out;
  }

  private static String innerRequestId(JsonParser p) throws IOException {
    String id = null;
    if (!JsonWalk.isObject(p)) {
      return null;
    }
    for (String f; (f = JsonWalk.nextField(p)) != null; ) {
      if (f.equalsIgnoreCase("request-id")) {
        id = scalar(p);
      } else {
        p.skipChildren();
      }
    }
    return id;
  }

  private static String scalar(JsonParser p) throws IOException {
    if (p.currentToken().isScalarValue() && p.currentToken() != JsonToken.VALUE_NULL) {
      return p.getText();
    }
    p.skipChildren();
    return null;
  }

  /**
   * An error body given as text, whatever its content type said: Graph's JSON error object as it is or
   * base64-encoded (as a {@code $batch} step carries a body that was not JSON); all null if it is neither.
   */
  static String[] errorText(String text) {
    if (text == null) {
      return new String[3];
    }
    String t = text.strip();
    if (!t.startsWith("{")) {
      try {
        t = new String(Base64.getDecoder().decode(t), StandardCharsets.UTF_8).strip();
      } catch (IllegalArgumentException notBase64) {
        return new String[3];
      }
    }
    try (JsonParser p = GraphJsonReader.JSON.createParser(t)) {
      return p.nextToken() == JsonToken.START_OBJECT ? errorBody(p) : new String[3];
    } catch (IOException notJson) {
      return new String[3];
    }
  }

  static String header(Map<String, Set<String>> headers, String name) {
    if (headers == null) {
      return null;
    }
    for (Map.Entry<String, Set<String>> h : headers.entrySet()) {
      if (h.getKey() != null && h.getKey().equalsIgnoreCase(name) && h.getValue() != null && !h.getValue().isEmpty()) {
        return h.getValue().iterator().next();
      }
    }
    return null;
  }

  /**
   * {@code Retry-After} as seconds (possibly fractional, e.g. {@code 2.128}) or an HTTP date measured
   * against {@code clock} (the engine's, not the system's); null if absent or bad. Absurd values are
   * returned as they are: the engine caps what it honours.
   */
  static Duration parseRetryAfter(String value, Clock clock) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    try {
      double seconds = Double.parseDouble(v);
      if (seconds < 0 || Double.isNaN(seconds)) {
        return null;
      }
      // (long) saturates at Long.MAX_VALUE for huge or infinite values instead of overflowing
      return Duration.ofMillis((long) Math.ceil(Math.min(seconds, Long.MAX_VALUE / 1000.0) * 1000));
    } catch (NumberFormatException e) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(clock.instant(), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }
}

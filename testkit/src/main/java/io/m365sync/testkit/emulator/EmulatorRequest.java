package io.m365sync.testkit.emulator;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request the emulator received, as {@link M365Emulator#takeRequest()} returns it. Secrets are
 * redacted: the {@code Authorization} header reads {@code Bearer <redacted>}, and form fields such as
 * {@code client_secret}, {@code client_assertion}, {@code refresh_token} and {@code code} read
 * {@code <redacted>}.
 *
 * @param at wall-clock time of arrival
 * @param method e.g. {@code GET}
 * @param path the raw path, e.g. {@code /v1.0/users/{id}/calendarView/delta()}
 * @param query the raw query string; empty when none
 * @param headers request headers (names as sent)
 * @param body the request body as text, redacted
 * @param status the status answered; -1 when the connection was dropped by a fault rule
 */
public record EmulatorRequest(Instant at, String method, String path, String query, Map<String, List<String>> headers,
                              String body, int status) {
  public EmulatorRequest {
    headers = Map.copyOf(headers);
  }

  /** The first value of a header (case-insensitive name); null when absent. */
  public String header(String name) {
    return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
        .map(e -> e.getValue().isEmpty() ? null : e.getValue().get(0)).orElse(null);
  }

  /** {@code METHOD path?query}. */
  public String requestLine() {
    return method + " " + path + (query.isEmpty() ? "" : "?" + query);
  }

  @Override
  public String toString() {
    return "EmulatorRequest[" + requestLine() + " -> " + status + "]";
  }
}

package io.m365sync.graph;

import com.sun.net.httpserver.HttpServer;
import io.m365sync.AuthMode;
import io.m365sync.Mailbox;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.auth.AccessToken;
import io.m365sync.gateway.MailboxSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny Graph stand-in on 127.0.0.1 that serves canned answers verbatim (status, content type,
 * body bytes), keyed by path, and records what was asked: for payloads the emulator would never
 * produce (malformed items, error bodies with odd content types, documented example responses).
 */
final class GraphStub implements AutoCloseable {
  static final String USER = "8ba6d1a3-52a7-4a38-9e3b-2e1e3f0c5d11";

  /** One canned answer. */
  record Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
    static Answer json(String body) {
      return new Answer(200, "application/json; odata.metadata=minimal", body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Answer of(int status, String contentType, String body) {
      return new Answer(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }
  }

  /** One request received: method, path with query, body. */
  record Seen(String method, String pathAndQuery, String body) {}

  private final HttpServer server;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  GraphStub() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", ex -> {
      String pq = ex.getRequestURI().getRawPath() + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
      try (InputStream in = ex.getRequestBody()) {
        seen.add(new Seen(ex.getRequestMethod(), pq, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      }
      Answer a = answer(ex.getRequestURI().getRawPath());
      if (a == null) {
        a = Answer.of(404, "application/json", "{\"error\":{\"code\":\"ErrorItemNotFound\",\"message\":\"stub: no answer\"}}");
      }
      if (a.contentType() != null) {
        ex.getResponseHeaders().add("Content-Type", a.contentType());
      }
      a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      ex.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(a.body());
      }
    });
    server.start();
  }

  /** The answer for the longest registered path prefix of {@code path}. */
  private Answer answer(String path) {
    String best = null;
    for (String p : answers.keySet()) {
      if (path.startsWith(p) && (best == null || p.length() > best.length())) {
        best = p;
      }
    }
    return best == null ? null : answers.get(best);
  }

  GraphStub on(String pathPrefix, Answer answer) {
    answers.put(pathPrefix, answer);
    return this;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1.0";
  }

  GraphMailboxGateway gateway() {
    return GraphMailboxGateway.builder().baseUrl(baseUrl()).defaultTaskList("list-1").build();
  }

  static MailboxSession session() {
    return session(USER);
  }

  static MailboxSession session(String user) {
    Set<Resource> all = EnumSet.allOf(Resource.class);
    Mailbox mailbox = new Mailbox(MailboxId.of("72f988bf-86f1-41af-91ab-2d7cd011db47", user), "adele@contoso.com",
        "crm-adele", Instant.parse("2026-01-01T00:00:00Z"), all);
    return new MailboxSession(mailbox, new AccessToken("stub-token", Instant.parse("2099-01-01T00:00:00Z"),
        AuthMode.APPLICATION, Set.of()));
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

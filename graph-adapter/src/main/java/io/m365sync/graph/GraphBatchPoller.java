package io.m365sync.graph;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.microsoft.kiota.HttpMethod;
import com.microsoft.kiota.RequestInformation;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import io.m365sync.gateway.BatchedDelta;
import io.m365sync.gateway.DeltaProbe;
import io.m365sync.gateway.DeltaPage;
import io.m365sync.gateway.GatewayErrors;
import io.m365sync.gateway.GatewayException;
import io.m365sync.gateway.MailboxSession;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@link GraphMailboxGateway#deltaBatch}: reads several delta pages — resources of one mailbox, or
 * mailboxes of one tenant under one app-only token — in {@code $batch} round trips of at most 20
 * steps. Probes sharing a token go in the same batches, a mailbox's steps together and chained with
 * {@code dependsOn}: Graph runs them one after another (within Outlook's concurrent requests per
 * mailbox), and once one fails answers the rest 424 without running them, so a mailbox that refuses
 * is asked once. Each step is judged on its own status and read on its own: a throttled or failed
 * step, or one whose body cannot be read, is a {@link BatchedDelta} with its
 * {@link GatewayException} (never an empty page; an error keeps the step's own request-id), the
 * others are pages. The batch's own failure fails each of its steps. Thread-safe.
 */
final class GraphBatchPoller {
  /** Graph's limit of requests per batch. */
  static final int MAX_STEPS = 20;

  private final GraphMailboxGateway gateway;

  GraphBatchPoller(GraphMailboxGateway gateway) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
  }

  /** Reads every probe's next page; results come back in the order of {@code polls}. */
  List<BatchedDelta<?>> poll(List<? extends DeltaProbe<?>> polls) {
    Map<String, Map<MailboxId, List<Integer>>> byToken = new LinkedHashMap<>();
    for (int i = 0; i < polls.size(); i++) {
      DeltaProbe<?> poll = polls.get(i);
      byToken.computeIfAbsent(poll.session().token().value(), k -> new LinkedHashMap<>())
          .computeIfAbsent(poll.session().mailbox().id(), k -> new ArrayList<>()).add(i);
    }
    BatchedDelta<?>[] out = new BatchedDelta<?>[polls.size()];
    for (Map<MailboxId, List<Integer>> group : byToken.values()) {
      Set<MailboxId> failed = new HashSet<>();
      for (List<Integer> chunk : chunks(group)) {
        List<Integer> send = new ArrayList<>(chunk.size());
        for (int i : chunk) {
          if (failed.contains(polls.get(i).session().mailbox().id())) {
            out[i] = BatchedDelta.dependencyFailed(polls.get(i)); // failed in an earlier batch: not asked again
          } else {
            send.add(i);
          }
        }
        batch(polls, send, out);
        for (int i : send) {
          if (!out[i].ok()) {
            failed.add(polls.get(i).session().mailbox().id());
          }
        }
      }
    }
    return List.of(out);
  }

  /**
   * A token's steps in batches of at most 20, each mailbox's steps in order and together where they
   * fit (first fit); a mailbox with more than 20 steps spans batches that follow one another.
   */
  private static List<List<Integer>> chunks(Map<MailboxId, List<Integer>> byMailbox) {
    List<List<Integer>> chunks = new ArrayList<>();
    for (List<Integer> steps : byMailbox.values()) {
      int from = 0;
      for (int at = 0; at < steps.size(); at += MAX_STEPS) {
        List<Integer> piece = steps.subList(at, Math.min(steps.size(), at + MAX_STEPS));
        int c = from;
        while (c < chunks.size() && chunks.get(c).size() + piece.size() > MAX_STEPS) {
          c++;
        }
        if (c == chunks.size()) {
          chunks.add(new ArrayList<>());
        }
        chunks.get(c).addAll(piece);
        from = c + 1;
      }
    }
    return chunks;
  }

  private void batch(List<? extends DeltaProbe<?>> polls, List<Integer> all, BatchedDelta<?>[] out) {
    Map<Integer, String> urls = new HashMap<>();
    List<Integer> chunk = new ArrayList<>();
    Set<MailboxId> refused = new HashSet<>();
    for (int i : all) {
      MailboxId mailbox = polls.get(i).session().mailbox().id();
      if (refused.contains(mailbox)) {
        out[i] = BatchedDelta.dependencyFailed(polls.get(i));
        continue;
      }
      try {
        urls.put(i, relativeUrl(polls.get(i)));
        chunk.add(i);
      } catch (GatewayException e) {
        out[i] = failed(polls.get(i), e); // a stored link that is not this mailbox's own: never sent
        refused.add(mailbox);
      }
    }
    if (chunk.isEmpty()) {
      return;
    }
    MailboxSession first = polls.get(chunk.get(0)).session();
    RequestInformation ri = gateway.byUrl(HttpMethod.POST, "/$batch");
    ri.setStreamContent(new ByteArrayInputStream(body(polls, chunk, urls)), "application/json");
    GraphMailboxGateway.decorate(ri, 0);
    Map<String, Integer> ids = new HashMap<>();
    for (int i : chunk) {
      ids.put(Integer.toString(i), i);
    }
    try (InputStream in = gateway.send(first, null, ri, InputStream.class); JsonParser p = GraphJsonReader.JSON.createParser(in)) {
      readResponses(p, polls, ids, out);
    } catch (GatewayException e) {
      for (int i : chunk) {
        out[i] = failed(polls.get(i), e);
      }
      return;
    } catch (IOException e) {
      for (int i : chunk) {
        out[i] = failed(polls.get(i), GraphErrorMapping.noAnswer(polls.get(i).session().mailbox().id(), polls.get(i).type().resource(), e));
      }
      return;
    }
    for (int i : chunk) {
      if (out[i] == null) {
        DeltaProbe<?> poll = polls.get(i);
        out[i] = failed(poll, GatewayErrors.toException(poll.session().mailbox().id(), poll.type().resource(), 0,
            "MissingBatchResponse", "the batch answer had no response for step " + i, null, null, null));
      }
    }
  }

  private byte[] body(List<? extends DeltaProbe<?>> polls, List<Integer> chunk, Map<Integer, String> urls) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (JsonGenerator g = GraphJsonReader.JSON.createGenerator(buf)) {
      g.writeStartObject();
      g.writeArrayFieldStart("requests");
      Map<MailboxId, Integer> previous = new HashMap<>();
      for (int i : chunk) {
        DeltaProbe<?> poll = polls.get(i);
        g.writeStartObject();
        g.writeStringField("id", Integer.toString(i));
        g.writeStringField("method", "GET");
        g.writeStringField("url", urls.get(i));
        Integer before = previous.put(poll.session().mailbox().id(), i);
        if (before != null) {
          g.writeArrayFieldStart("dependsOn");
          g.writeString(Integer.toString(before));
          g.writeEndArray();
        }
        g.writeObjectFieldStart("headers");
        g.writeStringField("Prefer", "IdType=\"ImmutableId\", outlook.timezone=\"UTC\", outlook.body-content-type=\"text\""
            + (poll.type().resource() == Resource.MAILBOX_SETTINGS ? "" : ", odata.maxpagesize=" + poll.request().pageSize()));
        g.writeEndObject();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  /** The step URL relative to the version root: {@code /users/...}. */
  private String relativeUrl(DeltaProbe<?> poll) {
    String url;
    if (poll.type().resource() == Resource.MAILBOX_SETTINGS) {
      url = "/users/" + GraphMailboxGateway.enc(poll.session().mailbox().id().userObjectId()) + "/mailboxSettings";
    } else if (poll.request().cursor() != null) {
      url = gateway.ownLink(poll.session(), poll.type().resource(), poll.request().cursor());
    } else {
      try {
        url = gateway.firstDeltaRequest(poll.session(), poll.type().resource(), poll.request()).getUri().toString();
      } catch (java.net.URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    String base = gateway.baseUrl();
    if (url.startsWith(base)) {
      return url.substring(base.length());
    }
    int v = url.indexOf("/v1.0/");
    return v >= 0 ? url.substring(v + 5) : url;
  }

  private void readResponses(JsonParser p, List<? extends DeltaProbe<?>> polls, Map<String, Integer> ids, BatchedDelta<?>[] out)
      throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new IOException("malformed $batch answer");
    }
    for (String name; (name = JsonWalk.nextField(p)) != null; ) {
      if (!name.equals("responses")) {
        p.skipChildren();
        continue;
      }
      if (JsonWalk.isArray(p)) {
        while (JsonWalk.nextObject(p)) {
          readStep(p, polls, ids, out);
        }
      }
    }
  }

  /** One step of the answer (the parser on its START_OBJECT) into its poll's slot of {@code out}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private void readStep(JsonParser p, List<? extends DeltaProbe<?>> polls, Map<String, Integer> ids, BatchedDelta<?>[] out)
      throws IOException {
    Step s = new Step(p.getParsingContext(), polls, ids);
    for (String name; (name = JsonWalk.nextField(p)) != null; ) {
      s.field(name, p);
    }
    if (s.index == null) {
      return;
    }
    DeltaProbe poll = polls.get(s.index);
    MailboxId mailbox = poll.session().mailbox().id();
    Resource resource = poll.type().resource();
    if (s.unreadable != null) {
      out[s.index] = failed(poll, GatewayErrors.toException(mailbox, resource, s.status, "MalformedBatchStep",
          "the batch step's body could not be read (" + s.unreadable + ")", null, s.requestId, null));
    } else if (s.status >= 200 && s.status < 300 && s.page != null) {
      try {
        DeltaPage<?> dp = s.page instanceof io.m365sync.model.MailboxSettings settings
            ? GraphMailboxGateway.settingsPage(settings, poll.request().cursor())
            : GraphMailboxGateway.toDeltaPage(mailbox, resource, (GraphJsonReader.Page) s.page);
        out[s.index] = BatchedDelta.read(poll, dp);
      } catch (GatewayException e) {
        out[s.index] = failed(poll, e);
      }
    } else {
      out[s.index] = failed(poll, GatewayErrors.toException(mailbox, resource, s.status, s.code,
          s.message == null ? "batch step failed" : s.message, GraphErrorMapping.parseRetryAfter(s.retryAfter, gateway.clock()),
          s.requestId, null));
    }
  }

  /** What one step of a {@code $batch} answer says: its poll, status, {@code Retry-After}, and page or error. */
  private static final class Step {
    private final JsonStreamContext object;
    private final List<? extends DeltaProbe<?>> polls;
    private final Map<String, Integer> ids;
    Integer index;
    int status;
    String retryAfter;
    Object page;
    String code;
    String message;
    String requestId;
    String unreadable;

    Step(JsonStreamContext object, List<? extends DeltaProbe<?>> polls, Map<String, Integer> ids) {
      this.object = object;
      this.polls = polls;
      this.ids = ids;
    }

    /** One field of the step; the parser is on its value. */
    void field(String name, JsonParser p) throws IOException {
      switch (name) {
        case "id" -> index = ids.get(JsonWalk.text(p));
        case "status" -> status = p.getIntValue();
        case "headers" -> {
          if (JsonWalk.isObject(p)) {
            for (String h; (h = JsonWalk.nextField(p)) != null; ) {
              if (h.equalsIgnoreCase("Retry-After")) {
                retryAfter = JsonWalk.text(p);
              } else {
                p.skipChildren();
              }
            }
          }
        }
        case "body" -> body(p);
        default -> p.skipChildren();
      }
    }

    /**
     * "id" and "status" precede "body" in Graph's answers; without them the body is skipped. Each step's
     * body is read on its own: one that is no page fails its step, not the batch.
     */
    private void body(JsonParser p) throws IOException {
      try {
        if (index != null && status >= 200 && status < 300 && p.currentToken() == JsonToken.START_OBJECT) {
          DeltaProbe<?> poll = polls.get(index);
          page = poll.type().resource() == Resource.MAILBOX_SETTINGS ? GraphJsonReader.settings(p)
              : GraphJsonReader.page(p, GraphMailboxGateway.reader(poll.type().resource()));
        } else if (p.currentToken() == JsonToken.START_OBJECT) {
          error(GraphErrorMapping.errorBody(p));
        } else if (p.currentToken() == JsonToken.VALUE_STRING && (status < 200 || status >= 300)) {
          // a body that was not JSON when Graph got it comes back as a string (base64 or text)
          error(GraphErrorMapping.errorText(p.getText()));
        } else {
          p.skipChildren();
        }
      } catch (IOException | RuntimeException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonParseException) {
          throw (IOException) e; // not JSON at all: nothing after it can be read
        }
        page = null;
        unreadable = e.getClass().getSimpleName();
        backTo(p, object);
      }
    }

    private void error(String[] err) {
      code = err[0];
      message = err[1];
      requestId = err[2];
    }
  }

  /** Moves the parser out of a step's body it stopped in, back to the step object. */
  private static void backTo(JsonParser p, JsonStreamContext step) throws IOException {
    while (p.getParsingContext() != step) {
      if (p.nextToken() == null) {
        throw new IOException("malformed $batch answer: it ends inside a step");
      }
    }
  }

  private static BatchedDelta<?> failed(DeltaProbe<?> poll, GatewayException e) {
    return BatchedDelta.failed(poll, e);
  }
}

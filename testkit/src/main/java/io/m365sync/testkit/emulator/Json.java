package io.m365sync.testkit.emulator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Jackson in one place: streaming writes for responses, trees for request bodies. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();
  /** Graph's {@code DateTimeOffset}: {@code 2026-01-05T09:00:00Z}. */
  static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private Json() {}

  @FunctionalInterface
  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  static byte[] write(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Parses a JSON object body, or throws Graph's 400 for anything else. */
  static ObjectNode object(byte[] body) {
    if (body == null || body.length == 0) {
      throw new HttpError(400, "BadRequest", "Empty Payload. JSON content expected.");
    }
    try {
      JsonNode n = MAPPER.readTree(body);
      if (n instanceof ObjectNode o) {
        return o;
      }
    } catch (JsonProcessingException e) {
      // fall through: never echo parser details (they may quote the payload)
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new HttpError(400, "BadRequest",
        "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  static String offset(Instant t) {
    return t == null ? null : OFFSET.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  static void field(JsonGenerator g, String name, String value) throws IOException {
    if (value == null) {
      g.writeNullField(name);
    } else {
      g.writeStringField(name, value);
    }
  }
}

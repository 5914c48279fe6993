package io.m365sync.testkit.emulator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    // a per-thread buffer: delta pages are ~250 KB, and growing a fresh buffer for each was a hot spot
    Buffer out = BUFFERS.get();
    if (out.inUse) {
      out = new Buffer(); // nested write (an item rendered inside a page) on the same thread
    }
    out.recycle(); // also after a write that failed half-way
    out.inUse = true;
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      out.inUse = false;
    }
    byte[] bytes = out.toByteArray();
    out.recycle();
    return bytes;
  }

  private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

  /** A reusable output buffer; keeps at most 4 MB between uses. Single-threaded. */
  private static final class Buffer extends java.io.OutputStream {
    private static final int KEEP = 4 << 20;
    private byte[] buf = new byte[8192];
    private int count;
    private boolean inUse;

    @Override
    public void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    private void ensure(int more) {
      if (count + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
      }
    }

    byte[] toByteArray() {
      return java.util.Arrays.copyOf(buf, count);
    }

    void recycle() {
      count = 0;
      if (buf.length > KEEP) {
        buf = new byte[8192];
      }
    }
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
    if (t == null) {
      return null;
    }
    // hand-formatted: DateTimeFormatter dominated the emulator's per-item cost in benchmarks
    java.time.LocalDateTime l = java.time.LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
    if (l.getYear() < 1 || l.getYear() > 9999) {
      return OFFSET.format(t.truncatedTo(ChronoUnit.SECONDS));
    }
    return appendLocal(new StringBuilder(20), l, false).append('Z').toString();
  }

  /**
   * {@code yyyy-MM-dd'T'HH:mm:ss}, plus {@code .SSSSSSS} when {@code fraction7}; the year must be in
   * 1..9999.
   */
  static StringBuilder appendLocal(StringBuilder sb, java.time.LocalDateTime l, boolean fraction7) {
    digits(sb, l.getYear(), 4).append('-');
    digits(sb, l.getMonthValue(), 2).append('-');
    digits(sb, l.getDayOfMonth(), 2).append('T');
    digits(sb, l.getHour(), 2).append(':');
    digits(sb, l.getMinute(), 2).append(':');
    digits(sb, l.getSecond(), 2);
    if (fraction7) {
      digits(sb.append('.'), l.getNano() / 100, 7);
    }
    return sb;
  }

  private static StringBuilder digits(StringBuilder sb, int value, int width) {
    int div = 1;
    for (int i = 1; i < width; i++) {
      div *= 10;
    }
    for (; div > 0; div /= 10) {
      sb.append((char) ('0' + (value / div) % 10));
    }
    return sb;
  }

  static void field(JsonGenerator g, String name, String value) throws IOException {
    if (value == null) {
      g.writeNullField(name);
    } else {
      g.writeStringField(name, value);
    }
  }
}

package io.m365sync.graph;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Steps through Graph's JSON on a streaming parser: an object's fields, an array's objects. A value of
 * another shape than expected (a {@code null} where an object or array belongs, a string among an
 * array's objects) is passed over whole, so that one odd value never moves the parser off the rest of
 * its item or page. Static and allocation-free: the readers call these for every field of every page.
 */
final class JsonWalk {
  private JsonWalk() {}

  /** Whether the parser is on an object; if not, the value is passed over. */
  static boolean isObject(JsonParser p) throws IOException {
    return is(p, JsonToken.START_OBJECT);
  }

  /** Whether the parser is on an array; if not, the value is passed over. */
  static boolean isArray(JsonParser p) throws IOException {
    return is(p, JsonToken.START_ARRAY);
  }

  private static boolean is(JsonParser p, JsonToken start) throws IOException {
    if (p.currentToken() == start) {
      return true;
    }
    p.skipChildren();
    return false;
  }

  /** A value of another shape than the one that belongs there; the parser is past it. */
  static final class WrongShape extends IOException {
    private static final long serialVersionUID = 1L;

    WrongShape(String message) {
      super(message);
    }
  }

  /**
   * The scalar the parser is on, as text; null for JSON {@code null}. An object or array where a scalar
   * belongs is passed over whole and refused ({@link WrongShape}): an item holding one is unreadable, a
   * page or answer holding one is malformed; neither is read with a wrong value or off its fields.
   */
  static String text(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != null && t.isScalarValue()) {
      return p.getText();
    }
    p.skipChildren();
    throw new WrongShape("malformed Graph JSON: an object or array where a single value belongs");
  }

  /**
   * The next field of the object the parser is in: its name, with the parser on its value (which the
   * caller reads or skips whole); null at the object's end.
   */
  static String nextField(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.FIELD_NAME) {
      return null;
    }
    String name = p.currentName();
    p.nextToken();
    return name;
  }

  /**
   * Moves to the next object of the array the parser is in (the parser on its START_OBJECT, which the
   * caller reads to its end); what else the array holds is passed over; false at the array's end.
   */
  static boolean nextObject(JsonParser p) throws IOException {
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == null) {
        throw new IOException("malformed Graph JSON: it ends inside an array");
      }
      if (t == JsonToken.START_OBJECT) {
        return true;
      }
      p.skipChildren();
    }
    return false;
  }
}

package io.m365sync.testkit.emulator;

import com.fasterxml.jackson.core.SerializableString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An already-rendered JSON value as UTF-8 bytes, for {@code JsonGenerator.writeRawValue}: the
 * generator copies the bytes instead of re-encoding characters. Unquoted use only.
 */
final class RawJson implements SerializableString {
  private final byte[] utf8;
  private final int from;
  private final int length;

  RawJson(byte[] utf8) {
    this(utf8, 0, utf8.length);
  }

  private RawJson(byte[] utf8, int from, int length) {
    this.utf8 = utf8;
    this.from = from;
    this.length = length;
  }

  int size() {
    return length;
  }

  /** Whether this is a JSON object ({@code {...}}, as Jackson renders one: no space around it). */
  boolean isObject() {
    return length >= 2 && utf8[from] == '{' && utf8[from + length - 1] == '}';
  }

  /** An object's members without its braces (empty for {@code {}}), sharing the bytes. */
  RawJson members() {
    if (!isObject()) {
      throw new IllegalStateException("not a JSON object");
    }
    return new RawJson(utf8, from + 1, length - 2);
  }

  @Override
  public String getValue() {
    return new String(utf8, from, length, StandardCharsets.UTF_8);
  }

  @Override
  public int charLength() {
    return getValue().length();
  }

  /** The bytes themselves when they are the whole array (Jackson only reads them, as with its own strings). */
  @Override
  public byte[] asUnquotedUTF8() {
    return from == 0 && length == utf8.length ? utf8 : Arrays.copyOfRange(utf8, from, from + length);
  }

  @Override
  public int appendUnquotedUTF8(byte[] buffer, int offset) {
    if (offset + length > buffer.length) {
      return -1;
    }
    System.arraycopy(utf8, from, buffer, offset, length);
    return length;
  }

  @Override
  public int appendUnquoted(char[] buffer, int offset) {
    String s = getValue();
    if (offset + s.length() > buffer.length) {
      return -1;
    }
    s.getChars(0, s.length(), buffer, offset);
    return s.length();
  }

  @Override
  public int writeUnquotedUTF8(OutputStream out) throws IOException {
    out.write(utf8, from, length);
    return length;
  }

  @Override
  public int putUnquotedUTF8(ByteBuffer buffer) {
    if (buffer.remaining() < length) {
      return -1;
    }
    buffer.put(utf8, from, length);
    return length;
  }

  @Override
  public char[] asQuotedChars() {
    throw quoted();
  }

  @Override
  public byte[] asQuotedUTF8() {
    throw quoted();
  }

  @Override
  public int appendQuotedUTF8(byte[] buffer, int offset) {
    throw quoted();
  }

  @Override
  public int appendQuoted(char[] buffer, int offset) {
    throw quoted();
  }

  @Override
  public int writeQuotedUTF8(OutputStream out) {
    throw quoted();
  }

  @Override
  public int putQuotedUTF8(ByteBuffer buffer) {
    throw quoted();
  }

  private static UnsupportedOperationException quoted() {
    return new UnsupportedOperationException("raw JSON is written as a value, never quoted");
  }
}

package io.m365sync.testkit.emulator;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A response before it is written: status, headers, body; {@link #DROP} closes the connection instead. */
final class Resp {
  static final Resp DROP = new Resp(-1, new byte[0]);
  static final String JSON = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";

  final int status;
  final Map<String, String> headers = new LinkedHashMap<>();
  final byte[] body;

  Resp(int status, byte[] body) {
    this.status = status;
    this.body = body;
  }

  static Resp json(int status, byte[] body) {
    return new Resp(status, body).header("Content-Type", JSON);
  }

  static Resp empty(int status) {
    return new Resp(status, new byte[0]);
  }

  static Resp text(int status, String contentType, String text) {
    return new Resp(status, text.getBytes(StandardCharsets.UTF_8)).header("Content-Type", contentType);
  }

  Resp header(String name, String value) {
    headers.put(name, value);
    return this;
  }
}

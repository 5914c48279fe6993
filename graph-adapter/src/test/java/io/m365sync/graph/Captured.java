package io.m365sync.graph;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything this module's tests print (System.out and System.err, where slf4j-simple writes), and
 * every secret literal the tests used, for {@link LogHygieneTest}, which runs last.
 */
final class Captured {
  private static final ByteArrayOutputStream BUFFER = new ByteArrayOutputStream();
  static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

  static {
    System.setOut(tee(System.out));
    System.setErr(tee(System.err));
  }

  private Captured() {}

  static void install() {
    // the static initializer did it
  }

  static void secret(String value) {
    if (value != null && value.length() >= 8) {
      SECRETS.add(value);
    }
  }

  static synchronized String text() {
    return BUFFER.toString(StandardCharsets.UTF_8);
  }

  private static PrintStream tee(PrintStream original) {
    return new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (Captured.class) {
          BUFFER.write(b);
        }
        original.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (Captured.class) {
          BUFFER.write(b, off, len);
        }
        original.write(b, off, len);
      }
    }, true, StandardCharsets.UTF_8);
  }
}

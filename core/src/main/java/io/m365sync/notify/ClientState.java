package io.m365sync.notify;

import io.m365sync.Checks;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The subscription secret Graph echoes in every notification. Only its SHA-256 is stored
 * ({@link Subscription#clientStateHash()}); notifications are checked against it in constant time.
 */
public final class ClientState {
  private ClientState() {}

  /** Lower-case hex SHA-256 of {@code clientState} (UTF-8), as stored in {@link Subscription}. */
  public static String hash(String clientState) {
    Checks.requireNonNull(clientState, "clientState");
    return HexFormat.of().formatHex(sha256(clientState));
  }

  /**
   * Whether {@code presented} hashes to {@code expectedHash}. Compares digests with
   * {@link MessageDigest#isEqual}, so timing reveals nothing about the secret; false for a null
   * {@code presented} or a stored hash that is not 64 hex digits.
   */
  public static boolean matches(String presented, String expectedHash) {
    if (presented == null || expectedHash == null || expectedHash.length() != 64) {
      return false;
    }
    byte[] expected;
    try {
      expected = HexFormat.of().parseHex(expectedHash);
    } catch (IllegalArgumentException notHex) {
      return false;
    }
    return MessageDigest.isEqual(sha256(presented), expected);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }
}

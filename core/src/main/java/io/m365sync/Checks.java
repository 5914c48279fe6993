package io.m365sync;

import java.time.Duration;
import java.util.Objects;

/** Argument checks whose messages name the setting and quote the offending value. */
public final class Checks {
  private Checks() {}

  /** Returns {@code value} if it has non-whitespace text; otherwise throws naming {@code name}. */
  public static String requireText(String value, String name) {
    if (value == null) {
      throw new IllegalArgumentException("'" + name + "' is required but was null");
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException("'" + name + "' must not be blank but was '" + value + "'");
    }
    return value;
  }

  /**
   * Returns {@code value} (null passes) if it holds no unpaired UTF-16 surrogate; otherwise throws naming
   * {@code name} and where. UTF-8 cannot hold one: a database or a JSON writer stores {@code ?} in its
   * place, so an id would come back as another one.
   */
  public static String requireWellFormed(String value, String name) {
    if (value == null) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++; // a pair: one character beyond the BMP
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException("'" + name + "' holds an unpaired UTF-16 surrogate at index " + i
            + ", which UTF-8 cannot hold");
      }
    }
    return value;
  }

  /** Returns {@code value} if not null; otherwise throws naming {@code name}. */
  public static <T> T requireNonNull(T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException("'" + name + "' is required but was null");
    }
    return value;
  }

  /**
   * For builders whose settings are given once: returns {@code value} (required) if {@code current}
   * is still unset; otherwise throws naming {@code name} and what it holds (settings' own
   * {@code toString} never shows a secret).
   */
  public static <T> T setOnce(T current, T value, String name) {
    requireNonNull(value, name);
    if (current != null) {
      throw new IllegalStateException("'" + name + "' was already set to " + current);
    }
    return value;
  }

  /** Returns {@code value} if strictly positive; otherwise throws naming {@code name} and the value. */
  public static Duration requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("'" + name + "' must be positive but was " + value);
    }
    return value;
  }

  /** Returns {@code value} if at least {@code min}; otherwise throws naming {@code name} and the value. */
  public static int requireAtLeast(int value, int min, String name) {
    if (value < min) {
      throw new IllegalArgumentException("'" + name + "' must be at least " + min + " but was " + value);
    }
    return value;
  }
}

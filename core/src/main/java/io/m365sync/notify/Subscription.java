package io.m365sync.notify;

import io.m365sync.AuthMode;
import io.m365sync.Checks;
import io.m365sync.MailboxId;
import io.m365sync.Resource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A Graph change-notification subscription the engine keeps for one mailbox-resource (and
 * container), as the state store persists it. The subscription's {@code clientState} is a secret
 * shared with Graph: only its SHA-256 hash is kept, enough to check a notification's
 * {@code clientState} with {@link #clientStateMatches}.
 *
 * @param id Graph's subscription id
 * @param mailbox the mailbox whose resource is watched
 * @param resource what is watched; never {@link Resource#MAILBOX_SETTINGS}, which Graph cannot
 *     notify about (it stays on polling)
 * @param container the folder or list watched, as in {@link io.m365sync.state.CursorKey}; empty
 *     string (or null, read as empty) for the default one
 * @param clientStateHash {@link #hashClientState} of the subscription's {@code clientState}: 64
 *     lower-case hex digits (upper case is accepted and lowered)
 * @param expiresAt when Graph drops the subscription unless it is renewed
 * @param mode the token the subscription was created with, and must be renewed with
 */
public record Subscription(String id, MailboxId mailbox, Resource resource, String container,
                           String clientStateHash, Instant expiresAt, AuthMode mode) {
  private static final int HASH_HEX_DIGITS = 64;

  public Subscription {
    Checks.requireText(id, "id");
    Checks.requireNonNull(mailbox, "mailbox");
    Checks.requireNonNull(resource, "resource");
    if (resource == Resource.MAILBOX_SETTINGS) {
      throw new IllegalArgumentException("'resource' cannot be MAILBOX_SETTINGS: Graph has no change notifications"
          + " for mailbox settings, which stay on polling");
    }
    container = container == null ? "" : container;
    clientStateHash = requireHash(clientStateHash);
    Checks.requireNonNull(expiresAt, "expiresAt");
    Checks.requireNonNull(mode, "mode");
  }

  /** A subscription to the resource's default container. */
  public Subscription(String id, MailboxId mailbox, Resource resource, String clientStateHash, Instant expiresAt,
                      AuthMode mode) {
    this(id, mailbox, resource, "", clientStateHash, expiresAt, mode);
  }

  /** The value never appears in the message: a caller that passed the clientState itself must not leak it. */
  private static String requireHash(String hash) {
    Checks.requireNonNull(hash, "clientStateHash");
    String lower = hash.toLowerCase(Locale.ROOT);
    if (lower.length() != HASH_HEX_DIGITS || !lower.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
      throw new IllegalArgumentException("'clientStateHash' must be the " + HASH_HEX_DIGITS
          + " hex digits of a SHA-256 hash but was " + hash.length() + " characters of something else (not shown)");
    }
    return lower;
  }

  /** SHA-256 of the UTF-8 {@code clientState}, as 64 lower-case hex digits. */
  public static String hashClientState(String clientState) {
    Checks.requireNonNull(clientState, "clientState");
    return HexFormat.of().formatHex(sha256(clientState));
  }

  /**
   * Whether {@code clientState} (from a notification; null when it had none) is the one this
   * subscription was created with. Compares in constant time, so that timing reveals nothing of the hash.
   */
  public boolean clientStateMatches(String clientState) {
    return clientState != null
        && MessageDigest.isEqual(sha256(clientState), HexFormat.of().parseHex(clientStateHash));
  }

  /** Whether Graph has dropped the subscription by {@code now} (it expires at {@code expiresAt}). */
  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  /** The same subscription, renewed to expire at {@code newExpiry}. */
  public Subscription renewedUntil(Instant newExpiry) {
    return new Subscription(id, mailbox, resource, container, clientStateHash, newExpiry, mode);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Shows the first 8 hex digits of the hash only: enough to tell two apart in a log. */
  @Override
  public String toString() {
    return "Subscription[" + id + " " + mailbox + " " + resource + (container.isEmpty() ? "" : " '" + container + "'")
        + " " + mode + " expires " + expiresAt + " clientState sha256:" + clientStateHash.substring(0, 8) + "…]";
  }
}

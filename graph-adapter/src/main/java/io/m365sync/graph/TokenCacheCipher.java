package io.m365sync.graph;

import io.m365sync.MailboxId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts users' MSAL token caches at rest with AES-GCM under a host-supplied key. Each blob names
 * the key id it was sealed with, so keys rotate: add the new key as current, keep the old ones for
 * reading, and every blob is re-sealed with the current key on its next write. The mailbox id is
 * bound as associated data, so a blob copied to another mailbox does not open.
 *
 * <p>Blob layout: {@code 'M' 'S' 'T' 1 | keyIdLength (1 byte) | keyId (UTF-8) | iv (12) | ciphertext+tag}.
 * Immutable and thread-safe. {@link #toString()} shows key ids only.
 */
public final class TokenCacheCipher {
  private static final byte[] MAGIC = {'M', 'S', 'T', 1};
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final String currentKeyId;
  private final Map<String, SecretKey> keys;
  private final SecureRandom random = new SecureRandom();

  private TokenCacheCipher(String currentKeyId, Map<String, SecretKey> keys) {
    this.currentKeyId = currentKeyId;
    this.keys = Map.copyOf(keys);
  }

  /**
   * A cipher sealing with {@code key} (16, 24 or 32 bytes of AES key material) under {@code keyId}.
   *
   * @throws IllegalArgumentException for a blank or over-long key id or a key of the wrong size
   */
  public static TokenCacheCipher aesGcm(String keyId, byte[] key) {
    return new TokenCacheCipher(checkId(keyId), Map.of(keyId, checkKey(keyId, key)));
  }

  /** A copy that seals with {@code key} under {@code keyId} and still opens blobs of every earlier key. */
  public TokenCacheCipher rotateTo(String keyId, byte[] key) {
    Map<String, SecretKey> all = new LinkedHashMap<>(keys);
    if (all.containsKey(checkId(keyId))) {
      throw new IllegalArgumentException("key id '" + keyId + "' is already in use; pick a new id for a new key");
    }
    all.put(keyId, checkKey(keyId, key));
    return new TokenCacheCipher(keyId, all);
  }

  /** A copy that can no longer open blobs sealed with {@code keyId} (retire a compromised key). */
  public TokenCacheCipher withoutKey(String keyId) {
    if (keyId.equals(currentKeyId)) {
      throw new IllegalArgumentException("cannot drop the current key '" + keyId + "'; rotate first");
    }
    Map<String, SecretKey> all = new LinkedHashMap<>(keys);
    all.remove(keyId);
    return new TokenCacheCipher(currentKeyId, all);
  }

  public String currentKeyId() {
    return currentKeyId;
  }

  private static String checkId(String keyId) {
    if (keyId == null || keyId.isBlank() || keyId.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new IllegalArgumentException("'keyId' must be 1 to 255 bytes of text but was '" + keyId + "'");
    }
    return keyId;
  }

  private static SecretKey checkKey(String keyId, byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length != 16 && key.length != 24 && key.length != 32) {
      throw new IllegalArgumentException("the AES key for key id '" + keyId + "' must be 16, 24 or 32 bytes but was "
          + key.length + " bytes");
    }
    return new SecretKeySpec(key.clone(), "AES");
  }

  byte[] seal(MailboxId mailbox, byte[] plain) {
    byte[] id = currentKeyId.getBytes(StandardCharsets.UTF_8);
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, iv));
      c.updateAAD(aad(mailbox, id));
      byte[] sealed = c.doFinal(plain);
      return ByteBuffer.allocate(MAGIC.length + 1 + id.length + IV_BYTES + sealed.length)
          .put(MAGIC).put((byte) id.length).put(id).put(iv).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed for mailbox " + mailbox, e);
    }
  }

  /**
   * Opens a blob sealed by {@link #seal}.
   *
   * @throws UnreadableBlobException for a foreign, truncated, tampered blob or an unknown key id
   */
  byte[] open(MailboxId mailbox, byte[] blob) {
    if (blob == null || blob.length < MAGIC.length + 2 + IV_BYTES + TAG_BITS / 8) {
      throw new UnreadableBlobException("token cache blob is too short");
    }
    ByteBuffer b = ByteBuffer.wrap(blob);
    for (byte m : MAGIC) {
      if (b.get() != m) {
        throw new UnreadableBlobException("token cache blob has an unknown format");
      }
    }
    int idLength = Byte.toUnsignedInt(b.get());
    if (b.remaining() < idLength + IV_BYTES + TAG_BITS / 8) {
      throw new UnreadableBlobException("token cache blob is truncated");
    }
    byte[] id = new byte[idLength];
    b.get(id);
    String keyId = new String(id, StandardCharsets.UTF_8);
    SecretKey key = keys.get(keyId);
    if (key == null) {
      throw new UnreadableBlobException("token cache blob was sealed with unknown key id '" + keyId + "'");
    }
    byte[] iv = new byte[IV_BYTES];
    b.get(iv);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
      c.updateAAD(aad(mailbox, id));
      return c.doFinal(blob, b.position(), b.remaining());
    } catch (GeneralSecurityException e) {
      throw new UnreadableBlobException("token cache blob failed authentication (tampered, or another mailbox's)");
    }
  }

  /** Whether a blob was sealed with an older key (re-seal it on the next write). */
  boolean sealedWithOldKey(byte[] blob) {
    if (blob == null || blob.length < MAGIC.length + 1) {
      return false;
    }
    int idLength = Byte.toUnsignedInt(blob[MAGIC.length]);
    if (blob.length < MAGIC.length + 1 + idLength) {
      return false;
    }
    return !new String(blob, MAGIC.length + 1, idLength, StandardCharsets.UTF_8).equals(currentKeyId);
  }

  private static byte[] aad(MailboxId mailbox, byte[] keyId) {
    byte[] m = mailbox.key().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(m.length + 1 + keyId.length).put(m).put((byte) 0).put(keyId).array();
  }

  @Override
  public String toString() {
    return "TokenCacheCipher[AES-GCM, current=" + currentKeyId + ", keys=" + keys.keySet() + "]";
  }

  /** A blob could not be opened; the message never quotes blob content. */
  static final class UnreadableBlobException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnreadableBlobException(String message) {
      super(message, null, false, false);
    }
  }
}

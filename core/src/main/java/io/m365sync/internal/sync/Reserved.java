package io.m365sync.internal.sync;

import io.m365sync.model.SyncItem;
import io.m365sync.model.SyncItems;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * The syncers' reserved extension keys ({@code m365sync.*}) and content fingerprints.
 *
 * <p>{@link #BASE} is the fingerprint of the content as a syncer last wrote it to that side: an item
 * whose fingerprint still matches has not been edited by a user since, which tells an echo of our own
 * write (even when the id-map write after it was lost in a crash) from a user's change.
 */
public final class Reserved {
  public static final String PREFIX = SyncItems.RESERVED_PREFIX;
  /** On CRM records: the Microsoft 365 id they were created from (write-ahead for crash recovery). */
  public static final String REMOTE_ID = "m365sync.remoteId";
  /** On Microsoft 365 items: the CRM id they were created from. */
  public static final String CRM_ID = "m365sync.crmId";
  /** On either side: the fingerprint of the content as the syncer wrote it. */
  public static final String BASE = "m365sync.base";

  private Reserved() {}

  /** The host's own extensions: every reserved key removed. */
  public static Map<String, String> userExtensions(Map<String, String> ext) {
    return SyncItems.hostExtensions(ext);
  }

  /** The item without reserved keys: what is compared across sides. */
  public static <T extends SyncItem> T strip(T item) {
    return SyncItems.withoutReservedExtensions(item);
  }

  /** Content fingerprint of the stripped item (stable across JVMs: extensions in key order). */
  public static String fingerprint(SyncItem item) {
    SyncItem bare = withExtensions(item, Map.of());
    return hash(bare + "|" + new TreeMap<>(userExtensions(item.extensions())));
  }

  /** A short SHA-256 digest of {@code text}. */
  public static String hash(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 22);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }

  /** Whether the item still carries the fingerprint we wrote: nobody edited it since our write. */
  public static boolean untouchedSinceOurWrite(SyncItem item) {
    String base = item.extensions().get(BASE);
    return base != null && base.equals(fingerprint(item));
  }

  /** The stripped item stamped with {@code extra} reserved keys and its fingerprint. */
  public static <T extends SyncItem> T stamp(T item, Map<String, String> extra) {
    Map<String, String> ext = userExtensions(item.extensions());
    T bare = withExtensions(item, ext);
    ext.putAll(extra);
    ext.put(BASE, fingerprint(bare));
    return withExtensions(item, ext);
  }

  /** A copy of {@code item} with {@code ext} as its extensions. */
  @SuppressWarnings("unchecked")
  public static <T extends SyncItem> T withExtensions(T item, Map<String, String> ext) {
    return (T) item.withExtensions(ext);
  }
}

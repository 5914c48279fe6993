package io.m365sync.internal.sync;

import io.m365sync.gateway.ItemPatch;
import io.m365sync.model.SyncItem;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The base of a CRM record's next push: a fingerprint per field (and per host extension key) of the
 * record as the CRM held it when it was last synced, kept in a {@link Markers#base} note.
 *
 * <p>Why the CRM's own copy and not the Microsoft 365 item: a CRM that has no column for a field
 * (a job title, phones) hands the record back without it, so against the Microsoft 365 content that
 * field would look cleared by the CRM. Against the CRM's last synced copy it is unchanged, and only
 * what the CRM really edited goes out. Fingerprints, not content: the note stays small and holds no
 * personal data.
 */
final class SyncedFields {
  private static final String EXTENSION = "~";

  private SyncedFields() {}

  /** The note for {@code crmItem} (CRM form; reserved keys are ignored). */
  static String of(SyncItem crmItem) {
    StringBuilder b = new StringBuilder();
    for (String f : ItemPatch.fieldNames(crmItem.getClass())) {
      b.append(f).append('=').append(hash(ItemPatch.fieldValue(crmItem, f))).append(',');
    }
    Reserved.userExtensions(crmItem.extensions()).forEach((k, v) ->
        b.append(EXTENSION).append(hash(k)).append('=').append(hash(v)).append(','));
    return b.toString();
  }

  /**
   * What the CRM changed in {@code crmItem} since the note {@code base} was taken, as a patch of
   * {@code remoteItem} (the same record in Microsoft 365 form, stamped): the changed fields, the
   * changed or added host extension keys, and every reserved key, which the syncer rewrites on each
   * write.
   */
  static <T extends SyncItem> ItemPatch<T> patch(String base, T crmItem, T remoteItem) {
    Map<String, String> was = parse(base);
    Set<String> fields = new HashSet<>();
    for (String f : ItemPatch.fieldNames(crmItem.getClass())) {
      if (!hash(ItemPatch.fieldValue(crmItem, f)).equals(was.get(f))) {
        fields.add(f);
      }
    }
    Set<String> keys = new HashSet<>();
    Reserved.userExtensions(crmItem.extensions()).forEach((k, v) -> {
      if (!hash(v).equals(was.get(EXTENSION + hash(k))) && remoteItem.extensions().containsKey(k)) {
        keys.add(k);
      }
    });
    remoteItem.extensions().keySet().stream().filter(k -> k.startsWith(Reserved.PREFIX)).forEach(keys::add);
    return new ItemPatch<>(remoteItem, fields, keys);
  }

  private static Map<String, String> parse(String base) {
    Map<String, String> m = new HashMap<>();
    for (String entry : base.split(",")) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        m.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return m;
  }

  private static String hash(Object value) {
    return Reserved.hash(value == null ? "\u0000" : value.toString()).substring(0, 12);
  }
}

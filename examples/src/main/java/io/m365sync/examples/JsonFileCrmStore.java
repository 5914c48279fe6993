package io.m365sync.examples;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.m365sync.MailboxId;
import io.m365sync.crm.CrmChanges;
import io.m365sync.crm.CrmRecord;
import io.m365sync.crm.CrmStore;
import io.m365sync.model.SyncItem;
import io.m365sync.testkit.model.RecordJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A CRM table kept in a JSON file: what the examples sync into, so a second run sees what the first
 * one wrote. Every change rewrites the file atomically; fine for demos, not for production volumes.
 * Thread-safe.
 */
public final class JsonFileCrmStore<T extends SyncItem> implements CrmStore<T> {
  private static final ObjectMapper JSON = RecordJson.mapper();

  /** The file's content. */
  public static final class Table<T> {
    public long lastId;
    public long lastVersion;
    public Map<String, Map<String, Row<T>>> mailboxes = new LinkedHashMap<>();
  }

  /** One record; a null item is a deletion kept for the change feed. */
  public static final class Row<T> {
    public long version;
    public T item;
  }

  private final Path file;
  private final String prefix;
  private final Table<T> table;

  private JsonFileCrmStore(Path file, String prefix, Table<T> table) {
    this.file = file;
    this.prefix = prefix;
    this.table = table;
  }

  /** Opens {@code file}, or starts an empty table there. */
  public static <T extends SyncItem> JsonFileCrmStore<T> open(Path file, Class<T> itemType, String prefix) {
    JavaType type = JSON.getTypeFactory().constructParametricType(Table.class, itemType);
    try {
      Table<T> table = Files.exists(file) ? JSON.readValue(file.toFile(), type) : new Table<>();
      return new JsonFileCrmStore<>(file, prefix, table);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read CRM file " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized CrmRecord<T> save(MailboxId mailbox, String crmId, T item) {
    Map<String, Row<T>> rows = table.mailboxes.computeIfAbsent(mailbox.key(), k -> new LinkedHashMap<>());
    String id = crmId;
    if (id == null) {
      id = prefix + "-" + (++table.lastId);
    } else if (rows.get(id) == null || rows.get(id).item == null) {
      throw new IllegalArgumentException("no CRM record '" + crmId + "' for mailbox " + mailbox);
    }
    Row<T> row = new Row<>();
    row.version = ++table.lastVersion;
    row.item = item;
    rows.put(id, row);
    write();
    return new CrmRecord<>(id, row.version, item);
  }

  @Override
  public synchronized void delete(MailboxId mailbox, String crmId) {
    Row<T> row = table.mailboxes.getOrDefault(mailbox.key(), Map.of()).get(crmId);
    if (row != null && row.item != null) {
      row.item = null;
      row.version = ++table.lastVersion;
      write();
    }
  }

  @Override
  public synchronized Optional<CrmRecord<T>> find(MailboxId mailbox, String crmId) {
    Row<T> row = table.mailboxes.getOrDefault(mailbox.key(), Map.of()).get(crmId);
    return row == null || row.item == null ? Optional.empty() : Optional.of(new CrmRecord<>(crmId, row.version, row.item));
  }

  @Override
  public synchronized List<CrmRecord<T>> list(MailboxId mailbox) {
    List<CrmRecord<T>> out = new ArrayList<>();
    table.mailboxes.getOrDefault(mailbox.key(), Map.of()).forEach((id, row) -> {
      if (row.item != null) {
        out.add(new CrmRecord<>(id, row.version, row.item));
      }
    });
    return out;
  }

  @Override
  public synchronized CrmChanges<T> changesSince(MailboxId mailbox, String watermark) {
    long since = watermark == null ? 0 : Long.parseLong(watermark);
    List<CrmRecord<T>> out = new ArrayList<>();
    long max = since;
    for (Map.Entry<String, Row<T>> e : table.mailboxes.getOrDefault(mailbox.key(), Map.of()).entrySet()) {
      if (e.getValue().version > since) {
        out.add(new CrmRecord<>(e.getKey(), e.getValue().version, e.getValue().item));
        max = Math.max(max, e.getValue().version);
      }
    }
    return new CrmChanges<>(out, Long.toString(max));
  }

  /** Live records of every mailbox. */
  public synchronized int size() {
    return table.mailboxes.values().stream().mapToInt(m -> (int) m.values().stream().filter(r -> r.item != null).count()).sum();
  }

  /** Live records that share a content key with another record of the same mailbox. */
  public synchronized int duplicates() {
    int dups = 0;
    for (Map<String, Row<T>> rows : table.mailboxes.values()) {
      Map<String, Integer> byKey = new LinkedHashMap<>();
      rows.values().stream().filter(r -> r.item != null).forEach(r -> byKey.merge(String.valueOf(r.item.matchKey()), 1, Integer::sum));
      dups += byKey.values().stream().mapToInt(n -> n - 1).sum();
    }
    return dups;
  }

  private void write() {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), table);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write CRM file " + file + ": " + e.getMessage(), e);
    }
  }
}
